// The consumer side of the outbox: a bot process reads its platform's stream through a consumer
// group and hands each entry to a renderer. Delivery is at least once: an entry is acknowledged
// only after the handler resolved, so a bot that dies in between gets it again on restart (its own
// pending entries) or another bot claims it once it has been idle for claimIdleMs.
//
// A failed delivery is tried again later, each time waiting twice as long (claimIdleMs, then 2×,
// 4×, up to maxRetryDelayMs): a platform outage is waited out without hammering it. A failure
// that can never succeed (the platform refused with a 4xx: the channel is gone, the bot may not
// write there) is not retried forever: after maxDeliveries such failures the entry goes to the
// dead letters, with the error, and the log says so.
import { setTimeout as delay } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { type Logger, silentLogger } from '../../logger.js';
import { type JobEvent, jobEventSchema, type ThreadRef, threadRefSchema } from '../job-events.js';
import { describeIssues, outboxStreamKey } from './outbox-writer.js';
import { isPermanentDeliveryError } from './permanent-delivery-error.js';

export interface OutboxDelivery {
  id: string;
  thread: ThreadRef;
  event: JobEvent;
  /** Redis's delivery counter, this delivery included: 1 the first time, more after a retry. */
  deliveries: number;
}

export type OutboxHandler = (delivery: OutboxDelivery) => Promise<void>;

export interface OutboxReaderOptions {
  platform: string;
  /** Stable per bot instance (e.g. the hostname), so a restarted bot finds its own pending entries. */
  consumer: string;
  group?: string;
  prefix?: string;
  blockMs?: number;
  batch?: number;
  /**
   * Entries read but unacknowledged for this long are claimed (a dead bot, or a failed handler);
   * an entry that failed again waits twice as long each time, up to maxRetryDelayMs.
   */
  claimIdleMs?: number;
  /** The longest wait between two deliveries of a failing entry. Default 15 minutes. */
  maxRetryDelayMs?: number;
  /**
   * Deliveries after which an entry whose handler failed for good (isPermanentDeliveryError: a
   * 4xx from the platform) is moved to the dead letters. Default 3.
   */
  maxDeliveries?: number;
  /** Whether a handler's error can never succeed; isPermanentDeliveryError by default. */
  isPermanent?: (error: unknown) => boolean;
  logger?: Logger;
}

interface RawEntry {
  id: string;
  /** null when the entry was trimmed from the stream while it was still pending. */
  fields: string[] | null;
}

/** One started loop: its own connection, the handler, and the signal that stop() raises. */
interface Run {
  conn: Redis;
  handler: OutboxHandler;
  signal: AbortSignal;
}

type Rejected = { ok: false; reason: string };
type Parsed = { ok: true; thread: ThreadRef; event: JobEvent } | Rejected;

const DEAD_LETTER_MAX_LENGTH = 10_000;
const MAX_BACKOFF_MS = 2_000;
const DEFAULT_MAX_RETRY_DELAY_MS = 15 * 60_000;
const DEFAULT_MAX_DELIVERIES = 3;

/** One row of XPENDING's extended form. */
interface PendingRow {
  id: string;
  idleMs: number;
  deliveries: number;
}

export class OutboxReader {
  readonly #redis: Redis;
  readonly #platform: string;
  readonly #consumer: string;
  readonly #group: string;
  readonly #key: string;
  readonly #deadKey: string;
  readonly #blockMs: number;
  readonly #batch: number;
  readonly #claimIdleMs: number;
  readonly #maxRetryDelayMs: number;
  readonly #maxDeliveries: number;
  readonly #isPermanent: (error: unknown) => boolean;
  readonly #logger: Logger;
  #running: { loop: Promise<void>; abort: AbortController; conn: Redis } | undefined;

  constructor(redis: Redis, options: OutboxReaderOptions) {
    const { platform, consumer, group = 'bots', prefix = 'pve-chatops' } = options;
    const { blockMs = 5_000, batch = 50, claimIdleMs = 30_000, logger = silentLogger } = options;
    const { maxDeliveries = DEFAULT_MAX_DELIVERIES, isPermanent = isPermanentDeliveryError } = options;
    const { maxRetryDelayMs = DEFAULT_MAX_RETRY_DELAY_MS } = options;
    if (!platform) throw new TypeError('OutboxReader: platform must not be empty');
    if (!consumer) throw new TypeError('OutboxReader: consumer must not be empty');
    for (const [name, value] of Object.entries({
      blockMs,
      batch,
      claimIdleMs,
      maxRetryDelayMs,
      maxDeliveries,
    })) {
      if (!Number.isInteger(value) || value < 1)
        throw new RangeError(`OutboxReader: ${name} must be a positive integer, got ${value}`);
    }
    this.#redis = redis;
    this.#platform = platform;
    this.#consumer = consumer;
    this.#group = group;
    this.#key = outboxStreamKey(prefix, platform);
    this.#deadKey = `${this.#key}:dead`;
    this.#blockMs = blockMs;
    this.#batch = batch;
    this.#claimIdleMs = claimIdleMs;
    this.#maxRetryDelayMs = Math.max(claimIdleMs, maxRetryDelayMs);
    this.#maxDeliveries = maxDeliveries;
    this.#isPermanent = isPermanent;
    this.#logger = logger;
  }

  start(handler: OutboxHandler): void {
    if (this.#running) throw new Error('OutboxReader: already started');
    // The loop's own connection: XREADGROUP BLOCK holds it for up to blockMs, and stop() can
    // disconnect it to end a blocked read (or a command queued while Redis is down) at once.
    // Acks alone go over the shared connection, so an in-flight handler can still be acked after stop().
    const conn = this.#redis.duplicate({
      connectionName: `${this.#key}:${this.#consumer}`.replace(/[^\w.:@-]/g, '_'),
    });
    conn.on('error', (error: Error) =>
      this.#logger.debug({ stream: this.#key, error: error.message }, 'outbox connection error'),
    );
    const abort = new AbortController();
    const loop = this.#run({ conn, handler, signal: abort.signal });
    this.#running = { loop, abort, conn };
  }

  /** Ends the loop at once and resolves when an in-flight handler has finished (and been acked). */
  async stop(): Promise<void> {
    const running = this.#running;
    if (!running) return;
    running.abort.abort();
    // Fails a pending XREADGROUP BLOCK immediately instead of waiting for blockMs to pass.
    running.conn.disconnect();
    await running.loop;
    this.#running = undefined;
  }

  async #run(run: Run): Promise<void> {
    const { signal } = run;
    let groupReady = false;
    // Our own pending entries come first: read before a crash or a lost reply, never acked.
    let ownPending = true;
    let nextClaimAt = 0;
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (!groupReady) {
          await this.#createGroup(run.conn);
          groupReady = true;
        }
        if (ownPending) {
          await this.#redeliverOwnPending(run);
          ownPending = false;
        }
        if (Date.now() >= nextClaimAt) {
          await this.#claimIdle(run);
          nextClaimAt = Date.now() + this.#claimIdleMs;
        }
        // Wake up in time for the next claim pass even when nothing new arrives.
        const blockMs = Math.max(1, Math.min(this.#blockMs, nextClaimAt - Date.now()));
        await this.#readNew(run, blockMs);
        failures = 0;
      } catch (error) {
        if (signal.aborted) break;
        failures += 1;
        // NOGROUP: Redis lost the stream (a restart without persistence, a DEL). Re-create the
        // group; a reply lost to a dropped connection may have left entries in our pending list.
        if (errorMessage(error).startsWith('NOGROUP')) groupReady = false;
        ownPending = true;
        this.#logger.warn(
          { stream: this.#key, consumer: this.#consumer, failures, error: errorMessage(error) },
          'outbox read failed, retrying',
        );
        await delay(Math.min(MAX_BACKOFF_MS, 50 * 2 ** failures), undefined, { signal }).catch(() => {});
      }
    }
  }

  async #createGroup(conn: Redis): Promise<void> {
    try {
      // From 0, not $: entries written before any bot ever started are delivered too.
      await conn.xgroup('CREATE', this.#key, this.#group, '0', 'MKSTREAM');
    } catch (error) {
      if (!errorMessage(error).startsWith('BUSYGROUP')) throw error;
    }
  }

  async #redeliverOwnPending(run: Run): Promise<void> {
    let cursor = '0';
    while (!run.signal.aborted) {
      const reply = await run.conn.xreadgroup(
        'GROUP',
        this.#group,
        this.#consumer,
        'COUNT',
        this.#batch,
        'STREAMS',
        this.#key,
        cursor,
      );
      const entries = streamEntries(reply);
      const last = entries.at(-1);
      if (!last) return;
      await this.#deliverAll(run, entries, await this.#deliveryCounts(run.conn, entries));
      cursor = last.id;
    }
  }

  /** How long an entry delivered `deliveries` times waits before the next delivery. */
  #retryDelayMs(deliveries: number): number {
    const doublings = Math.min(Math.max(deliveries - 1, 0), 30);
    return Math.min(this.#maxRetryDelayMs, this.#claimIdleMs * 2 ** doublings);
  }

  /**
   * Claims the group's pending entries whose wait is over: a dead bot's after claimIdleMs, a
   * failing one after its backoff. XCLAIM's min-idle is that entry's own delay, so two bots
   * claiming at once cannot both take it.
   */
  async #claimIdle(run: Run): Promise<void> {
    let start = '-';
    while (!run.signal.aborted) {
      const rows = pendingRows(
        await run.conn.xpending(this.#key, this.#group, 'IDLE', this.#claimIdleMs, start, '+', this.#batch),
      );
      const last = rows.at(-1);
      if (!last) return;
      const due = rows.filter((row) => row.idleMs >= this.#retryDelayMs(row.deliveries));
      const claimed: RawEntry[] = [];
      const counts = new Map<string, number>();
      for (const row of due) {
        const reply = await run.conn.xclaim(
          this.#key,
          this.#group,
          this.#consumer,
          this.#retryDelayMs(row.deliveries),
          row.id,
        );
        const entries = parseEntries(reply);
        // Redis 7 drops an entry trimmed from the stream from the pending list and returns nothing.
        if (entries.length === 0) {
          this.#logger.warn(
            { stream: this.#key, id: row.id },
            'outbox entry trimmed before it was delivered',
          );
          continue;
        }
        for (const entry of entries) {
          claimed.push(entry);
          counts.set(entry.id, row.deliveries + 1);
        }
      }
      if (claimed.length > 0) {
        this.#logger.info(
          { stream: this.#key, consumer: this.#consumer, count: claimed.length },
          'claimed idle outbox entries',
        );
        await this.#deliverAll(run, claimed, counts);
      }
      if (rows.length < this.#batch) return;
      start = `(${last.id}`;
    }
  }

  async #readNew(run: Run, blockMs: number): Promise<void> {
    const reply = await run.conn.xreadgroup(
      'GROUP',
      this.#group,
      this.#consumer,
      'COUNT',
      this.#batch,
      'BLOCK',
      blockMs,
      'STREAMS',
      this.#key,
      '>',
    );
    // Entries read with `>` are delivered for the first time: no need to ask Redis for the count.
    await this.#deliverAll(run, streamEntries(reply), undefined);
  }

  /** Only on the recovery paths, one XPENDING per batch: new entries never pay for it. */
  async #deliveryCounts(conn: Redis, entries: RawEntry[]): Promise<Map<string, number>> {
    const first = entries[0];
    const last = entries.at(-1);
    if (!first || !last) return new Map();
    const reply = await conn.xpending(
      this.#key,
      this.#group,
      first.id,
      last.id,
      // Room for our own not-yet-idle entries that XAUTOCLAIM skipped inside the same id range.
      this.#batch * 2,
      this.#consumer,
    );
    const counts = new Map<string, number>();
    for (const row of reply as [string, string, number, number][]) counts.set(row[0], Number(row[3]));
    return counts;
  }

  /** `counts` is undefined for first deliveries; a count missing from it means at least a retry. */
  async #deliverAll(run: Run, entries: RawEntry[], counts: Map<string, number> | undefined): Promise<void> {
    // One at a time, in stream order; what is left when stopping stays pending for the restart.
    for (const entry of entries) {
      if (run.signal.aborted) return;
      await this.#deliver(run, entry, counts ? (counts.get(entry.id) ?? 2) : 1);
    }
  }

  async #deliver(run: Run, entry: RawEntry, deliveries: number): Promise<void> {
    if (entry.fields === null) {
      // Trimmed by MAXLEN while pending: there is nothing left to deliver, only the PEL to clear.
      this.#logger.warn({ stream: this.#key, id: entry.id }, 'outbox entry trimmed before it was delivered');
      await this.#redis.xack(this.#key, this.#group, entry.id);
      return;
    }
    const parsed = this.#parse(entry.fields);
    if (!parsed.ok) {
      this.#logger.error(
        { stream: this.#key, id: entry.id, reason: parsed.reason },
        'unreadable outbox entry moved to the dead letters',
      );
      await this.#deadLetter(run.conn, entry.id, entry.fields, parsed.reason);
      return;
    }
    const { thread, event } = parsed;
    try {
      await run.handler({ id: entry.id, thread, event, deliveries });
    } catch (error) {
      // The handler's message is logged, the entry's content is not (it may hold user text).
      const context = {
        stream: this.#key,
        id: entry.id,
        jobId: event.jobId,
        type: event.type,
        deliveries,
        ...describe(error),
      };
      if (this.#isPermanent(error) && deliveries >= this.#maxDeliveries) {
        this.#logger.error(
          context,
          'outbox handler failed for good (the platform refused it); the entry goes to the dead letters',
        );
        await this.#deadLetter(
          run.conn,
          entry.id,
          entry.fields,
          `handler failed ${deliveries} times: ${describe(error).error}`,
        );
        return;
      }
      // Left unacknowledged: it comes back after its backoff (or on the next pending pass).
      this.#logger.error(
        { ...context, retryInMs: this.#retryDelayMs(deliveries) },
        'outbox handler failed; the entry will be delivered again',
      );
      return;
    }
    await this.#redis.xack(this.#key, this.#group, entry.id);
  }

  #parse(fields: string[]): Parsed {
    const raw = fieldMap(fields);
    const thread = parseJson(raw.get('thread'), 'thread');
    if (!thread.ok) return thread;
    const event = parseJson(raw.get('event'), 'event');
    if (!event.ok) return event;
    const threadResult = threadRefSchema.safeParse(thread.value);
    if (!threadResult.success)
      return { ok: false, reason: describeIssues('thread', threadResult.error.issues).join('; ') };
    if (threadResult.data.platform !== this.#platform)
      return { ok: false, reason: `thread.platform is not ${this.#platform}, the platform of this stream` };
    const eventResult = jobEventSchema.safeParse(event.value);
    if (!eventResult.success)
      return { ok: false, reason: describeIssues('event', eventResult.error.issues).join('; ') };
    return { ok: true, thread: threadResult.data, event: eventResult.data };
  }

  /** Moves an entry aside, atomically with its ack, so it cannot block the stream. */
  async #deadLetter(conn: Redis, id: string, fields: string[], reason: string): Promise<void> {
    const raw = fieldMap(fields);
    const results = await conn
      .multi()
      .xadd(
        this.#deadKey,
        'MAXLEN',
        '~',
        DEAD_LETTER_MAX_LENGTH,
        '*',
        'id',
        id,
        'reason',
        reason,
        'consumer',
        this.#consumer,
        'thread',
        raw.get('thread') ?? '',
        'event',
        raw.get('event') ?? '',
      )
      .xack(this.#key, this.#group, id)
      .exec();
    const failed = results?.find(([error]) => error !== null)?.[0];
    if (failed) throw failed;
  }
}

/** An XREADGROUP reply (`[[key, entries]]`, or null when BLOCK timed out) for our one stream. */
function streamEntries(reply: unknown): RawEntry[] {
  if (!Array.isArray(reply)) return [];
  const stream = reply[0] as [string, unknown] | undefined;
  return stream ? parseEntries(stream[1]) : [];
}

function parseEntries(raw: unknown): RawEntry[] {
  if (!Array.isArray(raw)) return [];
  return (raw as [string, string[] | null][]).map(([id, fields]) => ({ id, fields }));
}

/** XPENDING key group IDLE ms start end count: `[id, consumer, idle, deliveries]` rows. */
function pendingRows(reply: unknown): PendingRow[] {
  if (!Array.isArray(reply)) return [];
  return (reply as [string, string, number, number][]).map(([id, , idle, deliveries]) => ({
    id,
    idleMs: Number(idle),
    deliveries: Number(deliveries),
  }));
}

function fieldMap(fields: string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i]!, fields[i + 1]!);
  return map;
}

function parseJson(text: string | undefined, field: string): { ok: true; value: unknown } | Rejected {
  if (text === undefined) return { ok: false, reason: `${field}: missing` };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, reason: `${field}: not JSON` };
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function describe(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { error: String(error) };
  const code = (error as { code?: unknown }).code;
  return { error: error.message, errorName: error.name, ...(code === undefined ? {} : { code }) };
}
