// The host key decision for one node: what to offer in key exchange, and whether the key the
// node presented is the one known_hosts lists.
import { createHash } from 'node:crypto';
import type { ServerHostKeyAlgorithm } from 'ssh2';
import type { HostKey, KnownHosts } from './known-hosts.js';

export type HostKeyVerdict = 'trusted' | 'unknown' | 'changed' | 'revoked';

export function checkHostKey(
  knownHosts: KnownHosts,
  host: string,
  port: number,
  presented: Buffer,
): HostKeyVerdict {
  if (knownHosts.revokedKeysFor(host, port).some((k) => k.key.equals(presented))) return 'revoked';
  const known = knownHosts.keysFor(host, port);
  if (known.length === 0) return 'unknown';
  return known.some((k) => k.key.equals(presented)) ? 'trusted' : 'changed';
}

// The signature algorithms that prove possession of a key of each known_hosts type, in order of
// preference (RSA keys sign with SHA-2 since RFC 8332; `ssh-rsa` is the SHA-1 fallback).
const ALGORITHMS_BY_KEY_TYPE: Record<string, ServerHostKeyAlgorithm[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
  'ssh-dss': ['ssh-dss'],
};

/**
 * The host key algorithms to offer a node: only those of the key types known_hosts lists for it.
 * A node that has an RSA key too would otherwise be free to present that one, and a good
 * ed25519 entry would look "changed". Undefined (ssh2's defaults) when nothing usable is listed.
 */
export function hostKeyAlgorithms(known: HostKey[]): ServerHostKeyAlgorithm[] | undefined {
  const types = new Set(known.map((k) => k.type));
  const algorithms = Object.entries(ALGORITHMS_BY_KEY_TYPE)
    .filter(([type]) => types.has(type))
    .flatMap(([, list]) => list);
  return algorithms.length > 0 ? algorithms : undefined;
}

/** `SHA256:…` as `ssh-keygen -lf` prints it, so an operator can compare with the node's own key. */
export function hostKeyFingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}
