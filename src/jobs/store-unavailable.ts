// Redis is where every accepted command, click and job lives. When it cannot be written to right
// now (down, restarting, stopped mid-answer), the bot must say so at once instead of letting the
// write wait for a reconnect and run late. The bot's intake connection fails such writes fast
// (see createIntakeRedis); this names the failures that mean "not recorded".

/** A write the store did not confirm: the request was not accepted, and nothing will run. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  readonly reason: string;
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`the job store (Redis) did not answer: ${reason}`, options);
    this.reason = reason;
  }
}

// ioredis's own texts: the offline queue refused the command, the connection dropped under it,
// the command timed out, or the retries for one request ran out.
const UNAVAILABLE_TEXTS = [
  "Stream isn't writeable",
  'Connection is closed',
  'Command timed out',
  'Reached the max retries per request limit',
  'connect ECONNREFUSED',
  'read ECONNRESET',
];

/** Whether `error` means the store could not be reached (as opposed to a bug or a bad request). */
export function isStoreUnavailable(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  if (!(error instanceof Error)) return false;
  if (error.name === 'MaxRetriesPerRequestError') return true;
  return UNAVAILABLE_TEXTS.some((text) => error.message.includes(text));
}
