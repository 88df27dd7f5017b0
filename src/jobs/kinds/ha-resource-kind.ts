// ha-add / ha-remove: `ha-manager add|remove` through the API, then wait until the HA stack
// reports the resource (the CRM took it over) or no longer does. The request itself returns at
// once; the CRM picks it up in its next round (pve-ha-manager src/PVE/API2/HA/Resources.pm create/delete only write resources.cfg).
import { z } from 'zod';
import { PveError } from '../../proxmox/pve-error.js';
import { defineJobKind } from '../job-kind.js';
import { pollUntil } from '../upgrade/poll-until.js';
import { guestLabel, guestLock, guestTargetSchema } from './guest-target.js';

const common = {
  guest: guestTargetSchema,
  sid: z.string().regex(/^(vm|ct):\d+$/),
  timeoutMs: z
    .number()
    .int()
    .min(1_000)
    .default(5 * 60_000),
  pollMs: z.number().int().min(50).default(1_000),
};

export const haAddKind = defineJobKind({
  name: 'ha-add',
  payload: z.object({ ...common, state: z.enum(['started', 'stopped']).default('started') }),
  locks: (payload) => [guestLock(payload.guest)],
  async run(ctx) {
    const { guest, sid, state, pollMs, timeoutMs } = ctx.payload;
    const label = guestLabel(guest);
    await ctx.memo('added', async () => {
      await ctx.progress(`adding ${label} to HA as ${sid}`);
      const managed = (await ctx.pve.haResources(ctx.signal)).some((r) => r.sid === sid);
      // A worker that died right after asking finds it already added.
      if (!managed) await ctx.pve.addHaResource(sid, state, ctx.signal);
      return true;
    });
    const service = await ctx.watch('reported', `waiting for the HA stack to report ${sid}`, (signal) =>
      pollUntil(
        async () => {
          const entry = (await ctx.pve.haStatus(signal)).find((e) => e.type === 'service' && e.sid === sid);
          return entry?.state === state ? { node: entry.node, state: entry.state } : undefined;
        },
        { signal, intervalMs: pollMs, timeoutMs, what: `the HA stack to report ${sid} ${state}` },
      ),
    );
    return {
      summary: `${label} is HA-managed as ${sid}: ${service.state} on ${service.node ?? guest.node}`,
      details: { sid, state: service.state, node: service.node },
    };
  },
});

export const haRemoveKind = defineJobKind({
  name: 'ha-remove',
  payload: z.object(common),
  locks: (payload) => [guestLock(payload.guest)],
  async run(ctx) {
    const { guest, sid, pollMs, timeoutMs } = ctx.payload;
    const label = guestLabel(guest);
    await ctx.memo('removed', async () => {
      await ctx.progress(`removing ${sid} (${label}) from HA`);
      try {
        await ctx.pve.removeHaResource(sid, ctx.signal);
      } catch (error) {
        // Already gone (a worker that died right after asking): nothing left to do.
        if (!(error instanceof PveError && /not HA managed/i.test(error.message))) throw error;
      }
      return true;
    });
    await ctx.watch('gone', `waiting for the HA stack to drop ${sid}`, (signal) =>
      pollUntil(
        async () =>
          (await ctx.pve.haStatus(signal)).some((e) => e.type === 'service' && e.sid === sid)
            ? undefined
            : true,
        { signal, intervalMs: pollMs, timeoutMs, what: `the HA stack to drop ${sid}` },
      ),
    );
    return {
      summary: `${label} is no longer HA-managed; it stays as it is on its node and is not recovered if that node fails`,
      details: { sid },
    };
  },
});

export const haResourceKinds = [haAddKind, haRemoveKind] as const;
