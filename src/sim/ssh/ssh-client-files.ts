// The client key and known_hosts as files, for `env()` without an env file: SSH_KEY_FILE and
// SSH_KNOWN_HOSTS must name files that exist. Written on first use into a private temporary
// directory and removed when the simulator stops.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SshEnvFiles {
  /** The client's private key (OpenSSH PEM, mode 0600). */
  keyFile: string;
  /** known_hosts with every node's host key. */
  knownHostsFile: string;
}

export class SshClientFiles {
  readonly #privateKey: string;
  readonly #knownHosts: string;
  #files: SshEnvFiles | undefined;
  #dir: string | undefined;

  constructor(privateKey: string, knownHosts: string) {
    this.#privateKey = privateKey;
    this.#knownHosts = knownHosts;
  }

  /** The files, written on the first call (synchronously, as env() is). */
  files(): SshEnvFiles {
    if (this.#files) return this.#files;
    // mkdtemp makes the directory 0700: nobody else can read the key even for a moment.
    const dir = mkdtempSync(join(tmpdir(), 'pve-sim-ssh-'));
    this.#dir = dir;
    const files = { keyFile: join(dir, 'id_ed25519'), knownHostsFile: join(dir, 'known_hosts') };
    writeFileSync(files.keyFile, this.#privateKey, { mode: 0o600 });
    writeFileSync(files.knownHostsFile, this.#knownHosts, { mode: 0o644 });
    this.#files = files;
    return files;
  }

  async remove(): Promise<void> {
    if (this.#dir) await rm(this.#dir, { recursive: true, force: true });
  }
}
