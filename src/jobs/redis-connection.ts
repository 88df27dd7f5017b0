import { Redis } from 'ioredis';
import type { Logger } from '../logger.js';

/**
 * A Redis connection as BullMQ needs it: `maxRetriesPerRequest: null` keeps blocking commands
 * waiting through a Redis restart instead of failing them. Errors are logged (ioredis reconnects
 * on its own); an unhandled 'error' event would crash the process.
 */
export function createRedis(url: string, logger: Logger, name = 'pve-chatops'): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, connectionName: name });
  let lastLogged = 0;
  redis.on('error', (error: Error) => {
    // One line per 10 s is enough while Redis is down; the URL may hold a password, never log it.
    if (Date.now() - lastLogged < 10_000) return;
    lastLogged = Date.now();
    logger.warn({ err: error.message, connection: name }, 'Redis connection error; retrying');
  });
  return redis;
}
