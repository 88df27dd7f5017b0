// Every node's sshd on ONE port number, each on the node's own address, so a single SSH_PORT
// reaches the whole cluster. The port is found by binding the first node (the port asked for,
// or any free one) and then the same number on the other addresses; when one of those is taken,
// it starts over with another free port.
import type { Logger } from '../../logger.js';
import type { RecordedSshCommand } from '../types.js';
import type { SimCommandRegistry } from './command-registry.js';
import { runExec } from './run-exec.js';
import { generateEd25519, knownHostsLine, parseSshKey, type SshKeyPair } from './ssh-keys.js';
import { SshNodeServer } from './ssh-node-server.js';

/** How many free ports to try when another process holds the first one on some node's address. */
const PORT_ATTEMPTS = 5;

export interface SshServersOptions {
  nodes: Array<{ node: string; address: string }>;
  /** The port on every node's address; 0 picks a free one (the same on all nodes). */
  port: number;
  user: string;
  clientKey: SshKeyPair;
  registry: SimCommandRegistry;
  record: RecordedSshCommand[];
  setApiRunning(node: string, running: boolean): Promise<void>;
  logger: Logger;
}

export class SimSshServers {
  /** The host keys published at start-up (known_hosts); a changed key does not show here. */
  readonly hostKeys: ReadonlyMap<string, SshKeyPair>;
  readonly #servers = new Map<string, SshNodeServer>();
  readonly #addresses = new Map<string, string>();
  #port = 0;

  private constructor(options: SshServersOptions) {
    const clientKey = parseSshKey(options.clientKey.privateKey);
    const hostKeys = new Map<string, SshKeyPair>();
    for (const { node, address } of options.nodes) {
      const hostKey = generateEd25519();
      hostKeys.set(node, hostKey);
      this.#addresses.set(node, address);
      this.#servers.set(
        node,
        new SshNodeServer({
          node,
          address,
          hostKey: hostKey.privateKey,
          user: options.user,
          clientKey,
          onExec: (exec) => {
            void runExec(
              { node, ...exec },
              {
                registry: options.registry,
                record: options.record,
                setApiRunning: options.setApiRunning,
                logger: options.logger,
              },
            );
          },
        }),
      );
    }
    this.hostKeys = hostKeys;
  }

  /** Makes the host keys and binds every node; rejects with the listen error (EADDRINUSE…). */
  static async start(options: SshServersOptions): Promise<SimSshServers> {
    if (options.nodes.length === 0) throw new Error('no nodes to serve SSH on');
    const servers = new SimSshServers(options);
    try {
      await servers.#bindAll(options.port);
    } catch (error) {
      await servers.destroy();
      throw error;
    }
    return servers;
  }

  get port(): number {
    return this.#port;
  }

  /** known_hosts for the whole cluster: `[address]:port,[node]:port ssh-ed25519 AAAA…` per node. */
  knownHosts(): string {
    const lines = [...this.hostKeys].map(([node, key]) =>
      knownHostsLine([this.#addresses.get(node) ?? node, node], this.#port, key.publicKey),
    );
    return `${lines.join('\n')}\n`;
  }

  /** Opens or closes the node's listener (closing drops its connections and kills their commands). */
  sync(node: string, listening: boolean): Promise<void> {
    const server = this.#server(node);
    return listening ? server.open(this.#port) : server.close();
  }

  /** The node's sshd presents a new host key from now on; returns it (`ssh-ed25519 AAAA…`). */
  changeHostKey(node: string): string {
    const key = generateEd25519();
    this.#server(node).useHostKey(key.privateKey);
    return key.publicKey;
  }

  async destroy(): Promise<void> {
    await Promise.all([...this.#servers.values()].map((server) => server.destroy()));
  }

  #server(node: string): SshNodeServer {
    const server = this.#servers.get(node);
    if (!server) throw new Error(`no SSH server for node '${node}'`);
    return server;
  }

  async #bindAll(requested: number): Promise<void> {
    const [first, ...rest] = [...this.#servers.values()];
    if (!first) return;
    let lastError: unknown;
    for (let attempt = 0; attempt < (requested === 0 ? PORT_ATTEMPTS : 1); attempt += 1) {
      await first.open(requested);
      try {
        for (const server of rest) await server.open(first.port);
        this.#port = first.port;
        return;
      } catch (error) {
        lastError = error;
        await this.destroy();
        // A port asked for by number is not swapped for another behind the user's back.
        if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || requested !== 0) throw error;
      }
    }
    throw lastError;
  }
}
