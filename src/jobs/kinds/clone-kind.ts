// clone: `qm clone <id> <newid> --full` (or `pct clone`) as the guides do it, with a new id from
// /cluster/nextid that survives a crash (chosen once, kept in the job).
import { z } from 'zod';
import { newidTakenError } from '../../proxmox/clone-guest.js';
import { isPveError, PveErrorCode } from '../../proxmox/pve-error.js';
import type { GuestResource } from '../../proxmox/schemas/cluster-schemas.js';
import { defineJobKind } from '../job-kind.js';
import { guestLabel, guestLock, guestTargetSchema, locateGuest } from './guest-target.js';

export const clonePayloadSchema = z.object({
  source: guestTargetSchema,
  /** The new guest's name (PVE checks it as a DNS name). */
  name: z.string().min(1),
  newid: z.number().int().min(100).max(999_999_999).optional(),
  target: z.string().min(1).optional(),
  pool: z.string().min(1).optional(),
  /** A full copy (the guides' `--full`); false makes a linked clone of a template. */
  full: z.boolean().default(true),
});

// nextid is only a hint: another clone can take the id before ours starts.
const ID_ATTEMPTS = 3;

export const cloneKind = defineJobKind({
  name: 'clone',
  payload: clonePayloadSchema,
  // Templates can be cloned by several jobs at once; a normal guest is locked while copied.
  locks: (payload) => [guestLock(payload.source)],
  async run(ctx) {
    const { source, name, target, pool, full } = ctx.payload;
    const guest = await ctx.memo<GuestResource>('source', () => locateGuest(ctx.pve, source, ctx.signal));
    const label = guestLabel(guest);
    let newid = 0;
    const upid = await ctx.runTask(
      'clone',
      async () => {
        for (let attempt = 1; ; attempt++) {
          newid = await ctx.memo(
            'newid',
            async () => ctx.payload.newid ?? (await ctx.pve.nextId(undefined, ctx.signal)),
          );
          try {
            const started = await ctx.pve.clone(guest, {
              name,
              newid,
              full,
              ...(target === undefined ? {} : { target }),
              ...(pool === undefined ? {} : { pool }),
              signal: ctx.signal,
            });
            return started.upid;
          } catch (error) {
            const taken = isPveError(error, PveErrorCode.VmidExists);
            if (!taken || ctx.payload.newid !== undefined || attempt >= ID_ATTEMPTS) throw error;
            await ctx.forget('newid');
          }
        }
      },
      { types: [guest.type === 'qemu' ? 'qmclone' : 'vzclone'], vmid: guest.vmid },
    );
    newid = await ctx.memo('newid', async () => newid);
    const where = target ?? guest.node;
    const kindLabel = `${name} (${guest.type}/${newid})`;
    const task = await ctx
      .watchTask('clone', upid, `cloning ${label} → ${kindLabel} on ${where}`)
      .catch((error: unknown) => {
        throw newidTakenError(error);
      });
    return {
      summary: `${kindLabel} created on ${where} as a ${full ? 'full' : 'linked'} clone of ${label}`,
      upid,
      logTail: task.logTail,
      details: { newid, name, node: where },
    };
  },
});
