// A tiny cluster domain for the platform's own tests, so they do not depend on the real one:
// it implements the same contract (SimClusterView + failNextTask + close) and a few routes.

import type { SimClusterHandle, SimulatorDomain } from '../../../src/sim/compose-simulator.js';
import { PveHttpError } from '../../../src/sim/pve-http-error.js';
import { withTotal } from '../../../src/sim/server/with-total.js';
import type { RouteRegistry } from '../../../src/sim/types.js';

export class FakeCluster implements SimClusterHandle {
  readonly name = 'MonCluster';
  readonly failedTasks: Array<[string, string]> = [];
  readonly fingerprints = new Map<string, string>();
  closed = false;
  readonly #online = new Map<string, boolean>();
  readonly #listeners: Array<(node: string, online: boolean) => void> = [];

  constructor(nodes: number) {
    for (let i = 1; i <= nodes; i++) this.#online.set(`node0${i}`, true);
  }

  nodeNames(): string[] {
    return [...this.#online.keys()];
  }

  nodeAddress(node: string): string {
    return `127.20.1.${100 + this.nodeNames().indexOf(node) + 1}`;
  }

  isNodeOnline(node: string): boolean {
    return this.#online.get(node) ?? false;
  }

  setNodeOnline(node: string, online: boolean): void {
    if (this.#online.get(node) === online) return;
    this.#online.set(node, online);
    for (const listener of this.#listeners) listener(node, online);
  }

  isQuorate(): boolean {
    return [...this.#online.values()].filter(Boolean).length * 2 > this.#online.size;
  }

  setNodeFingerprint(node: string, fingerprint: string): void {
    this.fingerprints.set(node, fingerprint);
  }

  onNodeOnlineChange(listener: (node: string, online: boolean) => void): void {
    this.#listeners.push(listener);
  }

  failNextTask(type: string, message: string): void {
    this.failedTasks.push([type, message]);
  }

  close(): void {
    this.closed = true;
  }
}

function registerFakeRoutes(registry: RouteRegistry): void {
  registry.on('GET', '/version', (req) => ({
    version: '9.1.3',
    release: '9.1',
    repoid: 'sim',
    user: req.user,
  }));
  registry.on('GET', '/nodes/{node}/status', (req) => ({ node: req.params.node, servedBy: req.servingNode }));
  registry.on('POST', '/nodes/{node}/qemu/{vmid}/status/start', (req) => ({
    params: req.params,
    user: req.user,
  }));
  registry.on('GET', '/nodes/{node}/tasks', () => withTotal([{ upid: 'a' }, { upid: 'b' }], 7));
  registry.on('GET', '/cluster/tasks', () => withTotal([], 0));
  registry.on('GET', '/cluster/nextid', () => {
    throw new Error('simulated bug');
  });
  registry.on('GET', '/nodes/{node}/qemu/{vmid}/status/current', () => {
    throw PveHttpError.die("Configuration file 'nodes/node01/qemu-server/999.conf' does not exist");
  });
}

export function fakeDomain(): SimulatorDomain<FakeCluster> & { clusters: FakeCluster[] } {
  const clusters: FakeCluster[] = [];
  return {
    clusters,
    createCluster: ({ nodes }) => {
      const cluster = new FakeCluster(nodes);
      clusters.push(cluster);
      return cluster;
    },
    registerRoutes: (registry) => registerFakeRoutes(registry),
  };
}
