// Fault injection for tests and demos. Every switch takes effect for the next request (or
// connection) and setting one twice is harmless.

import type { RequestFaultState } from './server/handle-api-request.js';
import type { SimClusterView } from './types.js';

/** What the faults need from the cluster: the view plus the domain's failure switches. */
export interface FaultableCluster extends SimClusterView {
  failNextTask(type: string, message: string): void;
  /** Optional: a domain with package upgrades over SSH. */
  failNextUpgrade?(node: string, message?: string): void;
}

export interface SimFaultsOptions {
  cluster: FaultableCluster;
  /** Shared with the request path, which reads it on every request. */
  state: RequestFaultState;
  /** Opens or closes the node's HTTPS listener to match the cluster and the API faults. */
  syncListener: (node: string) => Promise<void>;
  /** Makes the node serve its real certificate (false) or one from an unrelated CA (true). */
  useImpostorCertificate: (node: string, impostor: boolean) => Promise<void>;
  /** Opens or closes the node's SSH listener to match the cluster and the SSH faults. */
  syncSsh: (node: string) => Promise<void>;
  /** Gives the node's sshd a new host key; returns its public key. */
  changeSshHostKey: (node: string) => string;
}

export class SimFaults {
  readonly #cluster: FaultableCluster;
  readonly #state: RequestFaultState;
  readonly #syncListener: (node: string) => Promise<void>;
  readonly #useImpostorCertificate: (node: string, impostor: boolean) => Promise<void>;
  readonly #syncSsh: (node: string) => Promise<void>;
  readonly #changeSshHostKey: (node: string) => string;
  /** Nodes whose pveproxy is down: by the apiDown fault, or while a package upgrade restarts it. */
  readonly #apiDown = new Set<string>();
  readonly #apiDownFault = new Set<string>();
  readonly #pveproxyRestarting = new Set<string>();
  readonly #sshDown = new Set<string>();

  constructor(options: SimFaultsOptions) {
    this.#cluster = options.cluster;
    this.#state = options.state;
    this.#syncListener = options.syncListener;
    this.#useImpostorCertificate = options.useImpostorCertificate;
    this.#syncSsh = options.syncSsh;
    this.#changeSshHostKey = options.changeSshHostKey;
    // The request path reads the same set: proxied calls to these nodes get 595.
    this.#state.apiDown = this.#apiDown;
  }

  /**
   * The node loses power: the cluster marks it offline (quorum, 595 through other nodes) and its
   * own address refuses connections, HTTPS and SSH (running SSH commands die with it). Resolves
   * once its listeners are closed.
   */
  nodeDown(node: string): Promise<void> {
    this.#known(node);
    this.#cluster.setNodeOnline(node, false);
    return this.#syncAll(node);
  }

  /** The node is back (the domain decides how it boots); resolves once it listens again. */
  nodeUp(node: string): Promise<void> {
    this.#known(node);
    this.#cluster.setNodeOnline(node, true);
    return this.#syncAll(node);
  }

  /**
   * Only pveproxy on that node stops: its address refuses connections and calls proxied to it
   * through other nodes get `595 Connection refused`; the node stays in the cluster.
   */
  apiDown(node: string): Promise<void> {
    this.#known(node);
    this.#apiDownFault.add(node);
    return this.#updateApi(node);
  }

  apiUp(node: string): Promise<void> {
    this.#known(node);
    this.#apiDownFault.delete(node);
    return this.#updateApi(node);
  }

  /**
   * Not a fault: a package upgrade restarting pveproxy (pve-manager's postinst) stops it and
   * starts it again. Kept apart from apiDown, so the restart never ends a fault set by a test.
   */
  setPveproxyRunning(node: string, running: boolean): Promise<void> {
    this.#known(node);
    if (running) this.#pveproxyRestarting.delete(node);
    else this.#pveproxyRestarting.add(node);
    return this.#updateApi(node);
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

  /**
   * The next `apt-get … dist-upgrade` over SSH on the node that has packages to install fails:
   * partial output, then dpkg's error (`message`, default: pve-manager's postinst failed) and
   * `E: Sub-process /usr/bin/dpkg returned an error code (1)` on stderr, exit status 100.
   * Nothing counts as installed.
   */
  failNextUpgrade(node: string, message?: string): void {
    this.#known(node);
    if (!this.#cluster.failNextUpgrade) throw new Error('this simulated cluster has no package upgrades');
    this.#cluster.failNextUpgrade(node, message);
  }

  /**
   * The node's sshd presents a NEW host key (as after a reinstall): a client checking the
   * known_hosts the simulator wrote must refuse it. Open connections to it are dropped.
   * `ssh.knownHosts` and `ssh.hostKeys` keep the old key. Returns the new public key.
   */
  changeSshHostKey(node: string): string {
    this.#known(node);
    return this.#changeSshHostKey(node);
  }

  /** Only sshd on the node stops: connections to its SSH port are refused, open ones dropped. */
  sshDown(node: string): Promise<void> {
    this.#known(node);
    this.#sshDown.add(node);
    return this.#syncSsh(node);
  }

  sshUp(node: string): Promise<void> {
    this.#known(node);
    this.#sshDown.delete(node);
    return this.#syncSsh(node);
  }

  isSshDown(node: string): boolean {
    return this.#sshDown.has(node);
  }

  async #syncAll(node: string): Promise<void> {
    await Promise.all([this.#syncListener(node), this.#syncSsh(node)]);
  }

  #updateApi(node: string): Promise<void> {
    if (this.#apiDownFault.has(node) || this.#pveproxyRestarting.has(node)) this.#apiDown.add(node);
    else this.#apiDown.delete(node);
    return this.#syncListener(node);
  }

  #known(node: string): void {
    if (!this.#cluster.nodeNames().includes(node)) {
      throw new Error(`unknown node '${node}' (nodes: ${this.#cluster.nodeNames().join(', ')})`);
    }
  }
}
