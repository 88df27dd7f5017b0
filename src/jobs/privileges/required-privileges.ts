// The privileges a job needs its requester's (and approvers') PVE user to hold, from its kind and
// payload: the rules of privilege-rules.ts applied to the guests, nodes and storages it acts on.
// Every job kind has an entry, so a new kind does not compile until it says what it needs (reads
// need nothing: they show the bot's own view, which the policy restricts). The core checks these
// before a request is planned into an approval or a job, and again for each approver.
import type { z } from 'zod';
import type { SafetyNetGuest } from '../job-kind.js';
import { type JobKindName, jobKindList } from '../kinds/index.js';
import { PRIVILEGE_RULES, type PrivilegeRuleName } from './privilege-rules.js';

/** One privilege check on one path, for one thing the job does. */
export interface PrivilegeNeed {
  rule: PrivilegeRuleName;
  /** The ACL path, resolved: `/vms/100`, `/nodes/node03`, `/storage/pbs-backup`, `/`. */
  path: string;
  privileges: readonly string[];
  /** One of `privileges` is enough. */
  any: boolean;
  /**
   * For what does not exist yet (a clone's or a new VM's id, allocated when the job runs): the
   * privilege must hold on `path` and reach below it (propagate), as it would on the new guest.
   */
  propagated: boolean;
  /** The PVE major this applies to; absent: both. */
  pve?: 8 | 9;
  /** What the bot would do there, for a refusal: `migrate TestVM (qemu/100)`. */
  what: string;
}

type AnyKind = (typeof jobKindList)[number];
type PayloadOf<K extends JobKindName> = z.output<Extract<AnyKind, { name: K }>['payload']>;

/** One rule applied: its path template filled with `values`. */
export function need(
  rule: PrivilegeRuleName,
  what: string,
  values: Record<string, string | number> = {},
  options: { propagated?: boolean } = {},
): PrivilegeNeed {
  const r = PRIVILEGE_RULES[rule];
  const filled = r.path.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? `{${name}}`));
  // What is not created yet has no path of its own: the privilege is checked where it propagates from.
  const path = options.propagated ? filled.replace(/\/\{\w+\}$/, '') || '/' : filled;
  return {
    rule,
    path,
    privileges: r.privileges,
    any: 'any' in r,
    propagated: options.propagated ?? false,
    ...('pve' in r ? { pve: r.pve } : {}),
    what,
  };
}

interface GuestLike {
  vmid: number;
  type: string;
  name?: string | undefined;
}

function label(guest: GuestLike): string {
  return guest.name ? `${guest.name} (${guest.type}/${guest.vmid})` : `${guest.type}/${guest.vmid}`;
}

const none = (): PrivilegeNeed[] => [];

const power =
  (verb: string) =>
  (p: { guest: GuestLike }): PrivilegeNeed[] => [
    need('guest-power', `${verb} ${label(p.guest)}`, { vmid: p.guest.vmid }),
  ];

/** The vmid a replication job id (`<vmid>-<n>`) belongs to. */
function replicatedGuest(id: string): number {
  return Number(id.split('-')[0]);
}

const REQUIRED: { [K in JobKindName]: (payload: PayloadOf<K>) => PrivilegeNeed[] } = {
  // Reads: the bot's own view.
  status: none,
  cluster: none,
  tasks: none,
  backups: none,
  updates: none,
  digest: none,
  ha: none,
  snapshots: none,
  'cluster-watch': none,
  'pve-notification': none,
  // A scheduled job's reminder: what it recalls was checked when it was asked for.
  reminder: none,
  // Planning jobs read and propose; what they propose is checked when it is proposed.
  'balance-plan': none,
  'upgrade-plan': (p) =>
    p.nodes.flatMap((node) => [
      need('node-packages', `upgrade node ${node}`, { node }),
      need('node-power', `reboot node ${node}`, { node }),
    ]),
  start: power('start'),
  stop: power('stop'),
  shutdown: power('shut down'),
  reboot: power('reboot'),
  migrate: (p) => [need('guest-migrate', `migrate ${label(p.guest)}`, { vmid: p.guest.vmid })],
  clone: (p) => [
    need('guest-clone', `clone ${label(p.source)}`, { vmid: p.source.vmid }),
    p.pool
      ? need('clone-allocate-pool', `create the clone ${p.name} in pool ${p.pool}`, { pool: p.pool })
      : p.newid
        ? need('clone-allocate', `create the clone ${p.name} as ${p.newid}`, { newid: p.newid })
        : need('clone-allocate', `create the clone ${p.name}`, {}, { propagated: true }),
  ],
  create: (p) => [need('vm-create', `create the VM ${p.name}`, {}, { propagated: true })],
  snapshot: (p) => [need('guest-snapshot', `snapshot ${label(p.guest)}`, { vmid: p.guest.vmid })],
  'snapshot-delete': (p) => [
    need('guest-snapshot-delete', `delete the snapshot ${p.snapshot} of ${label(p.guest)}`, {
      vmid: p.guest.vmid,
    }),
  ],
  rollback: (p) => [
    need('guest-rollback', `roll ${label(p.guest)} back to ${p.snapshot}`, { vmid: p.guest.vmid }),
    ...(p.start ? [need('rollback-start', `start ${label(p.guest)}`, { vmid: p.guest.vmid })] : []),
  ],
  backup: (p) => [
    ...p.guests.map((g) => need('guest-backup', `back up ${label(g)}`, { vmid: g.vmid })),
    need('backup-storage', `write backups to ${p.storage}`, { storage: p.storage }),
  ],
  'node-power': (p) => [need('node-power', `${p.action} node ${p.node}`, { node: p.node })],
  upgrade: (p) =>
    p.plan.steps.flatMap((step) => [
      need('node-packages', `upgrade node ${step.node}`, { node: step.node }),
      ...(step.expectReboot || p.plan.reboot !== 'never'
        ? [need('node-power', `reboot node ${step.node}`, { node: step.node })]
        : []),
      ...step.moves.map((g) => need('guest-migrate', `move ${label(g)} off ${step.node}`, { vmid: g.vmid })),
      ...(step.haGuests.length > 0 ? [need('ha-resource', `put node ${step.node} in HA maintenance`)] : []),
    ]),
  balance: (p) =>
    p.plan.moves.map((m) => need('guest-migrate', `move ${label(m)} to ${m.to}`, { vmid: m.vmid })),
  'ha-add': (p) => [need('ha-resource', `put ${label(p.guest)} under HA`)],
  'ha-remove': (p) => [need('ha-resource-remove', `take ${label(p.guest)} out of HA`)],
  'replication-create': (p) => [
    need('replication-create', `replicate ${label(p.guest)} to ${p.target}`, { vmid: p.guest.vmid }),
    need('replication-create-8', `replicate ${label(p.guest)} to ${p.target}`),
  ],
  replication: (p) =>
    p.action === 'run' && p.id
      ? [
          need('replication-run', `run replication ${p.id}`, { vmid: replicatedGuest(p.id) }),
          need('replication-run-8', `run replication ${p.id}`),
        ]
      : [],
};

/**
 * What a job of `kind` with `payload` needs. `safetyNet`: the guests it snapshots first (the job
 * kind's guestsAtRisk) need VM.Snapshot too. An unknown kind or an unreadable payload needs what
 * no one can be shown to hold: the caller refuses.
 */
export function requiredPrivileges(
  kind: string,
  payload: unknown,
  options: { safetyNetGuests?: readonly SafetyNetGuest[] } = {},
): { ok: true; needs: PrivilegeNeed[] } | { ok: false; reason: string } {
  const jobKind = jobKindList.find((k) => k.name === kind);
  if (!jobKind) return { ok: false, reason: `unknown job kind '${kind}'` };
  const parsed = jobKind.payload.safeParse(payload);
  if (!parsed.success) return { ok: false, reason: `the ${kind} request cannot be read` };
  const needs = (REQUIRED[kind as JobKindName] as (p: unknown) => PrivilegeNeed[])(parsed.data);
  const net = (options.safetyNetGuests ?? []).map((g) =>
    need('guest-snapshot', `snapshot ${label(g)} first (the safety net)`, { vmid: g.vmid }),
  );
  return { ok: true, needs: [...needs, ...net] };
}
