// The durable intake between receiving a chat request and handling it. The receiving process
// verifies and acknowledges the platform's request, then submits it here (one Redis round trip:
// the request id claimed once and the entry appended to a stream, atomically) and is free for
// the next request. Handling (the request message, the cluster read, policy, planning) runs from
// the stream, in this process or in another replica, through one consumer group:
// - at least once: an entry is acknowledged only after its handler resolved; a replica that dies
//   between the ack and the reply leaves it pending, and another replica claims it once it has
//   been idle for claimIdleMs;
// - never twice: the id was claimed at submit, so a replay never enters the stream; a replica
//   still handling an entry keeps renewing its claim (XCLAIM … JUSTID resets the idle time, and
//   only while it still owns the entry), so only a dead or stuck one loses it;
// - not accepted means never run: a submit that timed out was still sent, and a Redis that was
//   only frozen executes it when it resumes; a revoke marker follows it on the same connection
//   (jobs/revoked-submissions.ts explains why that holds), and the consumer drops revoked entries;
// - bounded: each replica handles at most `concurrency` entries at a time, so a burst queues
//   here instead of crowding the event loop that answers the platform's next requests.
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { mayHaveBeenSent, RevokedSubmissions } from '../../jobs/revoked-submissions.js';
import { isStoreUnavailable, StoreUnavailableError } from '../../jobs/store-unavailable.js';
import { type Logger, silentLogger } from '../../logger.js';
import { type IntakeEntry, intakeEntrySchema, requestIdOf } from './intake-entry.js';

export interface CommandIntakeOptions {
  /** Writes the submit goes through: the bot's intake connection (fails fast when Redis is down). */
  submitWith: Redis;
  /** The connection the consumer duplicates for its blocking reads and acknowledgements. */
  readWith: Redis;
  prefix: string;
  /** Unique per replica (hostname and pid): whose pending entries are whose. */
  consumer: string;
  /** Entries handled at once by this replica. Default 8. */
  concurrency?: number;
  /** An entry pending this long without its handler's heartbeat is another replica's to take. Default 15 s. */
  claimIdleMs?: number;
  /** How long a request id is remembered (replays). Default 24 h. */
  requestTtlMs?: number;
  blockMs?: number;
  logger?: Logger;
  clock?: () => number;
}

export type IntakeHandler = (entry: IntakeEntry) => Promise<void>;

/** Deliveries after which an entry whose handler keeps failing is dropped (logged); the person was told each time. */
const MAX_DELIVERIES = 5;
const MAX_BACKOFF_MS = 2_000;
const STREAM_MAX_LENGTH = 100_000;

// KEYS[1] the stream, KEYS[2] the request ledger key (when the request has an id).
// ARGV[1] the entry, ARGV[2] the stream's approximate maximum length, ARGV[3] the claim's value,
// ARGV[4] its ttl in ms. Returns the entry id, or false when the request id was claimed before.
// ARGV[5] the submission (unique per submit call: what a revoke marker names).
const SUBMIT = `
if #KEYS == 2 then
  if not redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[4], 'NX') then return false end
end
return redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'entry', ARGV[1], 'submission', ARGV[5])
`;

// Renews the claim only while this consumer still owns the entry: a replica that stalled past the
// idle time and lost the entry to another must not take it back (both would then handle it).
// KEYS[1] the stream; ARGV[1] the group, ARGV[2] this consumer, ARGV[3] the entry id. 1: renewed.
const RENEW = `
local pending = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
if #pending == 0 or pending[1][2] ~= ARGV[2] then return 0 end
redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], 'JUSTID')
return 1
`;

export function intakeStreamKey(prefix: string): string {
  return `${prefix}:intake`;
}

export class CommandIntake {
  readonly #o: Required<Omit<CommandIntakeOptions, 'logger' | 'clock'>> & {
    logger: Logger;
    clock: () => number;
  };
  readonly #key: string;
  readonly #group = 'bots';
  readonly #revoked: RevokedSubmissions;
  #running:
    | { loop: Promise<void>; abort: AbortController; conn: Redis; inflight: Set<Promise<void>> }
    | undefined;

  constructor(options: CommandIntakeOptions) {
    this.#o = {
      concurrency: 8,
      claimIdleMs: 15_000,
      requestTtlMs: 24 * 3_600_000,
      blockMs: 2_000,
      logger: silentLogger,
      clock: Date.now,
      ...options,
    };
    for (const name of ['concurrency', 'claimIdleMs', 'requestTtlMs', 'blockMs'] as const) {
      const value = this.#o[name];
      if (!Number.isInteger(value) || value < 1)
        throw new RangeError(`CommandIntake: ${name} must be a positive integer, got ${value}`);
    }
    this.#key = intakeStreamKey(options.prefix);
    this.#revoked = new RevokedSubmissions(options.submitWith, options.prefix, this.#o.logger);
  }

  /**
   * Appends the entry, claiming its request id in the same step. `duplicate`: the id was seen
   * before (a replay, a redelivery); nothing was added. Throws when Redis does not confirm: the
   * request is then not accepted, and the caller says so.
   */
  async submit(entry: IntakeEntry): Promise<'accepted' | 'duplicate'> {
    const requestId = requestIdOf(entry);
    const keys =
      requestId === undefined ? [this.#key] : [this.#key, `${this.#o.prefix}:request:${requestId}`];
    const submission = randomUUID();
    try {
      const id = await this.#o.submitWith.eval(
        SUBMIT,
        keys.length,
        ...keys,
        JSON.stringify(entry),
        STREAM_MAX_LENGTH,
        String(this.#o.clock()),
        this.#o.requestTtlMs,
        submission,
      );
      return id ? 'accepted' : 'duplicate';
    } catch (error) {
      // The caller says "not accepted, nothing will run": make it true if the submit lands later.
      if (isStoreUnavailable(error) && mayHaveBeenSent(error)) this.#revoked.revoke(submission);
      throw isStoreUnavailable(error) ? new StoreUnavailableError(message(error), { cause: error }) : error;
    }
  }

  start(handler: IntakeHandler): void {
    if (this.#running) throw new Error('CommandIntake: already started');
    const conn = this.#o.readWith.duplicate({
      connectionName: `${this.#key}:${this.#o.consumer}`.replace(/[^\w.:@-]/g, '_'),
    });
    conn.on('error', (error: Error) =>
      this.#o.logger.debug({ stream: this.#key, error: error.message }, 'intake connection error'),
    );
    const abort = new AbortController();
    const inflight = new Set<Promise<void>>();
    const loop = this.#run(conn, handler, abort.signal, inflight);
    this.#running = { loop, abort, conn, inflight };
  }

  /** Stops taking entries and resolves once the ones being handled are done (and acknowledged). */
  async stop(): Promise<void> {
    const running = this.#running;
    if (!running) return;
    running.abort.abort();
    await running.loop;
    await Promise.allSettled([...running.inflight]);
    running.conn.disconnect();
    this.#running = undefined;
  }

  async #run(conn: Redis, handler: IntakeHandler, signal: AbortSignal, inflight: Set<Promise<void>>) {
    let groupReady = false;
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (!groupReady) {
          await this.#createGroup(conn);
          groupReady = true;
        }
        const free = this.#o.concurrency - inflight.size;
        if (free <= 0) {
          await Promise.race(inflight);
          continue;
        }
        const entries = [...(await this.#claimIdle(conn, free))];
        if (entries.length === 0) entries.push(...(await this.#readNew(conn, free, signal)));
        for (const raw of entries) {
          const done = this.#handle(conn, handler, raw).finally(() => inflight.delete(done));
          inflight.add(done);
        }
        failures = 0;
      } catch (error) {
        if (signal.aborted) break;
        failures += 1;
        if (message(error).startsWith('NOGROUP')) groupReady = false;
        this.#o.logger.warn(
          { stream: this.#key, consumer: this.#o.consumer, failures, error: message(error) },
          'intake read failed, retrying',
        );
        await delay(Math.min(MAX_BACKOFF_MS, 50 * 2 ** failures), undefined, { signal }).catch(() => {});
      }
    }
  }

  async #createGroup(conn: Redis): Promise<void> {
    try {
      // From 0: entries submitted before any consumer started are handled too (the core refuses
      // the ones too old to run).
      await conn.xgroup('CREATE', this.#key, this.#group, '0', 'MKSTREAM');
    } catch (error) {
      if (!message(error).startsWith('BUSYGROUP')) throw error;
    }
  }

  /** Entries another replica took and stopped refreshing (it died, or hangs): ours now. */
  async #claimIdle(conn: Redis, count: number): Promise<RawEntry[]> {
    const reply = (await conn.xautoclaim(
      this.#key,
      this.#group,
      this.#o.consumer,
      this.#o.claimIdleMs,
      '0-0',
      'COUNT',
      count,
    )) as [string, Array<[string, string[]] | null>];
    const claimed = reply[1].filter((row): row is [string, string[]] => row !== null);
    return claimed.map(([id, fields]) => ({ id, fields, claimed: true }));
  }

  async #readNew(conn: Redis, count: number, signal: AbortSignal): Promise<RawEntry[]> {
    if (signal.aborted) return [];
    const reply = (await conn.xreadgroup(
      'GROUP',
      this.#group,
      this.#o.consumer,
      'COUNT',
      count,
      'BLOCK',
      this.#o.blockMs,
      'STREAMS',
      this.#key,
      '>',
    )) as Array<[string, Array<[string, string[]]>]> | null;
    return (reply?.[0]?.[1] ?? []).map(([id, fields]) => ({ id, fields, claimed: false }));
  }

  async #handle(conn: Redis, handler: IntakeHandler, raw: RawEntry): Promise<void> {
    const logger = this.#o.logger;
    const parsed = intakeEntrySchema.safeParse(parseJson(fieldOf(raw.fields, 'entry')));
    if (!parsed.success) {
      logger.error(
        { entry: raw.id, problem: parsed.error.issues[0]?.message },
        'an intake entry cannot be read; dropped',
      );
      await conn.xack(this.#key, this.#group, raw.id);
      return;
    }
    const submission = fieldOf(raw.fields, 'submission');
    if (submission !== undefined && (await this.#revoked.isRevoked(submission))) {
      logger.warn(
        { entry: raw.id },
        'a request answered "not accepted" reached the intake after all; not run',
      );
      await conn.xack(this.#key, this.#group, raw.id);
      return;
    }
    if (raw.claimed && (await this.#deliveries(conn, raw.id)) > MAX_DELIVERIES) {
      logger.error({ entry: raw.id }, `an intake entry failed ${MAX_DELIVERIES} times; dropped`);
      await conn.xack(this.#key, this.#group, raw.id);
      return;
    }
    // While the handler runs, keep the entry ours: another replica claims only what nobody renews.
    const heartbeat = setInterval(
      () => {
        (conn.eval(RENEW, 1, this.#key, this.#group, this.#o.consumer, raw.id) as Promise<number>)
          .then((renewed) => {
            if (renewed === 0)
              logger.warn(
                { entry: raw.id },
                'an intake entry was taken over by another replica while handled here',
              );
          })
          .catch((error: unknown) =>
            logger.debug({ entry: raw.id, error: message(error) }, 'intake heartbeat failed'),
          );
      },
      Math.max(1, Math.floor(this.#o.claimIdleMs / 3)),
    );
    try {
      await handler(parsed.data as IntakeEntry);
      await conn.xack(this.#key, this.#group, raw.id);
    } catch (error) {
      // Left pending: claimed again (by any replica) once idle, and the person hears each time.
      logger.warn(
        { entry: raw.id, error: message(error) },
        'handling an intake entry failed; it will be retried',
      );
    } finally {
      clearInterval(heartbeat);
    }
  }

  async #deliveries(conn: Redis, id: string): Promise<number> {
    const rows = (await conn.xpending(this.#key, this.#group, id, id, 1)) as Array<
      [string, string, number, number]
    >;
    return rows[0]?.[3] ?? 1;
  }
}

interface RawEntry {
  id: string;
  fields: string[];
  /** Taken over from another consumer (or our own earlier attempt), not read new. */
  claimed: boolean;
}

function fieldOf(fields: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
