// The audit log: append-only, each record chained to the one before by SHA-256, so an edited,
// deleted or dropped record shows in verify(). A Redis LIST holds the records in order and a
// separate key the hash of the newest one (the head). Appends are a compare-and-append in Lua: a
// record is built on the head it saw and pushed only if that is still the head, else rebuilt on
// the new one; appends from one process go one at a time, so retries happen only across processes.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { canonicalJson } from './canonical-json.js';

export interface AuditEntry {
  /** Who: a platform-qualified identity (`slack:U0123ABC`) or a process (`worker`). */
  actor: string;
  /** The actor's PVE user, when the policy's identities map them (`alice@pve`). */
  pveUser?: string;
  /** `request`, `approve`, `deny`, `cancel`, `refused`, `job-result`, … */
  action: string;
  command?: string;
  summary: string;
  approvalId?: string;
  jobId?: string;
  upids?: string[];
  result?: 'ok' | 'failed' | 'refused';
  details?: Record<string, unknown>;
}

export interface AuditRecord extends AuditEntry {
  /** Position in the log, from 0. */
  seq: number;
  /** When it was appended (ms). */
  at: number;
  /** The hash of the record before (64 zeros for the first). */
  prev: string;
  /** SHA-256 (hex) of the canonical JSON of every other field. */
  hash: string;
}

export type AuditVerification =
  | { ok: true; count: number }
  | { ok: false; count: number; index: number; reason: string };

export interface AuditLogOptions {
  /** Keys are `${prefix}:audit` (the list) and `${prefix}:audit:head`. */
  prefix: string;
  clock?: () => number;
}

export const GENESIS_HASH = '0'.repeat(64);
const MAX_ATTEMPTS = 1_000;
const VERIFY_CHUNK = 500;

// append-2
// KEYS[1]: the list; KEYS[2]: the head. ARGV[1]: the head the record was built on; ARGV[2]: the
// record JSON; ARGV[3]: its hash.
// Output: {1} when appended; {0, head, newest record JSON} when the head moved (nothing changed).
const APPEND = `
local head = redis.call('GET', KEYS[2]) or '${GENESIS_HASH}'
if head ~= ARGV[1] then return {0, head, redis.call('LINDEX', KEYS[1], -1) or ''} end
redis.call('RPUSH', KEYS[1], ARGV[2])
redis.call('SET', KEYS[2], ARGV[3])
return {1}`;

/** The hash a record must carry: SHA-256 of the canonical JSON of everything but `hash`. */
export function hashAuditRecord(record: Omit<AuditRecord, 'hash'> & { hash?: string }): string {
  const { hash: _hash, ...rest } = record;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

export class AuditLog {
  readonly #redis: Redis;
  readonly #list: string;
  readonly #head: string;
  readonly #clock: () => number;
  /** The head and next seq as this process last saw them; refreshed by a failed compare. */
  #tail: { head: string; seq: number } | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(redis: Redis, options: AuditLogOptions) {
    this.#redis = redis;
    this.#list = `${options.prefix}:audit`;
    this.#head = `${options.prefix}:audit:head`;
    this.#clock = options.clock ?? Date.now;
  }

  /** Appends one record after every record appended before it, from any process. */
  append(entry: AuditEntry): Promise<AuditRecord> {
    const next = this.#queue.then(() => this.#append(entry));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #append(entry: AuditEntry): Promise<AuditRecord> {
    // Round-trip through JSON first: what is hashed is exactly what is stored and read back.
    const data = JSON.parse(JSON.stringify(entry)) as AuditEntry;
    let tail = this.#tail ?? (await this.#readTail());
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const unhashed = { ...data, seq: tail.seq, at: this.#clock(), prev: tail.head };
      const record: AuditRecord = { ...unhashed, hash: hashAuditRecord(unhashed) };
      const reply = (await this.#redis.eval(
        APPEND,
        2,
        this.#list,
        this.#head,
        tail.head,
        JSON.stringify(record),
        record.hash,
      )) as [number, string?, string?];
      if (reply[0] === 1) {
        this.#tail = { head: record.hash, seq: record.seq + 1 };
        return record;
      }
      tail = await this.#tailFrom(reply[1] ?? GENESIS_HASH, reply[2] ?? '');
    }
    this.#tail = undefined;
    throw new Error(
      `audit append lost the race ${MAX_ATTEMPTS} times in a row; is something rewriting ${this.#head}?`,
    );
  }

  async #readTail(): Promise<{ head: string; seq: number }> {
    const [head, last] = await Promise.all([this.#redis.get(this.#head), this.#redis.lindex(this.#list, -1)]);
    return this.#tailFrom(head ?? GENESIS_HASH, last ?? '');
  }

  /** The next seq follows the newest record; if that cannot be read, the list length stands in. */
  async #tailFrom(head: string, lastJson: string): Promise<{ head: string; seq: number }> {
    if (lastJson === '') return { head, seq: 0 };
    try {
      const seq = (JSON.parse(lastJson) as AuditRecord).seq;
      if (Number.isInteger(seq)) return { head, seq: seq + 1 };
    } catch {
      // An unreadable newest record: verify() reports it; appending goes on after it.
    }
    return { head, seq: await this.#redis.llen(this.#list) };
  }

  /** The newest `n` records, newest first. */
  async latest(n: number): Promise<AuditRecord[]> {
    if (!Number.isInteger(n) || n < 1) return [];
    const raw = await this.#redis.lrange(this.#list, -n, -1);
    return raw.reverse().map((json) => {
      try {
        return JSON.parse(json) as AuditRecord;
      } catch {
        return {
          actor: 'audit',
          action: 'unreadable',
          summary: 'this record is not valid JSON; run pve-chatops audit verify',
          seq: -1,
          at: 0,
          prev: '',
          hash: '',
        };
      }
    });
  }

  /**
   * Walks the whole log: every record must match its own hash (else it was edited), carry the
   * hash of the record before (else one was deleted or replaced) and its position as seq, and the
   * head must be the newest record's hash (else records were removed from the end).
   */
  async verify(): Promise<AuditVerification> {
    const replies = await this.#redis.multi().get(this.#head).llen(this.#list).exec();
    const head = (replies?.[0]?.[1] as string | null) ?? GENESIS_HASH;
    const count = (replies?.[1]?.[1] as number | undefined) ?? 0;
    const broken = (index: number, reason: string): AuditVerification => ({
      ok: false,
      count,
      index,
      reason,
    });
    let prev = GENESIS_HASH;
    for (let start = 0; start < count; start += VERIFY_CHUNK) {
      const chunk = await this.#redis.lrange(this.#list, start, Math.min(start + VERIFY_CHUNK, count) - 1);
      for (const [offset, json] of chunk.entries()) {
        const index = start + offset;
        let record: AuditRecord;
        try {
          record = JSON.parse(json) as AuditRecord;
        } catch {
          return broken(index, `record ${index} is not valid JSON: it was edited`);
        }
        if (typeof record !== 'object' || record === null || record.hash !== hashAuditRecord(record)) {
          return broken(index, `record ${index} does not match its hash: it was edited after it was written`);
        }
        if (record.seq !== index) {
          return broken(
            index,
            record.seq > index
              ? `record ${index} carries seq ${record.seq}: ${record.seq - index} record(s) before it were deleted`
              : `record ${index} carries seq ${record.seq}: records were reordered or copied`,
          );
        }
        if (record.prev !== prev) {
          return broken(
            index,
            `record ${index} does not chain to the record before it: a record before it was deleted or replaced`,
          );
        }
        prev = record.hash;
      }
    }
    if (head !== prev) {
      return broken(
        count,
        `the head names a record after the last one (${count} records): records were removed from the end`,
      );
    }
    return { ok: true, count };
  }
}
