// The durable intake between receiving a chat request and handling it. The receiving process
// verifies and acknowledges the platform's request, then submits it here (one Redis round trip:
// the request id claimed once and the entry appended to a stream, atomically) and is free for
// the next request. Handling (the request message, the cluster read, policy, planning) runs from
// the stream, in this process or in another replica, through one consumer group:
// - at least once: an entry is acknowledged only after its handler resolved; a replica that dies
//   between the ack and the reply leaves it pending, and another replica claims it once it has
//   been idle for claimIdleMs;
// - once: the id was claimed at submit, so a replay never enters the stream; a replica still
//   handling an entry keeps renewing its claim (XCLAIM … JUSTID resets the idle time, and only
//   while it still owns the entry), so only a dead or stuck one loses it. A replica stuck longer
//   than claimIdleMs that then wakes up finishes what it started: job and approval ids derived
//   from the request keep that second handling from queueing or asking twice;
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
  /**
   * The platforms this replica has an adapter for: it consumes only their streams, so a request
   * is handled by a replica that can answer it (a console command by the process whose console it
   * came from). Submitting works for any platform.
   */
  platforms: readonly string[];
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
/**
 * Handling yields to receiving: while this replica is taking a burst in (two submits less than
 * BURST_GAP_MS apart, the last one less than RECEIVING_QUIET_MS ago), its consumer waits, so the
 * burst is acknowledged before the work it brings competes with the next acknowledgements on the
 * event loop; commands that come one at a time are handled at once. Never longer than
 * MAX_YIELD_MS, so a steady stream of requests cannot starve the handling. (Measured: 200 at
 * once, `all` p99 ack 351 → about 185 ms against a bare Bolt app's 115 ms.)
 */
const BURST_GAP_MS = 10;
const RECEIVING_QUIET_MS = 30;
const MAX_YIELD_MS = 1_000;
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

/** One stream per platform: a replica consumes the platforms it can answer on. */
export function intakeStreamKey(prefix: string, platform: string): string {
  return `${prefix}:intake:${platform}`;
}

export class CommandIntake {
  readonly #o: Required<Omit<CommandIntakeOptions, 'logger' | 'clock'>> & {
    logger: Logger;
    clock: () => number;
  };
  readonly #keys: readonly string[];
  readonly #group = 'bots';
  readonly #revoked: RevokedSubmissions;
  /** When this process submitted last and the time before (performance.now()): is a burst coming in? */
  #lastSubmitAt = Number.NEGATIVE_INFINITY;
  #previousSubmitAt = Number.NEGATIVE_INFINITY;
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
    this.#keys = options.platforms.map((platform) => intakeStreamKey(options.prefix, platform));
    this.#revoked = new RevokedSubmissions(options.submitWith, options.prefix, this.#o.logger);
  }

  /**
   * Appends the entry, claiming its request id in the same step. `duplicate`: the id was seen
   * before (a replay, a redelivery); nothing was added. Throws when Redis does not confirm: the
   * request is then not accepted, and the caller says so.
   */
  async submit(entry: IntakeEntry): Promise<'accepted' | 'duplicate'> {
    const requestId = requestIdOf(entry);
    const stream = intakeStreamKey(
      this.#o.prefix,
      entry.type === 'command' ? entry.event.platform : entry.press.platform,
    );
    const keys = requestId === undefined ? [stream] : [stream, `${this.#o.prefix}:request:${requestId}`];
    const submission = randomUUID();
    this.#previousSubmitAt = this.#lastSubmitAt;
    this.#lastSubmitAt = performance.now();
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
    if (this.#keys.length === 0) return;
    // The loop's own connection for the blocking reads; renewals and acknowledgements go over the
    // shared one (readWith), so a read blocked for blockMs never delays a claim's renewal.
    const conn = this.#o.readWith.duplicate({
      connectionName: `${this.#o.prefix}:intake:${this.#o.consumer}`.replace(/[^\w.:@-]/g, '_'),
    });
    conn.on('error', (error: Error) =>
      this.#o.logger.debug({ consumer: this.#o.consumer, error: error.message }, 'intake connection error'),
    );
    const abort = new AbortController();
    const inflight = new Set<Promise<void>>();
    const loop = this.#run(conn, handler, abort.signal, inflight);
    this.#running = { loop, abort, conn, inflight };
  }

  /**
   * Stops taking entries and resolves once the ones being handled are done (and acknowledged).
   * What it had read and not started stays pending, for another replica.
   */
  async stop(): Promise<void> {
    const running = this.#running;
    if (!running) return;
    running.abort.abort();
    // Ends a blocked read at once instead of after blockMs.
    running.conn.disconnect();
    await running.loop;
    await Promise.allSettled([...running.inflight]);
    this.#running = undefined;
  }

  async #run(conn: Redis, handler: IntakeHandler, signal: AbortSignal, inflight: Set<Promise<void>>) {
    let groupsReady = false;
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (!groupsReady) {
          for (const key of this.#keys) await this.#createGroup(conn, key);
          groupsReady = true;
        }
        const free = this.#o.concurrency - inflight.size;
        if (free <= 0) {
          await Promise.race(inflight);
          continue;
        }
        const entries = await this.#claimIdle(conn, free);
        if (entries.length === 0) entries.push(...(await this.#readNew(conn, free)));
        if (entries.length > 0) await this.#yieldToReceiving(signal);
        // Read while stopping: left pending, another replica takes them.
        if (signal.aborted) break;
        for (const raw of entries) {
          const done = this.#handle(handler, raw)
            .catch((error: unknown) =>
              this.#o.logger.warn(
                { entry: raw.id, error: message(error) },
                'an intake entry could not be settled; it will be retried',
              ),
            )
            .finally(() => inflight.delete(done));
          inflight.add(done);
        }
        failures = 0;
      } catch (error) {
        if (signal.aborted) break;
        failures += 1;
        if (message(error).startsWith('NOGROUP')) groupsReady = false;
        this.#o.logger.warn(
          { consumer: this.#o.consumer, failures, error: message(error) },
          'intake read failed, retrying',
        );
        await delay(Math.min(MAX_BACKOFF_MS, 50 * 2 ** failures), undefined, { signal }).catch(() => {});
      }
    }
  }

  async #yieldToReceiving(signal: AbortSignal): Promise<void> {
    const until = performance.now() + MAX_YIELD_MS;
    while (!signal.aborted && this.#receiving() && performance.now() < until)
      await delay(RECEIVING_QUIET_MS, undefined, { signal }).catch(() => {});
  }

  #receiving(): boolean {
    const last = this.#lastSubmitAt;
    return performance.now() - last < RECEIVING_QUIET_MS && last - this.#previousSubmitAt < BURST_GAP_MS;
  }

  async #createGroup(conn: Redis, key: string): Promise<void> {
    try {
      // From 0: entries submitted before any consumer started are handled too (the core refuses
      // the ones too old to run).
      await conn.xgroup('CREATE', key, this.#group, '0', 'MKSTREAM');
    } catch (error) {
      if (!message(error).startsWith('BUSYGROUP')) throw error;
    }
  }

  /** Entries another replica took and stopped renewing (it died, or hangs): ours now. */
  async #claimIdle(conn: Redis, count: number): Promise<RawEntry[]> {
    const claimed: RawEntry[] = [];
    for (const key of this.#keys) {
      if (claimed.length >= count) break;
      const reply = (await conn.xautoclaim(
        key,
        this.#group,
        this.#o.consumer,
        this.#o.claimIdleMs,
        '0-0',
        'COUNT',
        count - claimed.length,
      )) as [string, Array<[string, string[]] | null>];
      for (const row of reply[1]) if (row) claimed.push({ key, id: row[0], fields: row[1], claimed: true });
    }
    return claimed;
  }

  async #readNew(conn: Redis, count: number): Promise<RawEntry[]> {
    const reply = (await conn.xreadgroup(
      'GROUP',
      this.#group,
      this.#o.consumer,
      'COUNT',
      count,
      'BLOCK',
      this.#o.blockMs,
      'STREAMS',
      ...this.#keys,
      ...this.#keys.map(() => '>'),
    )) as Array<[string, Array<[string, string[]]>]> | null;
    return (reply ?? []).flatMap(([key, rows]) =>
      rows.map(([id, fields]) => ({ key, id, fields, claimed: false })),
    );
  }

  /** Handled (or dropped): acknowledged and deleted, so the stream holds only what waits. */
  async #settle(raw: RawEntry): Promise<void> {
    await this.#o.readWith.xack(raw.key, this.#group, raw.id);
    await this.#o.readWith.xdel(raw.key, raw.id);
  }

  async #handle(handler: IntakeHandler, raw: RawEntry): Promise<void> {
    const logger = this.#o.logger;
    const redis = this.#o.readWith;
    const parsed = intakeEntrySchema.safeParse(parseJson(fieldOf(raw.fields, 'entry')));
    if (!parsed.success) {
      logger.error(
        { entry: raw.id, problem: parsed.error.issues[0]?.message },
        'an intake entry cannot be read; dropped',
      );
      await this.#settle(raw);
      return;
    }
    const submission = fieldOf(raw.fields, 'submission');
    if (submission !== undefined && (await this.#revoked.isRevoked(submission))) {
      logger.warn(
        { entry: raw.id },
        'a request answered "not accepted" reached the intake after all; not run',
      );
      await this.#settle(raw);
      return;
    }
    if (raw.claimed && (await this.#deliveries(raw)) > MAX_DELIVERIES) {
      logger.error({ entry: raw.id }, `an intake entry failed ${MAX_DELIVERIES} times; dropped`);
      await this.#settle(raw);
      return;
    }
    // While the handler runs, keep the entry ours: another replica claims only what nobody renews.
    const heartbeat = setInterval(
      () => {
        (redis.eval(RENEW, 1, raw.key, this.#group, this.#o.consumer, raw.id) as Promise<number>)
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
    } catch (error) {
      // Left pending: claimed again (by any replica) once idle.
      logger.warn(
        { entry: raw.id, error: message(error) },
        'handling an intake entry failed; it will be retried',
      );
      return;
    } finally {
      clearInterval(heartbeat);
    }
    await this.#settle(raw);
  }

  async #deliveries(raw: RawEntry): Promise<number> {
    const rows = (await this.#o.readWith.xpending(raw.key, this.#group, raw.id, raw.id, 1)) as Array<
      [string, string, number, number]
    >;
    return rows[0]?.[3] ?? 1;
  }
}

interface RawEntry {
  /** The stream it came from (its platform's). */
  key: string;
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
