// Command interactions kept in memory while their token works (Discord: 15 minutes), so that an
// answer meant for one person alone that comes later than the command itself (a private job
// result, `cluster join-info`) can still be sent as an ephemeral follow-up: ephemeral messages
// exist only as answers to that person's own interaction. The token stays in this process; the
// ThreadRef carries only the interaction's id.

/** Discord's token lifetime is 15 minutes; a margin keeps a follow-up from racing its expiry. */
const USABLE_FOR_MS = 14 * 60_000;

export class RecentInteractions<T> {
  readonly #entries = new Map<string, { value: T; until: number }>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  remember(id: string, value: T): void {
    const now = this.#now();
    // Oldest first in a Map: stop at the first one still usable.
    for (const [key, entry] of this.#entries) {
      if (entry.until > now) break;
      this.#entries.delete(key);
    }
    this.#entries.set(id, { value, until: now + USABLE_FOR_MS });
  }

  get(id: string | undefined): T | undefined {
    if (id === undefined) return undefined;
    const entry = this.#entries.get(id);
    return entry && entry.until > this.#now() ? entry.value : undefined;
  }
}
