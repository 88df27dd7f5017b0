// Closes the crash window between "POST started a PVE task" and "the UPID is saved in the job":
// before a re-run sends the POST again, it looks for a task that POST may have started.
import type { Redis } from 'ioredis';
import { parseUpid } from '../proxmox/parse-upid.js';
import type { ProxmoxClient } from '../proxmox/proxmox-client.js';
import type { AdoptableTask } from './job-context.js';

// Worker and PVE clocks differ; a task that started a little "before" we sent the POST is ours.
const CLOCK_SKEW_S = 120;
const CLAIM_TTL_MS = 24 * 3600_000;

/**
 * Remembers which UPIDs jobs already own, so a re-run never adopts the task of an earlier job on
 * the same guest (e.g. two migrations of TestVM a minute apart).
 */
export class ClaimedUpids {
  readonly #redis: Redis;
  readonly #key: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#key = `${prefix}:claimed-upids`;
  }

  async claim(upid: string): Promise<void> {
    const now = Date.now();
    await this.#redis
      .multi()
      .zadd(this.#key, now, upid)
      .zremrangebyscore(this.#key, 0, now - CLAIM_TTL_MS)
      .exec();
  }

  async isClaimed(upid: string): Promise<boolean> {
    return (await this.#redis.zscore(this.#key, upid)) !== null;
  }
}

/** The newest unclaimed task of the given types on the guest, started by our token since `sinceMs`. */
export async function findAdoptableTask(
  pve: ProxmoxClient,
  claimed: ClaimedUpids,
  pveUser: string,
  wanted: AdoptableTask,
  sinceMs: number,
): Promise<string | undefined> {
  const since = Math.floor(sinceMs / 1000) - CLOCK_SKEW_S;
  const candidates = (await pve.clusterTasks())
    .map((task) => parseUpid(task.upid))
    .filter(
      (task) =>
        wanted.types.includes(task.type) &&
        task.id === String(wanted.vmid) &&
        startedBy(task.user, task.tokenid) === pveUser &&
        task.starttime >= since,
    )
    .sort((a, b) => b.starttime - a.starttime);
  for (const task of candidates) {
    if (!(await claimed.isClaimed(task.upid))) return task.upid;
  }
  return undefined;
}

function startedBy(user: string, tokenid: string | undefined): string {
  return tokenid === undefined ? user : `${user}!${tokenid}`;
}
