// migrate: plan with PVE's own precondition (online, local disks, LXC restart), one migration
// task, and for HA-managed guests the wait until the HA stack really moved the guest.
import { z } from 'zod';
import { followHaMigration } from '../../proxmox/follow-ha-migration.js';
import { parseUpid } from '../../proxmox/parse-upid.js';
import type { MigrationPlan } from '../../proxmox/plan-migration.js';
import { JobError, JobErrorCode } from '../job-error.js';
import { defineJobKind } from '../job-kind.js';
import { guestLabel, guestLock, guestTargetSchema, locateGuest } from './guest-target.js';

export const migratePayloadSchema = z.object({
  guest: guestTargetSchema,
  target: z.string().min(1),
  /** `offline` refuses to migrate a running guest instead of choosing a live migration. */
  mode: z.enum(['auto', 'online', 'offline']).default('auto'),
});

type Plan = (MigrationPlan & { already?: false }) | { already: true; node: string };

export const migrateKind = defineJobKind({
  name: 'migrate',
  payload: migratePayloadSchema,
  locks: (payload) => [guestLock(payload.guest)],
  async run(ctx) {
    const { guest: requested, target, mode } = ctx.payload;
    const plan = await ctx.memo<Plan>('plan', async () => {
      const current = await locateGuest(ctx.pve, requested, ctx.signal);
      if (current.node === target) return { already: true, node: current.node };
      if (current.node !== requested.node) {
        throw new JobError(
          JobErrorCode.Stale,
          `${guestLabel(current)} moved from ${requested.node} to ${current.node} since the request; ask again`,
        );
      }
      const planned = await ctx.pve.planMigration(current, target, {
        ...(current.hastate === undefined ? {} : { hastate: current.hastate }),
        signal: ctx.signal,
      });
      if (mode === 'offline' && planned.running) {
        throw new JobError(
          JobErrorCode.Stale,
          `${guestLabel(current)} is running: an offline migration needs it stopped first (or migrate it live)`,
        );
      }
      return planned;
    });
    const label = guestLabel(requested);
    if (plan.already) return { summary: `${label} already runs on ${target}; nothing to do` };

    const how = plan.online ? 'live' : plan.restart ? 'restart mode' : 'offline';
    const disks = plan.withLocalDisks ? ', with local disks' : '';
    const upid = await ctx.runTask('migrate', () => ctx.pve.startMigration(plan, ctx.signal), {
      types: [plan.guest.type === 'qemu' ? 'qmigrate' : 'vzmigrate', 'hamigrate'],
      vmid: plan.guest.vmid,
    });
    const task = await ctx.watchTask(
      'migrate',
      upid,
      `migrating ${label} ${plan.guest.node} → ${target}, ${how}${disks}`,
    );
    // PVE says whether the HA stack moves the guest: it answers with a hamigrate task then.
    if (parseUpid(upid).type === 'hamigrate') {
      await ctx.watch('ha', `waiting for the HA stack to move ${label} to ${target}`, (signal) =>
        followHaMigration(ctx.pve.transport, plan.guest, target, { haUpid: upid, signal }),
      );
    }
    return {
      summary: `${label} now runs on ${target} (migrated ${how}${disks})`,
      upid,
      logTail: task.logTail,
    };
  },
});
