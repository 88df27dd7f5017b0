import { z } from 'zod';
import { pveBool, pveInt, pveNumber, pveString } from './pve-values.js';

// Unknown fields are passed through (z.looseObject): PVE adds fields between releases
// (`memhost`, `network` entries in 9.x) and the schema's `returns` are often incomplete.

const resourceBase = {
  id: z.string(),
  node: z.string().optional(),
  status: z.string().optional(),
  cpu: pveNumber.optional(),
  maxcpu: pveNumber.optional(),
  mem: pveNumber.optional(),
  maxmem: pveNumber.optional(),
  disk: pveNumber.optional(),
  maxdisk: pveNumber.optional(),
  uptime: pveNumber.optional(),
};

export const guestResourceSchema = z.looseObject({
  ...resourceBase,
  type: z.enum(['qemu', 'lxc']),
  vmid: pveInt,
  node: z.string(),
  name: pveString.optional(),
  template: pveBool.optional(),
  lock: z.string().optional(),
  tags: z.string().optional(),
  pool: z.string().optional(),
  /** The HA service state (`started`, `stopped`, `migrate`, …); present only if HA-managed. */
  hastate: z.string().optional(),
});
export type GuestResource = z.output<typeof guestResourceSchema>;

export const nodeResourceSchema = z.looseObject({
  ...resourceBase,
  type: z.literal('node'),
  node: z.string(),
  level: z.string().optional(),
  hastate: z.string().optional(),
});
export type NodeResource = z.output<typeof nodeResourceSchema>;

export const storageResourceSchema = z.looseObject({
  ...resourceBase,
  type: z.literal('storage'),
  storage: z.string(),
  node: z.string(),
  plugintype: z.string().optional(),
  shared: pveBool.optional(),
  content: z.string().optional(),
});
export type StorageResource = z.output<typeof storageResourceSchema>;

/**
 * Pools, 8.x `sdn` zones, 9.x `network` entries and whatever later releases add. Nothing reads
 * these beyond their type, so a field of an unexpected shape is dropped rather than failing the
 * whole list: a new kind of entry must never break a read.
 */
export const otherResourceSchema = z.looseObject({
  type: z.string(),
  id: z.string().optional().catch(undefined),
  node: z.string().optional().catch(undefined),
  status: z.string().optional().catch(undefined),
  cpu: pveNumber.optional().catch(undefined),
  maxcpu: pveNumber.optional().catch(undefined),
  mem: pveNumber.optional().catch(undefined),
  maxmem: pveNumber.optional().catch(undefined),
  disk: pveNumber.optional().catch(undefined),
  maxdisk: pveNumber.optional().catch(undefined),
  uptime: pveNumber.optional().catch(undefined),
});
export type OtherResource = z.output<typeof otherResourceSchema>;

export type ClusterResource = GuestResource | NodeResource | StorageResource | OtherResource;

/** One entry; the known types are checked strictly so a bad guest entry is not silently "other". */
const clusterResourceSchema = z.unknown().transform((value, ctx): ClusterResource => {
  const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
  const schema =
    type === 'qemu' || type === 'lxc'
      ? guestResourceSchema
      : type === 'node'
        ? nodeResourceSchema
        : type === 'storage'
          ? storageResourceSchema
          : otherResourceSchema;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) ctx.addIssue({ ...issue, code: 'custom', message: issue.message });
  return z.NEVER;
});
export const clusterResourcesSchema = z.array(clusterResourceSchema);

export const clusterStatusEntrySchema = z.looseObject({
  type: z.string(),
  id: z.string(),
  name: z.string().optional(),
  nodes: pveInt.optional(),
  version: pveInt.optional(),
  quorate: pveBool.optional(),
  nodeid: pveInt.optional(),
  local: pveBool.optional(),
  online: pveBool.optional(),
  ip: z.string().optional(),
  level: z.string().optional(),
});
export const clusterStatusSchema = z.array(clusterStatusEntrySchema);

export const versionSchema = z.looseObject({
  version: z.string(),
  release: z.string(),
  repoid: z.string().optional(),
});
export type PveVersion = z.output<typeof versionSchema>;

/** `/cluster/nextid` answers a string ("105") although the schema says integer. */
export const nextIdSchema = pveInt;

export const clusterTaskSchema = z.looseObject({
  upid: z.string(),
  node: z.string(),
  type: z.string(),
  id: pveString.optional(),
  user: z.string().optional(),
  starttime: pveInt.optional(),
  endtime: pveInt.optional(),
  status: z.string().optional(),
});
export type ClusterTask = z.output<typeof clusterTaskSchema>;
export const clusterTasksSchema = z.array(clusterTaskSchema);
