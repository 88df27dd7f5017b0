import { Redis, type RedisOptions } from 'ioredis';
import { parseSentinelUrl } from '../config/redis-url.js';
import type { Logger } from '../logger.js';

/**
 * How long the bot waits for Redis to confirm a write before it answers "not accepted". Far above
 * a healthy Redis's milliseconds, and short enough that the person hears it at once (Slack wants
 * its acknowledgement within 3 s).
 */
export const INTAKE_COMMAND_TIMEOUT_MS = 2_000;

function connect(url: string, logger: Logger, name: string, options: RedisOptions): Redis {
  const sentinel = parseSentinelUrl(url);
  const redis = sentinel
    ? new Redis({
        ...options,
        connectionName: name,
        sentinels: sentinel.sentinels,
        name: sentinel.name,
        ...(sentinel.password ? { password: sentinel.password, sentinelPassword: sentinel.password } : {}),
      })
    : new Redis(url, { ...options, connectionName: name });
  let lastLogged = 0;
  // Set once the connection was lost (a reconnect is scheduled, or an error came): its return is
  // worth a line, the first connect is not.
  let failing = false;
  redis.on('reconnecting', () => {
    failing = true;
  });
  redis.on('error', (error: Error) => {
    failing = true;
    // One line per 10 s is enough while Redis is down; the URL may hold a password, never log it.
    if (Date.now() - lastLogged < 10_000) return;
    lastLogged = Date.now();
    logger.warn({ err: error.message, connection: name }, 'Redis connection error; retrying');
  });
  redis.on('ready', () => {
    if (!failing) return;
    failing = false;
    lastLogged = 0;
    logger.info({ connection: name }, 'Redis connection ready again');
  });
  return redis;
}

/**
 * A Redis connection as BullMQ needs it: `maxRetriesPerRequest: null` keeps blocking commands
 * waiting through a Redis restart instead of failing them. Errors are logged (ioredis reconnects
 * on its own); an unhandled 'error' event would crash the process. The worker, the outbox readers
 * and writers use it: what they do may wait for Redis, since nobody is waiting for an answer.
 */
export function createRedis(url: string, logger: Logger, name = 'pve-chatops'): Redis {
  return connect(url, logger, name, { maxRetriesPerRequest: null });
}

/**
 * The bot's intake connection: the writes that accept a request (enqueue, approvals, the audit,
 * the request ledger) and the reads a person waits for. It never holds a command for later:
 * with Redis down a command fails at once (no offline queue), one sent that gets no answer
 * fails after `commandTimeoutMs`, one in flight when the connection drops fails then (no retry,
 * no resend after the reconnect). So the person is told "not accepted" now, instead of the
 * request running minutes late when Redis is back. isStoreUnavailable() recognises all three.
 * Not for blocking commands (BullMQ workers, outbox readers): they would time out.
 * Commands issued in one turn of the event loop go out in one write (ioredis's auto-pipelining,
 * flushed on setImmediate): a burst of requests read in one poll costs one syscall for all their
 * submits instead of one each, and each command keeps its own timeout and its order.
 */
export function createIntakeRedis(
  url: string,
  logger: Logger,
  name = 'pve-chatops-intake',
  commandTimeoutMs = INTAKE_COMMAND_TIMEOUT_MS,
): Redis {
  return connect(url, logger, name, {
    enableOfflineQueue: false,
    commandTimeout: commandTimeoutMs,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    enableAutoPipelining: true,
  });
}

/** Resolves once the connection is ready (at once when it is). */
export function redisReady(redis: Redis): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => redis.once('ready', () => resolve()));
}

/**
 * Closes a connection without waiting on a Redis that is not there: QUIT when it is connected
 * (bounded by `timeoutMs`: a stopped Redis never answers), a plain disconnect otherwise.
 */
export async function closeRedis(redis: Redis, timeoutMs = 2_000): Promise<void> {
  if (redis.status === 'ready') {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const quit = redis.quit().then(
      () => 'quit' as const,
      () => 'failed' as const,
    );
    const outcome = await Promise.race([quit, timedOut]);
    clearTimeout(timer);
    if (outcome === 'quit') return;
  }
  redis.disconnect();
}
