// migrate: plan with PVE's own precondition (online, local disks, LXC restart), one migration
// task, and for HA-managed guests the wait until the HA stack really moved the guest.
import { z } from 'zod';
import { JobErrorCode } from '../job-error.js';
import { defineJobKind } from '../job-kind.js';
import { describeMigration, migrateGuestStep } from '../steps/migrate-guest-step.js';
import { guestLabel, guestLock, guestTargetSchema } from './guest-target.js';

export const migratePayloadSchema = z.object({
  guest: guestTargetSchema,
  target: z.string().min(1),
  /** `offline` refuses to migrate a running guest instead of choosing a live migration. */
  mode: z.enum(['auto', 'online', 'offline']).default('auto'),
});

export const migrateKind = defineJobKind({
  name: 'migrate',
  payload: migratePayloadSchema,
  locks: (payload) => [guestLock(payload.guest)],
  guestsAtRisk: (payload) => [payload.guest],
  async run(ctx) {
    const { guest, target, mode } = ctx.payload;
    const label = guestLabel(guest);
    // The names this kind always kept its plan and HA wait under, so running jobs resume.
    const outcome = await migrateGuestStep(ctx, 'migrate', guest, target, {
      mode,
      errorCode: JobErrorCode.Stale,
      names: { plan: 'plan', haWait: 'ha' },
    });
    if (outcome.status === 'already') return { summary: `${label} already runs on ${target}; nothing to do` };
    return {
      summary: `${label} now runs on ${target} (migrated ${describeMigration(outcome.plan)})`,
      upid: outcome.upid,
      logTail: outcome.task.logTail,
    };
  },
});
