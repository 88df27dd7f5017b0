// Opens one SSH connection to a node: host key checked against known_hosts during key exchange,
// before authentication, so nothing (not even our user name) reaches a node we cannot verify.
import type { Client } from 'ssh2';
import type { Logger } from '../../logger.js';
import {
  type ConnectAttempt,
  connectError,
  endpointOf,
  type HostKeyRefusal,
  hostKeyError,
} from './connect-error.js';
import { checkHostKey, hostKeyAlgorithms } from './host-key-check.js';
import type { KnownHosts } from './known-hosts.js';
import { SshError } from './ssh-error.js';

export interface ConnectSshOptions extends Omit<ConnectAttempt, 'knownKeyTypes' | 'knownHostsFile'> {
  privateKey: Buffer | string;
  knownHosts: KnownHosts;
  /** SSH keepalives: a node that vanished (power cut, reboot without FIN) is noticed this often. */
  keepaliveIntervalMs: number;
  logger: Logger;
}

// Unanswered keepalives before the connection counts as dead.
const KEEPALIVE_COUNT_MAX = 3;

/** Resolves once `client` is authenticated and ready for commands; rejects with an SshError. */
export function connectSsh(client: Client, options: ConnectSshOptions): Promise<void> {
  const { node, host, port, knownHosts, logger } = options;
  const known = knownHosts.keysFor(host, port);
  const attempt: ConnectAttempt = {
    node,
    host,
    port,
    user: options.user,
    keyFile: options.keyFile,
    knownHostsFile: knownHosts.source,
    knownKeyTypes: [...new Set(known.map((k) => k.type))],
    connectTimeoutMs: options.connectTimeoutMs,
  };
  const serverHostKey = hostKeyAlgorithms(known);

  return new Promise<void>((resolve, reject) => {
    let refusal: HostKeyRefusal | undefined;
    let settled = false;
    const settle = (error?: SshError) => {
      if (settled) return;
      settled = true;
      client.off('ready', onReady);
      client.off('close', onClose);
      if (error) reject(error);
      else resolve();
    };
    const onReady = () => {
      logger.debug({ node, endpoint: endpointOf(host, port) }, 'ssh connection ready');
      settle();
    };
    // Stays for the connection's life: ssh2 also emits errors after `ready` (keepalive timeout,
    // reset), and an EventEmitter error without a listener would crash the process. `close`
    // follows each of them, which is what the runner watches.
    const onError = (error: Error & { level?: string }) => {
      if (!settled) {
        settle(refusal ? hostKeyError(attempt, refusal) : connectError(attempt, error));
        return;
      }
      logger.debug({ node, error: error.message, level: error.level }, 'ssh connection error');
    };
    const onClose = () =>
      settle(
        refusal
          ? hostKeyError(attempt, refusal)
          : new SshError({
              code: 'SSH_CONNECTION',
              node,
              transient: true,
              message: `${node} (${endpointOf(host, port)}) closed the SSH connection before it was ready`,
            }),
      );
    client.on('error', onError);
    client.once('ready', onReady);
    client.once('close', onClose);

    try {
      client.connect({
        host,
        port,
        username: options.user,
        // Key authentication only: no password, no agent, no keyboard-interactive.
        privateKey: options.privateKey,
        tryKeyboard: false,
        hostVerifier: (presented: Buffer) => {
          const verdict = checkHostKey(knownHosts, host, port, presented);
          if (verdict === 'trusted') return true;
          refusal = { verdict, presented };
          return false;
        },
        ...(serverHostKey ? { algorithms: { serverHostKey } } : {}),
        readyTimeout: options.connectTimeoutMs,
        keepaliveInterval: options.keepaliveIntervalMs,
        keepaliveCountMax: KEEPALIVE_COUNT_MAX,
      });
      // SSH exchanges many small packets (channel open, exec, replies); with Nagle's algorithm each
      // round trip waits for a delayed ACK, some 40 ms.
      client.setNoDelay(true);
    } catch (error) {
      // ssh2 checks its configuration synchronously; the runner validated the key before.
      settle(
        new SshError({
          code: 'SSH_CONNECTION',
          node,
          cause: error,
          message: `cannot connect to ${node} over SSH: ${error instanceof Error ? error.message : String(error)}`,
        }),
      );
    }
  });
}
