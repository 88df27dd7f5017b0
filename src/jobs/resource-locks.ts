// Per-guest and per-node locks in Redis, so two jobs never change the same VM (or node) at once.
//
// A lock belongs to a JOB, not to a process: a job runs in slices, possibly on several workers
// over its life (after a crash another worker resumes it), and keeps its locks between slices.
// Each lock has a TTL that the running job renews; if no worker runs the job any more, the lock
// expires by itself. All of a job's locks are taken or refused together, atomically.
import type { Redis } from 'ioredis';
import type { LockTarget } from './job-kind.js';

export interface LockHolder {
  jobId: string;
  kind: string;
  requestedBy: string;
}

export interface BusyLock {
  target: LockTarget;
  holder: LockHolder;
}

// acquire-locks-N
// KEYS: the lock keys. ARGV[1]: job id; ARGV[2]: holder JSON; ARGV[3]: TTL in ms.
// Output: nil when the job now holds every lock (re-entrant: its own locks are renewed), else
// {index (1-based), holder JSON} of the first lock another job holds; nothing is changed then.
const ACQUIRE = `
for i, key in ipairs(KEYS) do
  local current = redis.call('GET', key)
  if current and cjson.decode(current).jobId ~= ARGV[1] then return {i, current} end
end
for _, key in ipairs(KEYS) do redis.call('SET', key, ARGV[2], 'PX', ARGV[3]) end
return nil`;

// renew-locks-N / release-locks-N
// KEYS: the lock keys. ARGV[1]: job id; ARGV[2]: TTL in ms (renew only).
// Output: how many locks the job held. A lock another job holds is never touched.
const RENEW = `
local held = 0
for _, key in ipairs(KEYS) do
  local current = redis.call('GET', key)
  if current and cjson.decode(current).jobId == ARGV[1] then
    redis.call('PEXPIRE', key, ARGV[2]); held = held + 1
  end
end
return held`;

const RELEASE = `
local held = 0
for _, key in ipairs(KEYS) do
  local current = redis.call('GET', key)
  if current and cjson.decode(current).jobId == ARGV[1] then
    redis.call('DEL', key); held = held + 1
  end
end
return held`;

export class ResourceLocks {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly ttlMs: number;

  constructor(redis: Redis, options: { prefix: string; ttlMs: number }) {
    this.#redis = redis;
    this.#prefix = options.prefix;
    this.ttlMs = options.ttlMs;
  }

  /** Takes every lock for the job, or none: returns the first lock another job holds. */
  async acquire(targets: LockTarget[], holder: LockHolder): Promise<BusyLock | undefined> {
    if (targets.length === 0) return undefined;
    const reply = (await this.#redis.eval(
      ACQUIRE,
      targets.length,
      ...this.#keys(targets),
      holder.jobId,
      JSON.stringify(holder),
      this.ttlMs,
    )) as [number, string] | null;
    if (reply === null) return undefined;
    const [index, current] = reply;
    return { target: targets[index - 1]!, holder: JSON.parse(current) as LockHolder };
  }

  async renew(targets: LockTarget[], jobId: string): Promise<number> {
    if (targets.length === 0) return 0;
    return (await this.#redis.eval(
      RENEW,
      targets.length,
      ...this.#keys(targets),
      jobId,
      this.ttlMs,
    )) as number;
  }

  async release(targets: LockTarget[], jobId: string): Promise<number> {
    if (targets.length === 0) return 0;
    return (await this.#redis.eval(RELEASE, targets.length, ...this.#keys(targets), jobId)) as number;
  }

  /** Who holds a resource now, if anyone. */
  async holderOf(target: LockTarget): Promise<LockHolder | undefined> {
    const current = await this.#redis.get(this.#keys([target])[0]!);
    return current === null ? undefined : (JSON.parse(current) as LockHolder);
  }

  // One hash tag for all locks, so the multi-key scripts also run on a Redis Cluster.
  #keys(targets: LockTarget[]): string[] {
    return targets.map((target) => `${this.#prefix}:{locks}:${target.key}`);
  }
}
