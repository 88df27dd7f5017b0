// PVE's answers on one user and path, reused for the policy's `identities.cacheSeconds` (30 s by
// default): a command names a handful of paths, an approval the same ones again, and a burst of
// commands by one person the same ones many times. Concurrent asks for the same user and path share
// one read; a failed read is not kept. A grant in PVE is seen once the cached answer expires,
// without a restart (docs/permissions.md).
import type { PermissionsPort } from '../ports.js';

interface Entry<T> {
  at: number;
  value: Promise<T>;
}

export class PermissionCache {
  readonly #port: PermissionsPort;
  readonly #ttlMs: () => number;
  readonly #now: () => number;
  readonly #privileges = new Map<string, Entry<Record<string, boolean>>>();
  #roles: Entry<Array<{ roleid: string; privs?: string | undefined }>> | undefined;
  #major: Entry<number> | undefined;

  constructor(port: PermissionsPort, ttlMs: () => number, now: () => number) {
    this.#port = port;
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  privilegesOf(userid: string, path: string): Promise<Record<string, boolean>> {
    const key = `${userid}\u0000${path}`;
    const entry = this.#fresh(this.#privileges.get(key), () => this.#port.privilegesOf(userid, path));
    this.#privileges.set(key, entry);
    // Bounded: expired answers go once the map grows (a busy bot sees few users and paths).
    if (this.#privileges.size > 5_000) this.#sweep();
    return this.#settled(entry, () => {
      if (this.#privileges.get(key) === entry) this.#privileges.delete(key);
    });
  }

  roles() {
    const entry = this.#fresh(this.#roles, () => this.#port.roles());
    this.#roles = entry;
    return this.#settled(entry, () => {
      if (this.#roles === entry) this.#roles = undefined;
    });
  }

  pveMajor(): Promise<number> {
    const entry = this.#fresh(this.#major, () => this.#port.pveMajor());
    this.#major = entry;
    return this.#settled(entry, () => {
      if (this.#major === entry) this.#major = undefined;
    });
  }

  #fresh<T>(entry: Entry<T> | undefined, read: () => Promise<T>): Entry<T> {
    const now = this.#now();
    if (entry && now - entry.at < this.#ttlMs()) return entry;
    return { at: now, value: read() };
  }

  /** A failed read is forgotten, so the next ask reads again. */
  #settled<T>(entry: Entry<T>, forget: () => void): Promise<T> {
    return entry.value.catch((error: unknown) => {
      forget();
      throw error;
    });
  }

  #sweep(): void {
    const now = this.#now();
    for (const [key, entry] of this.#privileges)
      if (now - entry.at >= this.#ttlMs()) this.#privileges.delete(key);
  }
}
