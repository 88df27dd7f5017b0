// What went wrong while connecting to a node, in words an operator can act on. ssh2 tells its
// failures apart by `level` (and, for a few, only by message); this is the one place that reads them.
import { hostKeyFingerprint } from './host-key-check.js';
import { keyBlobType } from './key-blob.js';
import { SshError } from './ssh-error.js';

export interface ConnectAttempt {
  node: string;
  host: string;
  port: number;
  user: string;
  /** The private key file, or a description of the key when it did not come from a file. */
  keyFile: string;
  /** The known_hosts file. */
  knownHostsFile: string;
  /** Key types known_hosts lists for the node (what we offered in key exchange). */
  knownKeyTypes: string[];
  connectTimeoutMs: number;
}

/** Why the host key check refused the node, recorded by the host verifier for the error. */
export interface HostKeyRefusal {
  verdict: 'unknown' | 'changed' | 'revoked';
  presented: Buffer;
}

export function endpointOf(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Where sshd keeps the public half of a host key of this blob's type. */
function hostKeyPath(blob: Buffer): string {
  const type = keyBlobType(blob) ?? '';
  const name =
    type === 'ssh-ed25519'
      ? 'ed25519'
      : type.startsWith('ecdsa-')
        ? 'ecdsa'
        : type === 'ssh-rsa'
          ? 'rsa'
          : '*';
  return `/etc/ssh/ssh_host_${name}_key.pub`;
}

export function hostKeyError(attempt: ConnectAttempt, refusal: HostKeyRefusal): SshError {
  const { node, host, port, knownHostsFile: file } = attempt;
  const where = `${node} (${endpointOf(host, port)})`;
  const fingerprint = hostKeyFingerprint(refusal.presented);
  switch (refusal.verdict) {
    case 'unknown':
      return new SshError({
        code: 'SSH_HOST_KEY_UNKNOWN',
        node,
        message:
          `${where} is not in ${file}, so nothing was sent to it. Check the key it presents ` +
          `(${fingerprint}) against the node itself (ssh-keygen -lf ${hostKeyPath(refusal.presented)} ` +
          `on its console), then add it: ssh-keyscan -p ${port} ${host} >> ${file}`,
      });
    case 'revoked':
      return new SshError({
        code: 'SSH_HOST_KEY_CHANGED',
        node,
        message:
          `the host key of ${where} (${fingerprint}) is marked @revoked in ${file}: refused. ` +
          `Give the node a new host key, then update ${file}`,
      });
    case 'changed':
      return new SshError({
        code: 'SSH_HOST_KEY_CHANGED',
        node,
        message:
          `the host key of ${where} is not the one in ${file}: it changed, or someone is in between; ` +
          `check it (it presents ${fingerprint}) and update ${file}`,
      });
  }
}

function errorText(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && !error.message.includes(code)
    ? `${code} ${error.message}`
    : error.message;
}

/** Maps an error ssh2 emitted before the connection was ready. Nothing has run on the node yet. */
export function connectError(attempt: ConnectAttempt, error: Error & { level?: string }): SshError {
  const { node, host, port, user, keyFile, knownHostsFile } = attempt;
  const where = `${node} (${endpointOf(host, port)})`;
  if (error.message === 'Handshake failed: no matching host key format') {
    return new SshError({
      code: 'SSH_HOST_KEY_CHANGED',
      node,
      cause: error,
      message:
        `${where} has none of the host key types ${knownHostsFile} lists for it ` +
        `(${attempt.knownKeyTypes.join(', ')}): its keys changed; check them and update ${knownHostsFile}`,
    });
  }
  switch (error.level) {
    case 'client-authentication':
      return new SshError({
        code: 'SSH_AUTH_FAILED',
        node,
        cause: error,
        message:
          `${where} refused the key ${keyFile} for user ${user}: add its public key to ${user}'s ` +
          `authorized_keys on the node (on PVE, /etc/pve/priv/authorized_keys serves every node of the cluster)`,
      });
    case 'client-timeout':
      return new SshError({
        code: 'SSH_TIMEOUT',
        node,
        transient: true,
        cause: error,
        message: `no SSH handshake with ${where} within ${attempt.connectTimeoutMs} ms: is the node up and sshd listening on port ${port}?`,
      });
    case 'handshake':
      // The two sides share no algorithm: retrying will not change that.
      return new SshError({
        code: 'SSH_CONNECTION',
        node,
        cause: error,
        message: `the SSH handshake with ${where} failed: ${error.message}`,
      });
    default:
      // Refused, unreachable, reset, closed before the handshake: a node that is (re)booting.
      return new SshError({
        code: 'SSH_CONNECTION',
        node,
        transient: true,
        cause: error,
        message: `cannot connect to ${where} over SSH: ${errorText(error)}`,
      });
  }
}
