import { z } from 'zod';
import { pveBool, pveInt, pveNumber, pveString } from './pve-values.js';

/** A started task: the UPID string. */
export const upidSchema = z.string().startsWith('UPID:');

export const guestStatusSchema = z.looseObject({
  vmid: pveInt.optional(),
  status: z.string(),
  name: pveString.optional(),
  lock: z.string().optional(),
  template: pveBool.optional(),
  qmpstatus: z.string().optional(),
  uptime: pveNumber.optional(),
  ha: z.looseObject({ managed: pveBool.optional(), state: z.string().optional() }).optional(),
});
export type GuestStatus = z.output<typeof guestStatusSchema>;

// `not_allowed_nodes` is documented as an object but is a map keyed by node name; QEMU lists every
// other node there, allowed ones with `{}` (test/conformance/pve/fixtures/guests).
const notAllowedReasonSchema = z.looseObject({
  unavailable_storages: z.array(z.string()).optional(),
  'unavailable-resources': z.array(z.unknown()).optional(),
  'blocking-ha-resources': z
    .array(z.union([z.string(), z.looseObject({ sid: z.string(), cause: z.string().optional() })]))
    .optional(),
});
export type NotAllowedReason = z.output<typeof notAllowedReasonSchema>;

// A flag in the precondition's disk entries: any Perl-true value (1, "1", true) counts.
const flag = z
  .unknown()
  .optional()
  .transform(
    (value) =>
      value !== undefined &&
      value !== null &&
      value !== 0 &&
      value !== '0' &&
      value !== false &&
      value !== '',
  );

/** QEMU's precondition GET: keys with underscores. */
export const qemuMigratePreconditionSchema = z.looseObject({
  running: pveBool.optional(),
  allowed_nodes: z.array(z.string()).optional(),
  not_allowed_nodes: z.record(z.string(), notAllowedReasonSchema).optional(),
  local_disks: z
    .array(z.looseObject({ volid: z.string().optional(), cdrom: flag, is_unused: flag, is_cloudinit: flag }))
    .optional(),
  /** Host devices by config key (`hostpci0`, `usb0`): a running VM cannot move with them. */
  local_resources: z.array(pveString).optional(),
});

/** LXC's precondition GET (PVE 9.x only): the same ideas with hyphenated keys. */
export const lxcMigratePreconditionSchema = z.looseObject({
  running: pveBool.optional(),
  'allowed-nodes': z.array(z.string()).optional(),
  'not-allowed-nodes': z.record(z.string(), notAllowedReasonSchema).optional(),
});

export const nullSchema = z.unknown();
