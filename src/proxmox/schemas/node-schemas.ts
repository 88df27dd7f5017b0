import { z } from 'zod';
import { pveBool, pveNumber } from './pve-values.js';

export const nodeListEntrySchema = z.looseObject({
  node: z.string(),
  status: z.string(),
  cpu: pveNumber.optional(),
  maxcpu: pveNumber.optional(),
  mem: pveNumber.optional(),
  maxmem: pveNumber.optional(),
  uptime: pveNumber.optional(),
  level: z.string().optional(),
  ssl_fingerprint: z.string().optional(),
});
export type NodeListEntry = z.output<typeof nodeListEntrySchema>;
export const nodeListSchema = z.array(nodeListEntrySchema);

const memorySchema = z.looseObject({
  total: pveNumber.optional(),
  used: pveNumber.optional(),
  free: pveNumber.optional(),
});

/** Fields the schema leaves out (`uptime`, `kversion`, `swap`…) are read from the code. */
export const nodeStatusSchema = z.looseObject({
  uptime: pveNumber.optional(),
  cpu: pveNumber.optional(),
  wait: pveNumber.optional(),
  loadavg: z.array(pveNumber).optional(),
  kversion: z.string().optional(),
  pveversion: z.string().optional(),
  'current-kernel': z.looseObject({ release: z.string().optional() }).optional(),
  'boot-info': z.looseObject({ mode: z.string().optional(), secureboot: pveBool.optional() }).optional(),
  cpuinfo: z.looseObject({}).optional(),
  memory: memorySchema.optional(),
  swap: memorySchema.optional(),
  rootfs: memorySchema.optional(),
});
export type NodeStatus = z.output<typeof nodeStatusSchema>;
