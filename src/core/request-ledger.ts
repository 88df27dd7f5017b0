// Each platform request is handled once, however often it arrives. A captured signed Slack slash
// command can be replayed within Slack's 5-minute window, Slack retries a delivery it thinks was
// not acknowledged, and Discord redelivers interactions after a gateway resume: each arrival
// carries the same delivery id (ChatEvent.requestId, ButtonPress.requestId). The first arrival
// claims the id in Redis (SET NX); the others find it taken and do nothing.
import type { Redis } from 'ioredis';

/** Far longer than Slack's 5-minute replay window and Discord's redeliveries. */
export const DEFAULT_REQUEST_TTL_MS = 24 * 3_600_000;

export interface RequestLedgerOptions {
  prefix: string;
  /** How long a handled id is remembered. Default 24 h. */
  ttlMs?: number;
  /** The clock written with the claim (when it was first seen, for whoever looks at the key). */
  clock?: () => number;
}

export class RequestLedger {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #ttlMs: number;
  readonly #clock: () => number;

  constructor(redis: Redis, options: RequestLedgerOptions) {
    const ttlMs = options.ttlMs ?? DEFAULT_REQUEST_TTL_MS;
    if (!Number.isInteger(ttlMs) || ttlMs < 1)
      throw new RangeError(`RequestLedger: ttlMs must be a positive integer, got ${ttlMs}`);
    this.#redis = redis;
    this.#prefix = options.prefix;
    this.#ttlMs = ttlMs;
    this.#clock = options.clock ?? Date.now;
  }

  /**
   * True the first time `requestId` is claimed, false for every later arrival within the ttl.
   * It is a write: when Redis cannot take it, it throws (the request is then not accepted).
   */
  async claim(requestId: string): Promise<boolean> {
    const claimed = await this.#redis.set(
      this.key(requestId),
      String(this.#clock()),
      'PX',
      this.#ttlMs,
      'NX',
    );
    return claimed === 'OK';
  }

  key(requestId: string): string {
    return `${this.#prefix}:request:${requestId}`;
  }
}
