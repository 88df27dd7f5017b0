// The names people type, kept from the last cluster read so autocomplete answers every keystroke
// from memory: Discord allows 3 seconds per answer and a person types faster than PVE should be
// asked. Stale names are served while a refresh runs in the background (stale-while-revalidate);
// only the very first question waits, briefly, for the first read.

import type { Logger } from '../logger.js';
import type { ClusterSnapshot } from '../proxmox/read-cluster-snapshot.js';
import type { GuestResource } from '../proxmox/schemas/cluster-schemas.js';

export type SuggestionKind = 'guest' | 'node' | 'guest-or-node' | 'cluster';

export interface Suggestion {
  /** What the person sees: `TestVM (100) · node01 · running`. */
  label: string;
  /** What is filled in: the name, or the vmid when the name is not unique. */
  value: string;
}

export interface ClusterDirectoryOptions {
  readCluster: () => Promise<ClusterSnapshot>;
  /** Names older than this are refreshed in the background when asked for. Default 30 s. */
  maxAgeMs?: number;
  /** How long the first question waits for the first read. Default 2 s. */
  firstReadWaitMs?: number;
  logger?: Logger;
  clock?: () => number;
}

interface Entry {
  label: string;
  value: string;
  /** Lower-case words this entry matches on: the name, the vmid, the node name. */
  keys: string[];
}

interface Names {
  guests: Entry[];
  nodes: Entry[];
  readAt: number;
}

const MAX_SUGGESTIONS = 25;

export class ClusterDirectory {
  readonly #o: Required<Omit<ClusterDirectoryOptions, 'logger'>> & Pick<ClusterDirectoryOptions, 'logger'>;
  #names: Names | undefined;
  #refreshing: Promise<void> | undefined;

  constructor(options: ClusterDirectoryOptions) {
    this.#o = { maxAgeMs: 30_000, firstReadWaitMs: 2_000, clock: Date.now, ...options };
  }

  /** Keeps the names from a read made for another reason (a command), saving a read. */
  remember(snapshot: ClusterSnapshot): void {
    this.#names = namesOf(snapshot, this.#o.clock());
  }

  /** Up to 25 suggestions for what was typed so far: prefix matches first, then substrings. */
  async suggest(kind: SuggestionKind, typed: string): Promise<Suggestion[]> {
    const names = await this.#current();
    if (!names) return [];
    const entries =
      kind === 'guest' ? names.guests : kind === 'node' ? names.nodes : [...names.nodes, ...names.guests];
    const wanted = typed.trim().toLowerCase();
    const prefix: Entry[] = [];
    const inside: Entry[] = [];
    for (const entry of entries) {
      if (wanted === '' || entry.keys.some((key) => key.startsWith(wanted))) prefix.push(entry);
      else if (entry.keys.some((key) => key.includes(wanted))) inside.push(entry);
    }
    return [...prefix, ...inside].slice(0, MAX_SUGGESTIONS).map(({ label, value }) => ({ label, value }));
  }

  async #current(): Promise<Names | undefined> {
    const names = this.#names;
    const stale = !names || this.#o.clock() - names.readAt > this.#o.maxAgeMs;
    if (stale) this.#refresh();
    if (names) return names;
    // Nothing read yet: wait for the first read, but never past the platform's deadline.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.#refreshing,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.#o.firstReadWaitMs);
      }),
    ]);
    clearTimeout(timer);
    return this.#names;
  }

  #refresh(): void {
    if (this.#refreshing) return;
    this.#refreshing = this.#o
      .readCluster()
      .then((snapshot) => this.remember(snapshot))
      .catch((error: unknown) => {
        this.#o.logger?.warn(
          { error: error instanceof Error ? error.message : String(error) },
          'cannot refresh the names for autocomplete; keeping the last ones',
        );
      })
      .finally(() => {
        this.#refreshing = undefined;
      });
  }
}

function namesOf(snapshot: ClusterSnapshot, readAt: number): Names {
  const guests = snapshot.resources.filter((r): r is GuestResource => r.type === 'qemu' || r.type === 'lxc');
  const counts = new Map<string, number>();
  for (const g of guests) {
    if (g.name) counts.set(g.name.toLowerCase(), (counts.get(g.name.toLowerCase()) ?? 0) + 1);
  }
  const guestEntries = guests
    .slice()
    .sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.vmid - b.vmid)
    .map((g): Entry => {
      const unique = g.name !== undefined && counts.get(g.name.toLowerCase()) === 1;
      const kind = g.type === 'lxc' ? 'CT' : 'VM';
      const label = `${g.name ?? `${kind} ${g.vmid}`} (${g.vmid}) · ${g.node} · ${g.template ? 'template' : (g.status ?? 'unknown')}`;
      return {
        label,
        value: unique ? g.name! : String(g.vmid),
        keys: [g.name?.toLowerCase() ?? '', String(g.vmid)].filter(Boolean),
      };
    });
  const nodeEntries = snapshot.status.nodes
    .slice()
    .sort((a, b) => a.name.localeCompare(b.name))
    .map(
      (n): Entry => ({
        label: `${n.name} · ${n.online ? 'online' : 'offline'}`,
        value: n.name,
        keys: [n.name.toLowerCase()],
      }),
    );
  return { guests: guestEntries, nodes: nodeEntries, readAt };
}
