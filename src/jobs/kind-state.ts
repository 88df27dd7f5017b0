// What a job kind remembers from one job to the next (the digest: what the cluster looked like at
// the previous digest, so the next one can say what changed). One Redis key per kind and name,
// JSON, with an expiry so nothing outlives its use.
import type { Redis } from 'ioredis';

export interface KindState {
  get(name: string): Promise<unknown>;
  set(name: string, value: unknown, ttlSeconds?: number): Promise<void>;
}

const DEFAULT_TTL_S = 30 * 24 * 3600;

export function redisKindState(redis: Redis, prefix: string, kind: string): KindState {
  const key = (name: string) => `${prefix}:kind-state:${kind}:${name}`;
  return {
    async get(name) {
      const raw = await redis.get(key(name));
      return raw === null ? undefined : (JSON.parse(raw) as unknown);
    },
    async set(name, value, ttlSeconds = DEFAULT_TTL_S) {
      await redis.set(key(name), JSON.stringify(value), 'EX', ttlSeconds);
    },
  };
}
