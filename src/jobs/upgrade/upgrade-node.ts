// The steps of upgrading one node, each recorded under its memo name so it runs once whatever
// happens to the worker: pre-flight, drain (HA maintenance mode and migrations), the packages over
// SSH, the reboot (never issued twice: the node's uptime tells whether it already happened), and
// the way back (maintenance off, guests home).
import { setTimeout as sleep } from 'node:timers/promises';
import type { GuestResource } from '../../proxmox/schemas/cluster-schemas.js';
import type { SshCommand } from '../../proxmox/ssh/ssh-command.js';
import type { SshResult } from '../../proxmox/ssh/ssh-runner.js';
import type { JobContext } from '../job-context.js';
import { JobError, JobErrorCode } from '../job-error.js';
import { migrateGuestStep } from '../steps/migrate-guest-step.js';
import { describeIncoming, incomingMigrations } from './incoming-migrations.js';
import { summarizeNodeUpdates } from './node-updates.js';
import { deadlineOf, pollUntil } from './poll-until.js';
import { type MovedGuest, upgradeMemo } from './upgrade-memo.js';
import { isHaManaged, type RebootMode, type UpgradeStep } from './upgrade-plan.js';

export interface UpgradeTimings {
  pollMs: number;
  drainTimeoutMs: number;
  rebootTimeoutMs: number;
}

const LOG_LINES = 6;
const DAY_MS = 24 * 3_600_000;
const PROGRESS_EVERY_MS = 1_000;

function failed(message: string): JobError {
  return new JobError(JobErrorCode.UpgradeFailed, message);
}

function guestsOn(resources: GuestResource[], node: string): GuestResource[] {
  return resources.filter((g) => g.node === node);
}

/** Runs one fixed command on a node, streaming its newest lines to the thread. */
async function runOnNode(
  ctx: JobContext<unknown>,
  node: string,
  command: SshCommand,
  phase: string,
  timeoutMs?: number,
): Promise<SshResult> {
  const ssh = ctx.ssh;
  if (!ssh) {
    throw new JobError(
      JobErrorCode.SshNotConfigured,
      'SSH to the nodes is not configured: set SSH_KEY_FILE and SSH_KNOWN_HOSTS for the worker (PVE has no API for upgrades or HA maintenance)',
    );
  }
  // Read once per node and job, not before every command (an upgrade runs five per node).
  const host = await ctx.memo(`address:${node}`, async () => {
    const status = await ctx.pve.clusterStatus(ctx.signal);
    return status.nodes.find((n) => n.name === node)?.ip ?? '';
  });
  if (!host)
    throw failed(`PVE lists no address for ${node} (/cluster/status), so it cannot be reached over SSH`);
  await ctx.progress(phase);
  const lines: string[] = [];
  let lastProgress = 0;
  // No abort signal: a dist-upgrade is never cut in the middle (not by the slice's end, not by
  // an abort request, which waits for the next step boundary).
  const result = await ssh.run({ node, host }, command, {
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    onLine: (line) => {
      lines.push(line);
      lines.splice(0, Math.max(0, lines.length - LOG_LINES));
      const now = Date.now();
      if (now - lastProgress < PROGRESS_EVERY_MS) return;
      lastProgress = now;
      void ctx.progress(phase, { logLines: [...lines] });
    },
  });
  // The last lines, even when they came faster than one update a second.
  if (lines.length > 0) await ctx.progress(phase, { logLines: [...lines] });
  return result;
}

/**
 * Waits while guests migrate into `node` (see incoming-migrations.ts): at most drainTimeoutMs from
 * when the job first saw one here (kept across slices), then refuses, naming them. `where` starts
 * each message: "pre-flight for node03", "before rebooting node03".
 */
async function waitForIncomingMigrations(
  ctx: JobContext<unknown>,
  node: string,
  timings: UpgradeTimings,
  where: string,
): Promise<void> {
  let announced = '';
  for (;;) {
    const incoming = await incomingMigrations(ctx.pve, node, ctx.signal);
    if (incoming.length === 0) return;
    const described = describeIncoming(incoming);
    const deadline = await deadlineOf(ctx, `incoming:${where}`, timings.drainTimeoutMs);
    if (Date.now() >= deadline) {
      throw failed(
        `${where}: still migrating into ${node} when the wait ended (${new Date(deadline).toISOString().slice(11, 19)} UTC): ` +
          `${described}. Rebooting ${node} would break the migration; ask again once it has ended`,
      );
    }
    if (described !== announced) {
      await ctx.progress(`${where}: waiting for ${described} to finish migrating into ${node}`);
      announced = described;
    }
    // The slice's end or a cancel aborts the sleep; the worker resumes or stops the job.
    await sleep(timings.pollMs, undefined, { signal: ctx.signal });
  }
}

export async function preflight(
  ctx: JobContext<unknown>,
  node: string,
  timings: UpgradeTimings,
): Promise<void> {
  const memo = upgradeMemo(node);
  await ctx.memo(memo.preflight, async () => {
    await ctx.progress(`pre-flight checks for ${node}`);
    await waitForIncomingMigrations(ctx, node, timings, `pre-flight for ${node}`);
    const [status, tasks] = await Promise.all([
      ctx.pve.clusterStatus(ctx.signal),
      ctx.pve.clusterTasks(ctx.signal),
    ]);
    const offline = status.nodes.filter((n) => !n.online).map((n) => n.name);
    if (offline.length > 0)
      throw failed(`pre-flight for ${node}: ${offline.join(', ')} offline; every node must be online`);
    if (!status.quorate) throw failed(`pre-flight for ${node}: the cluster is not quorate`);
    const running = tasks.filter((t) => t.node === node && t.endtime === undefined && t.status === undefined);
    // A node left in maintenance (a failed upgrade, or by hand) is not this job's to undo silently.
    const entry = (await ctx.pve.clusterResources('node', ctx.signal)).find((n) => n.node === node);
    if (entry?.hastate === 'maintenance' && !ctx.recall(memo.maintenanceOn)) {
      throw failed(
        `pre-flight for ${node}: it is already in HA maintenance mode (left by an earlier upgrade, or by hand). Check it, then run \`ha-manager crm-command node-maintenance disable ${node}\` on a node, and ask again`,
      );
    }
    // SSH works (and the host key is the known one) before anything is drained.
    await runOnNode(ctx, node, { kind: 'reboot-required' }, `pre-flight: SSH to ${node}`);
    if (running.length > 0) {
      throw failed(
        `pre-flight for ${node}: ${running.length} task(s) still running on it (${running.map((t) => `${t.type}${t.id ? ` ${t.id}` : ''}`).join(', ')}); wait for them or stop them`,
      );
    }
    return true;
  });
}

/** The most free memory among the online nodes other than `node`. */
function roomiest(
  resources: Awaited<ReturnType<JobContext<unknown>['pve']['clusterResources']>>,
  node: string,
) {
  return resources
    .filter((r) => r.type === 'node' && r.status === 'online' && r.node !== node)
    .map((r) => ({ node: r.node as string, free: (r.maxmem ?? 0) - (r.mem ?? 0) }))
    .sort((a, b) => b.free - a.free)[0]?.node;
}

export async function drain(
  ctx: JobContext<unknown>,
  step: UpgradeStep,
  timings: UpgradeTimings,
): Promise<void> {
  const { node } = step;
  const memo = upgradeMemo(node);
  const resources = await ctx.pve.clusterResources(undefined, ctx.signal);
  const guests = resources.filter((r): r is GuestResource => r.type === 'qemu' || r.type === 'lxc');
  // HA guests: the HA stack moves them, in maintenance mode (ha-manager over SSH: no API exists).
  const haGuests = await ctx.memo<MovedGuest[]>(memo.haGuests, async () =>
    guestsOn(guests, node)
      .filter(isHaManaged)
      .map((g) => ({ vmid: g.vmid, type: g.type, name: g.name, to: '' })),
  );
  if (haGuests.length > 0) {
    await ctx.memo(memo.maintenanceOn, async () => {
      const result = await runOnNode(
        ctx,
        node,
        { kind: 'node-maintenance', action: 'enable', node },
        `HA maintenance mode on for ${node}`,
      );
      if (result.exitCode !== 0)
        throw failed(`ha-manager could not put ${node} into maintenance: ${result.tail.join(' ')}`);
      return true;
    });
    const drainDeadline = await deadlineOf(ctx, `ha-drained:${node}`, timings.drainTimeoutMs);
    await ctx.watch(
      `ha-drained:${node}`,
      `waiting for the HA stack to move ${haGuests.length} guest(s) off ${node}`,
      (signal) =>
        pollUntil(
          async () => {
            const now = await ctx.pve.clusterResources('vm', signal);
            const still = now.filter((g) => g.node === node && haGuests.some((h) => h.vmid === g.vmid));
            return still.length === 0 &&
              now.every((g) => g.lock !== 'migrate' || !haGuests.some((h) => h.vmid === g.vmid))
              ? true
              : undefined;
          },
          {
            signal,
            intervalMs: timings.pollMs,
            deadline: drainDeadline,
            what: `the HA guests to leave ${node}`,
          },
        ),
    );
  }
  // Other running guests: migrated by us, to the planned target (or, for a guest started since
  // the plan, the node with the most free memory).
  const moves = await ctx.memo<MovedGuest[]>(memo.moves, async () =>
    guestsOn(guests, node)
      .filter((g) => g.status === 'running' && g.template !== true && !isHaManaged(g))
      .flatMap((g) => {
        const to = step.moves.find((m) => m.vmid === g.vmid)?.to ?? roomiest(resources, node);
        return to ? [{ vmid: g.vmid, type: g.type, name: g.name, to }] : [];
      }),
  );
  for (const move of moves) {
    if (ctx.recall(memo.movedOut(move.vmid))) continue;
    await migrate(ctx, move, node, move.to, `out:${node}:${move.vmid}`);
    await ctx.memo(memo.movedOut(move.vmid), async () => true);
  }
  await ctx.memo(memo.drained, async () => true);
}

/**
 * One guest to `to` with the shared migration step: from wherever it is now (someone may have
 * moved it meanwhile; it only has to end up on `to`), and done when it is there already.
 */
async function migrate(
  ctx: JobContext<unknown>,
  guest: MovedGuest,
  from: string,
  to: string,
  step: string,
): Promise<void> {
  await migrateGuestStep(
    ctx,
    step,
    { vmid: guest.vmid, type: guest.type, name: guest.name, node: from },
    to,
    {
      errorCode: JobErrorCode.UpgradeFailed,
      elsewhere: 'migrate',
    },
  );
}

export async function upgradePackages(ctx: JobContext<unknown>, node: string): Promise<void> {
  const memo = upgradeMemo(node);
  const update = await ctx.memo(memo.aptUpdate, async () => {
    const result = await runOnNode(ctx, node, { kind: 'apt-update' }, `apt-get update on ${node}`);
    return { exitCode: result.exitCode, tail: result.tail.slice(-LOG_LINES) };
  });
  if (update.exitCode !== 0)
    throw failed(`apt-get update on ${node} failed (exit ${update.exitCode}): ${update.tail.join(' / ')}`);
  const upgrade = await ctx.memo(memo.distUpgrade, async () => {
    // No practical timeout: killing dpkg half-way is worse than waiting (the thread shows its lines).
    const result = await runOnNode(
      ctx,
      node,
      { kind: 'dist-upgrade' },
      `apt-get dist-upgrade on ${node}`,
      DAY_MS,
    );
    return { exitCode: result.exitCode, tail: result.tail.slice(-LOG_LINES) };
  });
  if (upgrade.exitCode !== 0) {
    throw failed(
      `apt-get dist-upgrade on ${node} failed (exit ${upgrade.exitCode}):\n${upgrade.tail.join('\n')}`,
    );
  }
}

export async function rebootIfNeeded(
  ctx: JobContext<unknown>,
  node: string,
  mode: RebootMode,
  timings: UpgradeTimings,
): Promise<boolean> {
  const memo = upgradeMemo(node);
  const needed = await ctx.memo(memo.rebootDecision, async () => {
    if (mode !== 'auto') return mode === 'always';
    const flag = await runOnNode(ctx, node, { kind: 'reboot-required' }, `does ${node} need a reboot?`);
    if (flag.exitCode === 0) return true;
    const [versions, status] = await Promise.all([
      ctx.pve.packageVersions(node, ctx.signal),
      ctx.pve.nodeStatus(node, ctx.signal),
    ]);
    return summarizeNodeUpdates(node, [], versions, status['current-kernel']?.release).rebootNeeded;
  });
  if (!needed) return false;
  const issuedAt = await ctx.memo(memo.rebootIssuedAt, async () => Date.now());
  const bootedSince = async (): Promise<boolean> => {
    const status = await ctx.pve.nodeStatus(node, ctx.signal);
    // A second of slack: PVE reports uptime in whole seconds.
    return status.uptime !== undefined && Date.now() - status.uptime * 1000 > issuedAt - 1_000;
  };
  if (!ctx.recall(memo.rebootSent)) {
    // A worker that died right after asking may find the reboot done: never reboot twice.
    if (!(await bootedSince().catch(() => false))) {
      // Checked again here: a migration into the node may have begun since its pre-flight.
      await waitForIncomingMigrations(ctx, node, timings, `before rebooting ${node}`);
      await ctx.progress(`rebooting ${node}`);
      await ctx.pve.nodePower(node, 'reboot', ctx.signal);
    }
    await ctx.memo(memo.rebootSent, async () => true);
  }
  const rebootDeadline = await deadlineOf(ctx, `rebooted:${node}`, timings.rebootTimeoutMs);
  await ctx.watch(
    `rebooted:${node}`,
    `waiting for ${node} to reboot and the cluster to be quorate`,
    (signal) =>
      pollUntil(
        async () => {
          const status = await ctx.pve.clusterStatus(signal);
          const online = status.nodes.find((n) => n.name === node)?.online === true;
          return online && status.quorate && (await bootedSince()) ? true : undefined;
        },
        {
          signal,
          intervalMs: timings.pollMs,
          deadline: rebootDeadline,
          what: `${node} to come back after its reboot`,
        },
      ),
  );
  await ctx.memo(memo.rebooted, async () => true);
  return true;
}

export async function restore(
  ctx: JobContext<unknown>,
  node: string,
  timings: UpgradeTimings,
): Promise<void> {
  const memo = upgradeMemo(node);
  await ctx.memo(memo.restoring, async () => true);
  if (ctx.recall(memo.maintenanceOn)) {
    await ctx.memo(memo.maintenanceOff, async () => {
      const result = await runOnNode(
        ctx,
        node,
        { kind: 'node-maintenance', action: 'disable', node },
        `HA maintenance mode off for ${node}`,
      );
      if (result.exitCode !== 0)
        throw failed(`ha-manager could not end the maintenance of ${node}: ${result.tail.join(' ')}`);
      return true;
    });
    const haGuests = ctx.recall<MovedGuest[]>(memo.haGuests) ?? [];
    const backDeadline = await deadlineOf(ctx, `ha-back:${node}`, timings.drainTimeoutMs);
    await ctx.watch(
      `ha-back:${node}`,
      `waiting for the HA stack to bring ${haGuests.length} guest(s) back to ${node}`,
      (signal) =>
        pollUntil(
          async () => {
            const now = await ctx.pve.clusterResources('vm', signal);
            return haGuests.every((h) =>
              now.some((g) => g.vmid === h.vmid && g.node === node && g.lock === undefined),
            )
              ? true
              : undefined;
          },
          {
            signal,
            intervalMs: timings.pollMs,
            deadline: backDeadline,
            what: `the HA guests to return to ${node}`,
          },
        ),
    );
  }
  for (const move of ctx.recall<MovedGuest[]>(memo.moves) ?? []) {
    if (!ctx.recall(memo.movedOut(move.vmid)) || ctx.recall(memo.movedBack(move.vmid))) continue;
    await migrate(ctx, move, move.to, node, `back:${node}:${move.vmid}`);
    await ctx.memo(memo.movedBack(move.vmid), async () => true);
  }
}
