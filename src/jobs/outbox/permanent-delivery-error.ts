// Whether a failed outbox delivery can ever succeed. A chat platform that answers 4xx refused the
// request itself (the channel is gone, the bot may not write there, the message is invalid): the
// same request gets the same answer, so retrying it forever only fills the log and the stream.
// Everything else (5xx, timeouts, rate limits, network errors, our own bugs) may pass later.

/** HTTP statuses in the 4xx range that are worth another attempt: a timeout and a rate limit. */
const RETRYABLE_CLIENT_ERRORS: ReadonlySet<number> = new Set([408, 429]);
/** 401: the bot's token is wrong for every message alike; fixing it must not find them all gone. */
const CONFIGURATION_ERRORS: ReadonlySet<number> = new Set([401]);

/**
 * True when `error` says the platform refused for good: its own `permanent` flag when it has one,
 * else an HTTP `status` (discord.js's DiscordAPIError, or any error carrying one) in 4xx other
 * than 401, 408 and 429. Looks through one `cause`, for errors wrapped on their way up.
 */
export function isPermanentDeliveryError(error: unknown): boolean {
  for (const candidate of [error, (error as { cause?: unknown } | null)?.cause]) {
    if (typeof candidate !== 'object' || candidate === null) continue;
    const { permanent, status } = candidate as { permanent?: unknown; status?: unknown };
    if (typeof permanent === 'boolean') return permanent;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return !RETRYABLE_CLIENT_ERRORS.has(status) && !CONFIGURATION_ERRORS.has(status);
    }
  }
  return false;
}
