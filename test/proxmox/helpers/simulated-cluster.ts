import { afterAll, beforeAll } from 'vitest';
import type { Logger } from '../../../src/logger.js';
import { ProxmoxClient, type ProxmoxClientOptions } from '../../../src/proxmox/proxmox-client.js';
import { createPveTransport, type PveTransport } from '../../../src/proxmox/pve-transport.js';
import type { PveRequestEvent } from '../../../src/proxmox/request-observer.js';
import {
  type PveVersion,
  type RunningSimulator,
  type SimCluster,
  startSimulator,
} from '../../../src/sim/simulator.js';

/** Polling fast enough for a 100× simulator, still exercising the back-off. */
export const FAST_POLL = { initialMs: 10, maxMs: 50 };

export interface RecordingLogger extends Logger {
  lines: { level: string; fields: Record<string, unknown>; message: string }[];
}

export function recordingLogger(): RecordingLogger {
  const lines: RecordingLogger['lines'] = [];
  const at = (level: string) => (fields: Record<string, unknown>, message: string) => {
    lines.push({ level, fields, message });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export interface TestCluster {
  sim: RunningSimulator<SimCluster>;
  /** Every exchange the clients made, through their onRequest hook. */
  events: PveRequestEvent[];
  /** A client over every host, pinned to the simulator's fingerprints; closed after the file. */
  client(overrides?: Partial<ProxmoxClientOptions>): ProxmoxClient;
  /**
   * The transport under a client, for a test that sends a request the client has no method for
   * (a raw answer, or a transport of its own wrapped around it); closed after the file.
   */
  transport(overrides?: Partial<ProxmoxClientOptions>): PveTransport;
}

/**
 * One simulator per test file (real HTTPS on 127.20.1.x), started fast and without 401 delays;
 * a PVE 9.1 cluster unless `pveVersion` says 8.4.
 */
export function useSimulatedCluster(options: { pveVersion?: PveVersion } = {}): TestCluster {
  const clients: Array<ProxmoxClient | PveTransport> = [];
  const cluster = { events: [] as PveRequestEvent[] } as TestCluster;
  beforeAll(async () => {
    cluster.sim = await startSimulator({ port: 0, speed: 100, authFailureDelayMs: 0, ...options });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await cluster.sim?.stop();
  });
  const connection = (overrides: Partial<ProxmoxClientOptions>): ProxmoxClientOptions => {
    const { sim } = cluster;
    return {
      hosts: sim.hosts,
      tokenId: sim.tokenId,
      tokenSecret: sim.tokenSecret,
      fingerprints: sim.fingerprints,
      onRequest: (event) => cluster.events.push(event),
      ...overrides,
    };
  };
  cluster.client = (overrides = {}) => {
    const client = new ProxmoxClient(connection(overrides));
    clients.push(client);
    return client;
  };
  cluster.transport = (overrides = {}) => {
    const transport = createPveTransport(connection(overrides));
    clients.push(transport);
    return transport;
  };
  return cluster;
}
