// create: a new empty VM. The vmid is chosen once (memo) and the qmcreate task started once, so a
// worker that dies mid-way resumes the same VM; the disk goes on the node's image storage with the
// most room (local storage before shared, as the guide's local-lvm).
import { z } from 'zod';
import { JobError, JobErrorCode } from '../job-error.js';
import { defineJobKind } from '../job-kind.js';

export const createPayloadSchema = z.object({
  name: z.string().min(1),
  node: z.string().min(1),
  memoryMiB: z.number().int().min(64),
  cores: z.number().int().min(1),
  diskGiB: z.number().int().min(1),
  start: z.boolean().default(false),
});

export const createKind = defineJobKind({
  name: 'create',
  payload: createPayloadSchema,
  locks: (payload) => [
    { key: `guest-name:${payload.name.toLowerCase()}`, label: `the name ${payload.name}` },
  ],
  async run(ctx) {
    const { name, node, memoryMiB, cores, diskGiB, start } = ctx.payload;
    const vmid = await ctx.memo('vmid', () => ctx.pve.nextId(undefined, ctx.signal));
    const storage = await ctx.memo('storage', async () => {
      const storages = (await ctx.pve.nodeStorages(node, 'images', ctx.signal)).filter(
        (s) => s.enabled !== false && s.active !== false,
      );
      const [best] = storages.sort(
        (a, b) => Number(a.shared === true) - Number(b.shared === true) || (b.avail ?? 0) - (a.avail ?? 0),
      );
      if (!best)
        throw new JobError(JobErrorCode.Stale, `${node} has no active storage for VM disks (content images)`);
      return best.storage;
    });
    const upid = await ctx.runTask(
      'create',
      () =>
        ctx.pve.createVm(node, { vmid, name, memoryMiB, cores, storage, diskGiB, start, signal: ctx.signal }),
      { types: ['qmcreate'], vmid },
    );
    const task = await ctx.watchTask('create', upid, `creating ${name} (qemu/${vmid}) on ${node}`);
    return {
      summary: `Created ${name} (qemu/${vmid}) on ${node}: ${cores} cores, ${memoryMiB} MiB, ${diskGiB} GiB on ${storage}${start ? ', running' : ''}`,
      upid,
      logTail: task.logTail,
      details: { vmid },
    };
  },
});
