// replication: every storage replication job (pve-manager PVE/API2/ReplicationConfig.pm, PVE/API2/Replication.pm) with its guest, target, schedule and
// last run, from one /cluster/replication read plus the state on each node where a replicated
// guest lives (at most a few nodes at a time); or `run <id>`: schedule_now on the guest's node,
// then wait until its status shows that run finished (last_try advanced, no pid).

import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { GuestResource } from '../../proxmox/schemas/cluster-schemas.js';
import type { ReplicationJob, ReplicationStatus } from '../../proxmox/schemas/replication-schemas.js';
import { duration } from '../digest/digest-format.js';
import { runBounded } from '../digest/run-bounded.js';
import type { JobContext } from '../job-context.js';
import { JobError, JobErrorCode } from '../job-error.js';
import { defineJobKind, type JobOutcome } from '../job-kind.js';

export const REPLICATION_ID = /^[1-9][0-9]{2,8}-\d{1,9}$/;

export const replicationPayloadSchema = z.object({
  action: z.enum(['list', 'run']).default('list'),
  id: z.string().regex(REPLICATION_ID).optional(),
  /** Node status reads in flight at once. */
  concurrency: z.number().int().min(1).default(4),
  pollMs: z.number().int().min(50).default(1_000),
  timeoutMs: z
    .number()
    .int()
    .min(1_000)
    .default(30 * 60_000),
});

/** `TestVM (100)`, or the vmid alone when the guest is not visible. */
function guestName(guests: Map<number, GuestResource>, vmid: number): string {
  const guest = guests.get(vmid);
  return guest?.name ? `${guest.name} (${vmid})` : String(vmid);
}

function ago(epoch: number): string {
  const seconds = Date.now() / 1000 - epoch;
  return seconds < 5 ? 'just now' : `${duration(seconds)} ago`;
}

function seconds(value: number | undefined): string {
  return value === undefined ? '?' : `${Math.round(value * 10) / 10} s`;
}

// One line per job: `103-0 · files01 (103) node03 → node01 · schedule */15 · last sync 4 min ago (took 2.4 s) · OK`
export function describeReplication(
  job: ReplicationJob,
  state: ReplicationStatus | undefined,
  guests: Map<number, GuestResource>,
): string {
  const source = guests.get(job.guest)?.node;
  const parts = [
    job.id,
    `${guestName(guests, job.guest)} ${source ? `${source} ` : ''}→ ${job.target}`,
    `schedule ${job.schedule ?? '*/15'}`,
  ];
  if (job.disable) parts.push('disabled');
  if (!state) {
    parts.push('state unknown (its node did not answer)');
    return parts.join(' · ');
  }
  parts.push(
    state.last_sync ? `last sync ${ago(state.last_sync)} (took ${seconds(state.duration)})` : 'never synced',
  );
  if (state.pid !== undefined) parts.push('syncing now');
  const fails = state.fail_count ?? 0;
  parts.push(fails > 0 ? `FAILED ${fails}×: ${state.error ?? 'no error text'}` : 'OK');
  return parts.join(' · ');
}

export const replicationKind = defineJobKind({
  name: 'replication',
  payload: replicationPayloadSchema,
  async run(ctx): Promise<JobOutcome> {
    const { signal } = ctx;
    const [jobs, vms] = await Promise.all([
      ctx.pve.replicationJobs(signal),
      ctx.pve.clusterResources('vm', signal),
    ]);
    const guests = new Map(vms.map((g) => [g.vmid, g as GuestResource]));
    if (ctx.payload.action === 'run') return runNow(ctx, jobs, guests);
    if (jobs.length === 0) return { summary: 'No replication jobs are configured' };
    const nodes = [...new Set(jobs.flatMap((job) => guests.get(job.guest)?.node ?? []))];
    const states = new Map<string, ReplicationStatus>();
    const unread: string[] = [];
    await runBounded(
      nodes.map((node) => async () => {
        try {
          for (const state of await ctx.pve.nodeReplicationStatus(node, signal)) states.set(state.id, state);
        } catch {
          unread.push(node);
        }
      }),
      ctx.payload.concurrency,
      signal,
    );
    const failing = jobs.filter((job) => (states.get(job.id)?.fail_count ?? 0) > 0);
    const lines = jobs.map((job) => describeReplication(job, states.get(job.id), guests));
    if (unread.length > 0) lines.push(`Not read (node did not answer): ${unread.sort().join(', ')}`);
    return {
      summary: `${jobs.length} replication job${jobs.length === 1 ? '' : 's'}${failing.length > 0 ? `, ${failing.length} failing` : ', none failing'}`,
      text: lines.join('\n'),
      details: { jobs: jobs.length, failing: failing.map((job) => job.id) },
    };
  },
});

type ReplicationContext = JobContext<z.output<typeof replicationPayloadSchema>>;

async function runNow(
  ctx: ReplicationContext,
  jobs: ReplicationJob[],
  guests: Map<number, GuestResource>,
): Promise<JobOutcome> {
  const { id, pollMs, timeoutMs } = ctx.payload;
  const deadline = await ctx.memo('deadline', async () => Date.now() + timeoutMs);
  const waitForRun = async (
    signal: AbortSignal,
    check: () => Promise<ReplicationStatus | undefined>,
  ): Promise<ReplicationStatus> => {
    for (;;) {
      const state = await check();
      if (state) return state;
      if (Date.now() >= deadline)
        throw new JobError(JobErrorCode.Stale, `gave up waiting for replication ${id} to finish`);
      await sleep(pollMs, undefined, { signal });
    }
  };
  const job = jobs.find((j) => j.id === id);
  if (!job) {
    const known = jobs.map((j) => j.id).join(', ');
    throw new JobError(
      JobErrorCode.Stale,
      `There is no replication job ${id}${known ? ` (there are: ${known})` : ' (none is configured)'}.`,
    );
  }
  const node = guests.get(job.guest)?.node;
  if (!node)
    throw new JobError(
      JobErrorCode.Stale,
      `The guest of replication job ${job.id} (${job.guest}) is not in the cluster.`,
    );
  const label = `${job.id} ${guestName(guests, job.guest)} ${node} → ${job.target}`;
  const stateOf = async (signal: AbortSignal) =>
    (await ctx.pve.nodeReplicationStatus(node, signal)).find((s) => s.id === job.id);
  // What the status said before asking, so a resumed job waits for the same run.
  const before = await ctx.memo('before', async () => {
    const state = await stateOf(ctx.signal);
    return { lastTry: state?.last_try ?? 0, running: state?.pid !== undefined };
  });
  await ctx.memo('sent', async () => {
    await ctx.progress(`running replication ${label} now`);
    if (!before.running) await ctx.pve.scheduleReplicationNow(node, job.id, ctx.signal);
    return true;
  });
  const state = await ctx.watch('finished', `waiting for replication ${label} to finish`, (signal) =>
    waitForRun(signal, async () => {
      const s = await stateOf(signal).catch(() => undefined);
      if (!s || s.pid !== undefined) return undefined;
      return before.running || (s.last_try ?? 0) > before.lastTry ? s : undefined;
    }),
  );
  const fails = state.fail_count ?? 0;
  if (fails > 0) {
    const log = await ctx.pve.replicationLog(node, job.id, { limit: 0 }, ctx.signal).catch(() => []);
    throw new JobError(
      JobErrorCode.UpgradeFailed,
      `Replication ${label} failed (${fails === 1 ? '1 failure' : `${fails} failures in a row`}): ${state.error ?? 'PVE gave no error text'}${
        log.length > 0
          ? `\n${log
              .slice(-5)
              .map((l) => l.t)
              .join('\n')}`
          : ''
      }`,
    );
  }
  return {
    summary: `Replication ${label} synced in ${seconds(state.duration)}`,
    details: { id: job.id, duration: state.duration, lastSync: state.last_sync },
  };
}
