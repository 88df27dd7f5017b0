// The simulated cluster's SSH keys: one ed25519 host key per node (as /etc/ssh/ssh_host_ed25519_key)
// and the client key pair the bot logs in with, all made fresh at every start, plus the
// known_hosts text that pins each node's host key under its address and its name.
import type { ParsedKey } from 'ssh2';
import ssh2 from 'ssh2';

export interface SshKeyPair {
  /** OpenSSH PEM (`-----BEGIN OPENSSH PRIVATE KEY-----`), unencrypted. */
  privateKey: string;
  /** `ssh-ed25519 AAAA…`, as in a .pub file or known_hosts, without a comment. */
  publicKey: string;
}

/**
 * A fresh ed25519 key pair. ssh2's generator drops a leading zero byte of the key (about one
 * key in 200), which its own parser then refuses as malformed: such keys are thrown away.
 */
export function generateEd25519(): SshKeyPair {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519');
    const parsedPrivate = ssh2.utils.parseKey(pair.private);
    const parsedPublic = ssh2.utils.parseKey(pair.public);
    if (parsedPrivate instanceof Error || parsedPublic instanceof Error) continue;
    const key = Array.isArray(parsedPrivate) ? parsedPrivate[0] : parsedPrivate;
    const pub = Array.isArray(parsedPublic) ? parsedPublic[0] : parsedPublic;
    if (!key || !pub || !key.getPublicSSH().equals(pub.getPublicSSH())) continue;
    return { privateKey: pair.private, publicKey: pair.public.trim() };
  }
  throw new Error('could not generate a valid ed25519 key');
}

/** The parsed key, for signature checks and comparisons; the key must be one we generated. */
export function parseSshKey(text: string): ParsedKey {
  const parsed = ssh2.utils.parseKey(text);
  if (parsed instanceof Error) throw new Error(`cannot parse SSH key: ${parsed.message}`);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key) throw new Error('cannot parse SSH key: no key found');
  return key;
}

/** `ssh-ed25519 AAAA…` of any key we hold (public or private). */
export function publicKeyLine(key: ParsedKey): string {
  return `${key.type} ${key.getPublicSSH().toString('base64')}`;
}

/**
 * One known_hosts line for a node: OpenSSH writes hosts on a port other than 22 as
 * `[host]:port`, and a line may list several names for the same key.
 */
export function knownHostsLine(hosts: string[], port: number, publicKey: string): string {
  const names = hosts.map((host) => (port === 22 ? host : `[${host}]:${port}`));
  return `${names.join(',')} ${publicKey}`;
}
