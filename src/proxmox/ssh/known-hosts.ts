// An OpenSSH known_hosts file, read once: which host keys each node may present. The runner
// checks every node's key against it before it sends anything, so a node cannot be impersonated
// to receive root commands. See sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT".
import { hostFieldMatches, knownHostsName } from './host-pattern.js';
import { keyBlobType } from './key-blob.js';

export interface HostKey {
  /** The key type as known_hosts names it, e.g. `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`. */
  type: string;
  /** The public key blob in SSH wire format, as the server sends it during key exchange. */
  key: Buffer;
}

interface Entry extends HostKey {
  hosts: string;
  revoked: boolean;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export class KnownHosts {
  /** Where the entries came from (the file name), for messages that tell an operator what to edit. */
  readonly source: string;
  /** Lines that were skipped as malformed, `source:line: why`; worth a warning at start-up. */
  readonly warnings: readonly string[];
  readonly #entries: readonly Entry[];

  private constructor(source: string, entries: Entry[], warnings: string[]) {
    this.source = source;
    this.#entries = entries;
    this.warnings = warnings;
  }

  static parse(text: string, source = 'known_hosts'): KnownHosts {
    const entries: Entry[] = [];
    const warnings: string[] = [];
    text.split(/\r?\n/).forEach((raw, index) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const fields = line.split(/\s+/);
      let revoked = false;
      if (fields[0]?.startsWith('@')) {
        const marker = fields.shift();
        // We do not verify host certificates, so a CA line grants nothing here.
        if (marker === '@cert-authority') return;
        if (marker !== '@revoked') {
          warnings.push(`${source}:${index + 1}: unknown marker ${marker}, line ignored`);
          return;
        }
        revoked = true;
      }
      const [hosts, type, base64] = fields;
      if (!hosts || !type || !base64 || !BASE64.test(base64)) {
        warnings.push(`${source}:${index + 1}: not "hosts keytype base64-key", line ignored`);
        return;
      }
      const key = Buffer.from(base64, 'base64');
      if (keyBlobType(key) !== type) {
        warnings.push(`${source}:${index + 1}: the key is not a ${type} key, line ignored`);
        return;
      }
      entries.push({ hosts, type, key, revoked });
    });
    return new KnownHosts(source, entries, warnings);
  }

  /** The keys `host` may present on `port`: matching entries, minus any key revoked for it. */
  keysFor(host: string, port: number): HostKey[] {
    const revoked = this.revokedKeysFor(host, port);
    const keys: HostKey[] = [];
    for (const entry of this.#matching(host, port)) {
      if (entry.revoked || revoked.some((r) => r.key.equals(entry.key))) continue;
      if (keys.some((k) => k.key.equals(entry.key))) continue;
      keys.push({ type: entry.type, key: entry.key });
    }
    return keys;
  }

  /** Keys marked `@revoked` for `host`: never accepted, whatever else the file says. */
  revokedKeysFor(host: string, port: number): HostKey[] {
    return this.#matching(host, port)
      .filter((entry) => entry.revoked)
      .map(({ type, key }) => ({ type, key }));
  }

  #matching(host: string, port: number): Entry[] {
    const name = knownHostsName(host, port);
    return this.#entries.filter((entry) => hostFieldMatches(name, entry.hosts));
  }
}
