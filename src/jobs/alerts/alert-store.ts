// What is known about alerts, in Redis, for the workers that publish them and the bots that draw
// and act on them: each alert's latest version and where its card went (14 days), who
// acknowledged it, which types are snoozed until when, the per-minute count of new cards per type
// (the rate limit), and the claims of PVE deliveries already received (a replay is queued once).
// Lives in the jobs layer so a worker can read a snooze before it publishes.
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { threadRefSchema } from '../job-events.js';
import { type AlertType, alertSchema } from './alert.js';

/** How long an alert's latest version (and its acknowledgement) is kept: its card stays actionable that long. */
export const ALERT_TTL_MS = 14 * 24 * 3_600_000;
/** How long a PVE delivery's claim is kept: the same delivery again within it is a duplicate. */
export const DELIVERY_CLAIM_TTL_S = 24 * 3600;

const storedAlertSchema = z.object({
  alert: alertSchema,
  /** Whether its card was posted; a snoozed or rate-limited alert is kept but not shown. */
  shown: z.boolean(),
  /** Where its card went (the alert channels), so an acknowledgement redraws each one. */
  threads: z.array(threadRefSchema),
});
export type StoredAlert = z.infer<typeof storedAlertSchema>;

const ackSchema = z.object({ byId: z.string(), by: z.string(), at: z.number() });
/** Who acknowledged an alert, and when (ms). */
export type AlertAck = z.infer<typeof ackSchema>;

const snoozeSchema = z.object({ until: z.number(), byId: z.string(), by: z.string() });
/** New alerts of a type are not posted until `until` (ms); updates of posted ones still are. */
export type AlertSnooze = z.infer<typeof snoozeSchema>;

export interface AlertStoreOptions {
  prefix?: string;
}

export class AlertStore {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, options: AlertStoreOptions = {}) {
    this.#redis = redis;
    this.#prefix = options.prefix ?? 'pve-chatops';
  }

  #key(...parts: string[]): string {
    return [this.#prefix, ...parts].join(':');
  }

  /** The alert's latest version, where it went and whether it was shown; undefined when unknown or expired. */
  async get(key: string): Promise<StoredAlert | undefined> {
    return parseJson(await this.#redis.get(this.#key('alert', key)), storedAlertSchema);
  }

  async save(stored: StoredAlert): Promise<void> {
    await this.#redis.set(this.#key('alert', stored.alert.key), JSON.stringify(stored), 'PX', ALERT_TTL_MS);
  }

  /**
   * Records the acknowledgement of the alert `key` by `by`, unless someone acknowledged it first:
   * the answer is the acknowledgement that stands, and whether it is this one.
   */
  async acknowledge(
    key: string,
    by: { id: string; name: string },
    at: number,
  ): Promise<{ ack: AlertAck; first: boolean }> {
    const ack: AlertAck = { byId: by.id, by: by.name, at };
    const set = await this.#redis.set(
      this.#key('alert-ack', key),
      JSON.stringify(ack),
      'PX',
      ALERT_TTL_MS,
      'NX',
    );
    if (set === 'OK') return { ack, first: true };
    const standing = await this.ackOf(key);
    return standing ? { ack: standing, first: false } : { ack, first: true };
  }

  async ackOf(key: string): Promise<AlertAck | undefined> {
    return parseJson(await this.#redis.get(this.#key('alert-ack', key)), ackSchema);
  }

  /** New alerts of `type` are held back until `until` (a later snooze replaces an earlier one). */
  async snooze(
    type: AlertType,
    until: number,
    by: { id: string; name: string },
    now = Date.now(),
  ): Promise<void> {
    const ms = Math.max(1, Math.round(until - now));
    const value: AlertSnooze = { until, byId: by.id, by: by.name };
    await this.#redis.set(this.#key('alert-snooze', type), JSON.stringify(value), 'PX', ms);
  }

  /** The snooze of `type` in force at `now`, if any. */
  async snoozeOf(type: AlertType, now = Date.now()): Promise<AlertSnooze | undefined> {
    const snooze = parseJson(await this.#redis.get(this.#key('alert-snooze', type)), snoozeSchema);
    return snooze && snooze.until > now ? snooze : undefined;
  }

  /** Counts a new card of `type` in the minute `minute` (ms, floored); the count including this one. */
  async countNew(type: AlertType, minute: number): Promise<number> {
    return this.#count(this.#key('alert-rate', type, String(minute)));
  }

  /** Counts an alert of `type` held back by the rate limit in `minute`; the count including this one. */
  async countHeldBack(type: AlertType, minute: number): Promise<number> {
    return this.#count(this.#key('alert-held', type, String(minute)));
  }

  async #count(key: string): Promise<number> {
    const [[incrError, count] = [], [expireError] = []] =
      (await this.#redis.multi().incr(key).pexpire(key, 180_000).exec()) ?? [];
    if (incrError) throw incrError;
    if (expireError) throw expireError;
    return Number(count);
  }

  /**
   * Claims a received delivery (a hash of what makes it unique) for 24 hours: true the first time,
   * false for a replay.
   */
  async claimDelivery(id: string): Promise<boolean> {
    const set = await this.#redis.set(this.#key('pve-delivery', id), '1', 'EX', DELIVERY_CLAIM_TTL_S, 'NX');
    return set === 'OK';
  }

  /** Gives a claim back (the delivery could not be queued), so the same delivery sent again is taken. */
  async releaseDelivery(id: string): Promise<void> {
    await this.#redis.del(this.#key('pve-delivery', id));
  }
}

function parseJson<T>(raw: string | null, schema: z.ZodType<T>): T | undefined {
  if (raw === null) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
