// replication-create: a storage replication job for a guest to a target node, numbered with the
// guest's next free job number (`<vmid>-<n>`). The core refused beforehand a target that is the
// guest's own node, unknown or offline; this refuses a second job to the same target, and PVE
// refuses with its own words a volume that cannot replicate. It waits for PVE's answer only.
import { z } from 'zod';
import { JobError, JobErrorCode } from '../job-error.js';
import { defineJobKind } from '../job-kind.js';
import { guestLabel, guestLock, guestTargetSchema } from './guest-target.js';

export const replicationCreatePayloadSchema = z.object({
  guest: guestTargetSchema,
  target: z.string().min(1),
  schedule: z.string().min(1).default('*/15'),
});

export const replicationCreateKind = defineJobKind({
  name: 'replication-create',
  payload: replicationCreatePayloadSchema,
  locks: (payload) => [guestLock(payload.guest)],
  async run(ctx) {
    const { guest, target, schedule } = ctx.payload;
    const label = guestLabel(guest);
    const id = await ctx.memo('id', async () => {
      const jobs = (await ctx.pve.replicationJobs(ctx.signal)).filter((job) => job.guest === guest.vmid);
      const same = jobs.find((job) => job.target === target);
      if (same) {
        throw new JobError(
          JobErrorCode.Stale,
          `${label} already replicates to ${target} (job ${same.id}, schedule ${same.schedule ?? '*/15'}); \`replication run ${same.id}\` runs it now.`,
        );
      }
      const taken = new Set(jobs.map((job) => job.jobnum ?? Number(job.id.split('-')[1])));
      let n = 0;
      while (taken.has(n)) n += 1;
      return `${guest.vmid}-${n}`;
    });
    await ctx.memo('created', async () => {
      await ctx.progress(`creating replication job ${id}: ${label} → ${target}`);
      await ctx.pve.createReplicationJob({ id, target, schedule }, ctx.signal);
      return true;
    });
    return {
      summary: `Replication job ${id} created: ${label} ${guest.node} → ${target}, schedule ${schedule}; its first (full) sync starts now`,
      details: { id, target, schedule },
    };
  },
});
