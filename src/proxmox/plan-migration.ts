import type { z } from 'zod';
import { type ClusterState, getClusterStatus } from './cluster-api.js';
import type { PveParams } from './encode-params.js';
import { getGuestStatus } from './guest-power.js';
import { type GuestRef, guestPath } from './guest-ref.js';
import { isPveError, PveError, PveErrorCode } from './pve-error.js';
import type { PveTransport } from './pve-transport.js';
import {
  lxcMigratePreconditionSchema,
  type NotAllowedReason,
  qemuMigratePreconditionSchema,
} from './schemas/guest-schemas.js';

// `<storage>:vm-<id>-cloudinit` (with an optional format suffix on file storages).
const CLOUD_INIT = /(?:^|[:/])vm-\d+-cloudinit(?:\.\w+)?$/;

export interface MigrationPlan {
  guest: GuestRef;
  target: string;
  running: boolean;
  /**
   * HA-managed: PVE will answer with a `hamigrate` task and the HA stack moves the guest later.
   * A resource in the `ignored` state is not HA-managed (it gets a plain migration). This is a
   * forecast; `waitForMigration` decides from the UPID PVE actually returned.
   */
  haManaged: boolean;
  /** QEMU live migration. */
  online: boolean;
  /** LXC restart migration (shutdown, move, start): LXC has no live migration. */
  restart: boolean;
  withLocalDisks: boolean;
  /** Local disk volumes `with-local-disks` will copy (CD-ROMs and unused volumes left out). */
  localDisks: string[];
  /** The POST parameters, ready to send. */
  params: PveParams;
}

export interface PlanMigrationOptions {
  /** `hastate` from `/cluster/resources`, if the caller already has it (`ignored` is unmanaged). */
  hastate?: string;
  signal?: AbortSignal;
}

/**
 * Reads the guest's state and PVE's own migration precondition, then chooses the flags PVE
 * requires: `online=1` for a running VM (else 500 `can't migrate running VM without --online`),
 * `with-local-disks=1` when it has local disks, `restart=1` for a running CT (`online` always
 * fails for CTs: pve-container has no live migration, the task errors out). Refuses early, with the
 * reasons, when the target node is offline or the precondition lists it as not allowed.
 */
export async function planMigration(
  transport: PveTransport,
  guest: GuestRef,
  target: string,
  options: PlanMigrationOptions = {},
): Promise<MigrationPlan> {
  const { signal } = options;
  if (target === guest.node) {
    throw blocked(guest, target, [`${label(guest)} is already on ${target}`]);
  }
  await refuseOfflineTarget(transport, guest, target, signal);
  const status = await getGuestStatus(transport, guest, signal);
  // `/cluster/resources` shows a hastate for ignored resources too, which are not HA-managed.
  const haManaged =
    (options.hastate !== undefined && options.hastate !== 'ignored') ||
    (status.ha?.managed === true && status.ha.state !== 'ignored');
  let running = status.status === 'running';
  let localDisks: string[] = [];
  let verdict: TargetVerdict = { allowed: undefined, notAllowed: undefined };
  const reasons: string[] = [];

  if (guest.type === 'qemu') {
    const pre = await readQemuPrecondition(transport, guest, target, signal);
    running = pre.running ?? running;
    const disks = (pre.local_disks ?? []).flatMap((d) => (d.volid ? [{ ...d, volid: d.volid }] : []));
    // CD-ROMs and unused volumes are not what `with-local-disks` mirrors.
    localDisks = disks.filter((d) => !d.cdrom && !d.is_unused).map((d) => d.volid);
    verdict = { allowed: pre.allowed_nodes, notAllowed: pre.not_allowed_nodes };
    const devices = pre.local_resources ?? [];
    if (running && devices.length > 0) {
      reasons.push(`the running VM uses local devices: ${devices.join(', ')}`);
    }
    // An ISO on local storage does not exist on the target; a cloud-init drive is rebuilt there.
    // (PVE 9 flags the cloud-init drive with `is_cloudinit`; 8.4 only names it `vm-<id>-cloudinit`.)
    const isos = disks
      .filter((d) => d.cdrom && !d.is_cloudinit && !CLOUD_INIT.test(d.volid))
      .map((d) => d.volid);
    if (isos.length > 0) reasons.push(`local CD-ROM image attached: ${isos.join(', ')}`);
  } else {
    try {
      const pre = await readLxcPrecondition(transport, guest, target, signal);
      running = pre.running ?? running;
      verdict = { allowed: pre['allowed-nodes'], notAllowed: pre['not-allowed-nodes'] };
    } catch (error) {
      // PVE 8.4 has no LXC precondition GET (501); status/current already told us enough.
      if (!isPveError(error, PveErrorCode.UnknownEndpoint)) throw error;
    }
  }

  reasons.unshift(...refusalsFor(target, verdict, `GET ${guestPath(guest)}/migrate`));
  if (reasons.length > 0) throw blocked(guest, target, reasons);

  const online = guest.type === 'qemu' && running;
  const restart = guest.type === 'lxc' && running;
  const withLocalDisks = guest.type === 'qemu' && localDisks.length > 0;
  const params: PveParams = { target };
  if (online) params.online = true;
  if (restart) params.restart = true;
  if (withLocalDisks) params['with-local-disks'] = true;
  return { guest, target, running, haManaged, online, restart, withLocalDisks, localDisks, params };
}

export type QemuMigratePrecondition = z.infer<typeof qemuMigratePreconditionSchema>;
export type LxcMigratePrecondition = z.infer<typeof lxcMigratePreconditionSchema>;
export type MigratePrecondition = QemuMigratePrecondition | LxcMigratePrecondition;

/**
 * GET /nodes/{node}/{type}/{vmid}/migrate alone, as PVE answers it for the guest's type (a PveError UnknownEndpoint for
 * a CT on PVE 8.4, which has no LXC precondition).
 */
export function readMigratePrecondition(
  transport: PveTransport,
  guest: GuestRef,
  target: string,
  signal?: AbortSignal,
): Promise<MigratePrecondition> {
  return guest.type === 'qemu'
    ? readQemuPrecondition(transport, guest, target, signal)
    : readLxcPrecondition(transport, guest, target, signal);
}

function readQemuPrecondition(
  transport: PveTransport,
  guest: GuestRef,
  target: string,
  signal: AbortSignal | undefined,
): Promise<QemuMigratePrecondition> {
  return transport.request('GET', `${guestPath(guest)}/migrate`, {
    params: { target },
    schema: qemuMigratePreconditionSchema,
    signal,
  });
}

function readLxcPrecondition(
  transport: PveTransport,
  guest: GuestRef,
  target: string,
  signal: AbortSignal | undefined,
): Promise<LxcMigratePrecondition> {
  return transport.request('GET', `${guestPath(guest)}/migrate`, {
    params: { target },
    schema: lxcMigratePreconditionSchema,
    signal,
  });
}

/**
 * One GET /cluster/status: a target that is offline would only fail later, inside the task
 * (or never be picked up by the HA stack). Without Sys.Audit on `/` the check is skipped.
 */
async function refuseOfflineTarget(
  transport: PveTransport,
  guest: GuestRef,
  target: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  let cluster: ClusterState;
  try {
    cluster = await getClusterStatus(transport, signal);
  } catch (error) {
    if (isPveError(error, PveErrorCode.Permission)) return;
    throw error;
  }
  const node = cluster.nodes.find((n) => n.name === target);
  if (node && !node.online) throw blocked(guest, target, ['target node offline']);
}

interface TargetVerdict {
  /** `allowed_nodes` (QEMU) / `allowed-nodes` (LXC): absent on answers older than PVE 8. */
  allowed: string[] | undefined;
  /** `not_allowed_nodes` / `not-allowed-nodes`: a map keyed by node name. */
  notAllowed: Record<string, NotAllowedReason> | undefined;
}

/**
 * Why PVE refuses `target`, from its precondition answer; empty when it may go there.
 *
 * QEMU lists EVERY other cluster node under `not_allowed_nodes`, the allowed ones with an empty
 * object (qemu-server `migrate_vm_precondition` autovivifies `{}` for each node it inspects);
 * LXC (PVE 9) leaves the allowed ones out. So the presence of an entry means nothing: a node is
 * refused for what its entry holds, and `allowed_nodes` is the list PVE itself derives from
 * exactly that (a node is allowed when its entry is empty). An entry holding only keys we do not
 * know refuses the migration with their names rather than guessing what they allow.
 */
function refusalsFor(target: string, verdict: TargetVerdict, endpoint: string): string[] {
  const entry = verdict.notAllowed?.[target];
  const known = entry ? describeNotAllowed(entry) : [];
  if (verdict.allowed?.includes(target)) return [];
  if (known.length > 0) return known;
  const unknownKeys = entry ? Object.keys(entry).filter((key) => !KNOWN_REASON_KEYS.has(key)) : [];
  if (unknownKeys.length > 0) {
    return [
      `${endpoint} refuses ${target} for ${unknownKeys.map((key) => `not_allowed_nodes.${target}.${key}`).join(', ')}, which this version of pve-chatops does not understand`,
    ];
  }
  if (verdict.allowed === undefined) return []; // An older answer: only an entry's content refuses.
  return [`${target} is not among the nodes PVE allows (${verdict.allowed.join(', ') || 'none'})`];
}

const KNOWN_REASON_KEYS = new Set(['unavailable_storages', 'unavailable-resources', 'blocking-ha-resources']);

function describeNotAllowed(reason: NotAllowedReason): string[] {
  const reasons: string[] = [];
  if (reason.unavailable_storages?.length) {
    reasons.push(`storage not available on the target: ${reason.unavailable_storages.join(', ')}`);
  }
  const resources = reason['unavailable-resources'];
  if (resources?.length)
    reasons.push(`resources not available on the target: ${resources.map(String).join(', ')}`);
  const ha = reason['blocking-ha-resources'];
  if (ha?.length) {
    const blockers = ha.map((r) => (typeof r === 'string' ? r : r.cause ? `${r.sid} (${r.cause})` : r.sid));
    reasons.push(`blocked by HA rules with: ${blockers.join(', ')}`);
  }
  return reasons;
}

function blocked(guest: GuestRef, target: string, reasons: string[]): PveError {
  return new PveError({
    code: PveErrorCode.MigrationBlocked,
    message: `cannot migrate ${label(guest)} to ${target}: ${reasons.join('; ')}`,
    vmid: guest.vmid,
    reasons,
    path: `${guestPath(guest)}/migrate`,
  });
}

function label(guest: GuestRef): string {
  return `${guest.type === 'qemu' ? 'VM' : 'CT'} ${guest.vmid}`;
}
