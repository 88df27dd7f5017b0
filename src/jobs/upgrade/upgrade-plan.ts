// A rolling upgrade's plan, as it is approved and then carried out: the nodes in order, and per
// node what leaves it (HA guests through maintenance mode, other running guests by migration,
// with their targets), what it installs, and whether it reboots. Plain JSON: it travels in the
// approval and the job's payload.
import { z } from 'zod';

export const rebootModeSchema = z.enum(['auto', 'always', 'never']);
export type RebootMode = z.infer<typeof rebootModeSchema>;

const guestSchema = z.object({
  vmid: z.number().int(),
  type: z.enum(['qemu', 'lxc']),
  name: z.string().optional(),
});

export const upgradeStepSchema = z.object({
  node: z.string().min(1),
  packages: z.number().int().min(0),
  kernel: z.object({ running: z.string(), next: z.string() }).optional(),
  manager: z.object({ from: z.string(), to: z.string() }).optional(),
  /** What the plan expects; with `auto` the job decides after the upgrade (new kernel, reboot-required). */
  expectReboot: z.boolean(),
  /** HA-managed guests: the HA stack moves them away in maintenance mode and back after it. */
  haGuests: z.array(guestSchema),
  /** Running guests not managed by HA: migrated away (live for VMs, restart mode for containers) and back. */
  moves: z.array(guestSchema.extend({ to: z.string().min(1) })),
});
export type UpgradeStep = z.infer<typeof upgradeStepSchema>;

export const upgradePlanSchema = z.object({
  reboot: rebootModeSchema,
  /** `lightest-first` for --all; `as-named` when the operator listed the nodes. */
  order: z.enum(['lightest-first', 'as-named']).default('lightest-first'),
  steps: z.array(upgradeStepSchema).min(1),
  /** Nodes left out and why (`up to date`). */
  skipped: z.array(z.object({ node: z.string(), reason: z.string() })).default([]),
});
export type UpgradePlan = z.infer<typeof upgradePlanSchema>;

/** HA-managed as PVE means it: a resource in the `ignored` state is left alone by the HA stack. */
export function isHaManaged(guest: { hastate?: string | undefined }): boolean {
  return guest.hastate !== undefined && guest.hastate !== 'ignored';
}

function guestText(guest: { vmid: number; type: string; name?: string | undefined }): string {
  return guest.name ? `${guest.name} (${guest.type}/${guest.vmid})` : `${guest.type}/${guest.vmid}`;
}

/** One line per node, in order, as the approval card and the thread show them. */
export function describePlan(plan: UpgradePlan): string {
  const lines = plan.steps.map((step, i) => {
    const what = [`${step.packages} update${step.packages === 1 ? '' : 's'}`];
    if (step.kernel) what.push(`kernel ${step.kernel.running} → ${step.kernel.next}`);
    if (step.manager) what.push(`pve-manager ${step.manager.from} → ${step.manager.to}`);
    what.push(step.expectReboot ? 'reboot' : plan.reboot === 'never' ? 'no reboot' : 'reboot if asked for');
    const moves = step.moves.map(
      (m) => `${guestText(m)} → ${m.to} ${m.type === 'lxc' ? 'restart mode' : 'live'}`,
    );
    const ha = step.haGuests.map((g) => `${guestText(g)} by HA maintenance mode`);
    const leaving = [...moves, ...ha];
    return `${i + 1}. ${step.node}: ${what.join(', ')}; ${leaving.length > 0 ? `moves ${leaving.join(', ')}` : 'no guest to move'}`;
  });
  for (const skipped of plan.skipped) lines.push(`– ${skipped.node}: skipped (${skipped.reason})`);
  lines.push(
    'Before each node: every node online, the cluster quorate, no running task on it. One node at a time; the first failure stops the upgrade.',
  );
  return lines.join('\n');
}

export function planHeadline(plan: UpgradePlan): string {
  const reboots = plan.steps.filter((s) => s.expectReboot).length;
  const order = plan.order === 'as-named' ? 'in the order named' : 'lightest first';
  return `upgrade ${plan.steps.map((s) => s.node).join(' → ')}, one node at a time, ${order} (reboot ${plan.reboot}: ${reboots} of ${plan.steps.length} expected)`;
}
