// Fault injection for tests and demos. Every switch takes effect for the next request (or
// connection) and setting one twice is harmless.

import type { RequestFaultState } from './server/handle-api-request.js';
import type { SimClusterView } from './types.js';

/** What the faults need from the cluster: the view plus the domain's task-failure switch. */
export interface FaultableCluster extends SimClusterView {
  failNextTask(type: string, message: string): void;
}

export interface SimFaultsOptions {
  cluster: FaultableCluster;
  /** Shared with the request path, which reads it on every request. */
  state: RequestFaultState;
  /** Opens or closes the node's HTTPS listener to match the cluster and the API faults. */
  syncListener: (node: string) => Promise<void>;
  /** Makes the node serve its real certificate (false) or one from an unrelated CA (true). */
  useImpostorCertificate: (node: string, impostor: boolean) => Promise<void>;
}

export class SimFaults {
  readonly #cluster: FaultableCluster;
  readonly #state: RequestFaultState;
  readonly #syncListener: (node: string) => Promise<void>;
  readonly #useImpostorCertificate: (node: string, impostor: boolean) => Promise<void>;
  readonly #apiDown = new Set<string>();

  constructor(options: SimFaultsOptions) {
    this.#cluster = options.cluster;
    this.#state = options.state;
    this.#syncListener = options.syncListener;
    this.#useImpostorCertificate = options.useImpostorCertificate;
    // The request path reads the same set: proxied calls to these nodes get 595.
    this.#state.apiDown = this.#apiDown;
  }

  /**
   * The node loses power: the cluster marks it offline (quorum, 595 through other nodes) and its
   * own address refuses connections. Resolves once its listener is closed.
   */
  nodeDown(node: string): Promise<void> {
    this.#known(node);
    this.#cluster.setNodeOnline(node, false);
    return this.#syncListener(node);
  }

  /** The node is back (the domain decides how it boots); resolves once it listens again. */
  nodeUp(node: string): Promise<void> {
    this.#known(node);
    this.#cluster.setNodeOnline(node, true);
    return this.#syncListener(node);
  }

  /**
   * Only pveproxy on that node stops: its address refuses connections and calls proxied to it
   * through other nodes get `595 Connection refused`; the node stays in the cluster.
   */
  apiDown(node: string): Promise<void> {
    this.#known(node);
    this.#apiDown.add(node);
    return this.#syncListener(node);
  }

  apiUp(node: string): Promise<void> {
    this.#known(node);
    this.#apiDown.delete(node);
    return this.#syncListener(node);
  }

  isApiDown(node: string): boolean {
    return this.#apiDown.has(node);
  }

  /** Delay added before every answer, on every node; 0 clears it. */
  latency(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0)
      throw new RangeError(`latency must be a non-negative number of ms, got ${ms}`);
    this.#state.latencyMs = ms;
  }

  /** While on, every request is answered `401 Authentication failed!`, as if the token was revoked. */
  rejectAuth(on: boolean): void {
    this.#state.rejectAuth = on;
  }

  /**
   * The node presents a certificate with the same names but another key, from another CA (a
   * man in the middle, or a node reinstalled without updating the pins): a client pinning the
   * published fingerprint or trusting the cluster CA must refuse it. `false` restores the real one.
   */
  impostorCertificate(node: string, on = true): Promise<void> {
    this.#known(node);
    return this.#useImpostorCertificate(node, on);
  }

  /** The next task of `type` (e.g. `qmigrate`) ends in `TASK ERROR: <message>`. */
  failNextTask(type: string, message: string): void {
    this.#cluster.failNextTask(type, message);
  }

  #known(node: string): void {
    if (!this.#cluster.nodeNames().includes(node)) {
      throw new Error(`unknown node '${node}' (nodes: ${this.#cluster.nodeNames().join(', ')})`);
    }
  }
}
