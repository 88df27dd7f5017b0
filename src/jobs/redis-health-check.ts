// The /healthz check of a shared Redis connection. It never queues a PING behind a connection that
// is down (BullMQ's connections wait forever for Redis to come back): it fails at once, saying the
// connection's state and the last error ioredis reported.
import type { Redis } from 'ioredis';

export function redisHealthCheck(redis: Redis): () => Promise<void> {
  let lastError: string | undefined;
  redis.on('error', (error: Error) => {
    lastError = error.message;
  });
  redis.on('ready', () => {
    lastError = undefined;
  });
  return async () => {
    if (redis.status !== 'ready') {
      throw new Error(`Redis connection is ${redis.status}${lastError ? `: ${lastError}` : ''}`);
    }
    await redis.ping();
  };
}
