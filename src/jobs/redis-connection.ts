import { Redis } from 'ioredis';
import { parseSentinelUrl } from '../config/redis-url.js';
import type { Logger } from '../logger.js';

/**
 * A Redis connection as BullMQ needs it: `maxRetriesPerRequest: null` keeps blocking commands
 * waiting through a Redis restart instead of failing them. Errors are logged (ioredis reconnects
 * on its own); an unhandled 'error' event would crash the process.
 */
export function createRedis(url: string, logger: Logger, name = 'pve-chatops'): Redis {
  const options = { maxRetriesPerRequest: null, connectionName: name };
  const sentinel = parseSentinelUrl(url);
  const redis = sentinel
    ? new Redis({
        ...options,
        sentinels: sentinel.sentinels,
        name: sentinel.name,
        ...(sentinel.password ? { password: sentinel.password, sentinelPassword: sentinel.password } : {}),
      })
    : new Redis(url, options);
  let lastLogged = 0;
  redis.on('error', (error: Error) => {
    // One line per 10 s is enough while Redis is down; the URL may hold a password, never log it.
    if (Date.now() - lastLogged < 10_000) return;
    lastLogged = Date.now();
    logger.warn({ err: error.message, connection: name }, 'Redis connection error; retrying');
  });
  return redis;
}
