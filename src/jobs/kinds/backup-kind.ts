// backup: `vzdump` for one or more guests, one task per node (PVE backs up only the guests of the
// node the request is sent to, and answers a plain "OK" without a task when none of them is
// there), each followed with its log. The result names, per guest, the archive, its size and how
// long it took, or PVE's own words for why that guest failed: a task that ends `job errors` is
// never shown as a success, and one where some guests made it says so.
import { z } from 'zod';
import { isPveError, PveErrorCode } from '../../proxmox/pve-error.js';
import type { GuestResource } from '../../proxmox/schemas/cluster-schemas.js';
import { isTaskSuccess } from '../../proxmox/task-api.js';
import { archiveName, parseVzdumpLog, type VzdumpGuestResult } from '../backups/vzdump-log.js';
import { JobError, JobErrorCode } from '../job-error.js';
import { defineJobKind } from '../job-kind.js';
import { guestLabel, guestLock, guestTargetSchema } from './guest-target.js';

export const BACKUP_MODES = ['snapshot', 'suspend', 'stop'] as const;

export const backupPayloadSchema = z.object({
  guests: z.array(guestTargetSchema).min(1).max(100),
  /** The storage the archives go to (the core picks one when the command names none). */
  storage: z.string().min(1),
  /** vzdump's mode: `snapshot` keeps the guest running, `suspend` pauses it, `stop` stops it. */
  mode: z.enum(BACKUP_MODES).default('snapshot'),
});

/** The notes PVE writes into each archive (the GUI's default): the guest's name. */
const NOTES_TEMPLATE = '{{guestname}}';

/** Thrown inside a start: PVE answered "OK", none of the guests is on that node any more. */
class NothingOnNode extends Error {}

interface NodeOutcome {
  node: string;
  vmids: number[];
  upid?: string;
  /** The task's exit status (`OK`, `WARNINGS: n`, `job errors`, a job-level error). */
  exitstatus?: string;
  guests: VzdumpGuestResult[];
  jobError?: string;
  /** None of the guests was on the node when the task was asked for. */
  moved?: boolean;
}

function guestLine(label: string, result: VzdumpGuestResult, storage: string): string {
  const archive = result.archive ? archiveName(result.archive) : 'archive';
  const size = result.size ?? (result.transferred ? `${result.transferred} transferred` : undefined);
  return `${label}: ${archive} on ${storage}${size ? `, ${size}` : ''}${result.duration ? `, ${result.duration}` : ''}`;
}

export const backupKind = defineJobKind({
  name: 'backup',
  payload: backupPayloadSchema,
  locks: (payload) => payload.guests.map(guestLock),
  async run(ctx) {
    const { storage, mode } = ctx.payload;
    // Where each guest is now (one read): the task must go to the node that holds it.
    const guests = await ctx.memo<GuestResource[]>('guests', async () => {
      const listed = await ctx.pve.clusterResources('vm', ctx.signal);
      const found = ctx.payload.guests.map((g) => listed.find((entry) => entry.vmid === g.vmid));
      const gone = ctx.payload.guests.filter((_, i) => !found[i]);
      if (gone.length > 0)
        throw new JobError(
          JobErrorCode.Stale,
          `${gone.map(guestLabel).join(', ')} no longer ${gone.length === 1 ? 'exists' : 'exist'} in the cluster`,
        );
      return found as GuestResource[];
    });
    const byNode = new Map<string, GuestResource[]>();
    for (const guest of guests) byNode.set(guest.node, [...(byNode.get(guest.node) ?? []), guest]);
    const nodes = [...byNode.keys()].sort();

    // Every node's task first, so the nodes back up at the same time; then each is followed.
    const started = new Map<string, string | undefined>();
    for (const node of nodes) {
      const own = byNode.get(node)!;
      const vmids = own.map((g) => g.vmid);
      if (ctx.recall<boolean>(`moved:${node}`)) {
        started.set(node, undefined);
        continue;
      }
      try {
        const upid = await ctx.runTask(
          `vzdump:${node}`,
          async () => {
            const answer = await ctx.pve.startBackup(
              node,
              { vmids, storage, mode, compress: 'zstd', notesTemplate: NOTES_TEMPLATE },
              ctx.signal,
            );
            if ('nothingHere' in answer) throw new NothingOnNode(node);
            return answer.upid;
          },
          // A task for one guest carries its vmid, so a crash between start and save can find it;
          // one for several has an empty id.
          vmids.length === 1 ? { types: ['vzdump'], vmid: vmids[0]! } : undefined,
        );
        started.set(node, upid);
      } catch (error) {
        if (!(error instanceof NothingOnNode)) throw error;
        await ctx.memo(`moved:${node}`, async () => true);
        started.set(node, undefined);
      }
    }

    const outcomes: NodeOutcome[] = [];
    for (const node of nodes) {
      const own = byNode.get(node)!;
      const vmids = own.map((g) => g.vmid);
      const upid = started.get(node);
      if (upid === undefined) {
        outcomes.push({ node, vmids, guests: [], moved: true });
        continue;
      }
      const names = own.map(guestLabel).join(', ');
      let exitstatus: string;
      try {
        exitstatus = (
          await ctx.watchTask(`vzdump:${node}`, upid, `backing up ${names} on ${node} to ${storage}`)
        ).exitstatus;
      } catch (error) {
        if (!isPveError(error, PveErrorCode.TaskFailed) || error.exitstatus === undefined) throw error;
        exitstatus = error.exitstatus;
      }
      // The whole log, once: which archive each guest got and which failed, in PVE's words.
      const log = await ctx.memo(`log:${node}`, async () =>
        parseVzdumpLog((await ctx.pve.taskLog(upid, {}, ctx.signal)).map((line) => line.t)),
      );
      outcomes.push({
        node,
        vmids,
        upid,
        exitstatus,
        guests: log.guests,
        ...(log.jobError === undefined ? {} : { jobError: log.jobError }),
      });
    }

    const lines: string[] = [];
    /** Per failed guest (or node), what went wrong, in PVE's words where it gave some. */
    const failures: string[] = [];
    let succeeded = 0;
    for (const outcome of outcomes) {
      const own = byNode.get(outcome.node)!;
      const before = failures.length;
      for (const guest of own) {
        const label = guestLabel(guest);
        const result = outcome.guests.find((g) => g.vmid === guest.vmid);
        let reason: string | undefined;
        if (outcome.moved) reason = `not backed up: it was no longer on ${outcome.node}`;
        else if (outcome.jobError !== undefined && !result?.finished) reason = outcome.jobError;
        else if (!result) reason = 'not backed up: the task ended before it got to this guest';
        else if (result.error !== undefined) reason = result.error;
        else if (!result.finished) reason = 'the backup did not finish';
        if (reason === undefined) {
          succeeded += 1;
          lines.push(guestLine(label, result!, storage));
        } else {
          lines.push(`${label}: failed - ${reason}`);
          failures.push(`${label}: ${reason}`);
        }
      }
      // A task that says it failed although every guest looks done: PVE's status decides.
      const status = outcome.exitstatus;
      if (status !== undefined && !isTaskSuccess(status) && failures.length === before) {
        lines.push(`${outcome.node}: the vzdump task ended ${status}`);
        failures.push(`${outcome.node}: the vzdump task ended ${status}`);
      }
    }
    const total = guests.length;
    const upids = outcomes.flatMap((o) => (o.upid ? [o.upid] : []));
    const report = lines.join('\n');
    if (failures.length > 0) {
      const message =
        total === 1
          ? failures.join('; ')
          : succeeded === 0
            ? `none of the ${total} guests was backed up:\n${report}`
            : `partly done, ${succeeded} of ${total} guests backed up to ${storage}, ${total - succeeded} failed:\n${report}`;
      throw new JobError(JobErrorCode.BackupFailed, message);
    }
    const summary =
      total === 1
        ? `${guestLabel(guests[0]!)} backed up to ${storage} (${mode})`
        : `${total} guests backed up to ${storage} on ${plural(nodes.length, 'node')} (${mode})`;
    return {
      summary,
      text: report,
      ...(upids.length === 1 ? { upid: upids[0] } : {}),
      details: {
        storage,
        mode,
        guests: outcomes.flatMap((o) =>
          o.guests.map((g) => ({
            vmid: g.vmid,
            node: o.node,
            ...(g.archive === undefined ? {} : { archive: g.archive }),
            ...(g.size === undefined ? {} : { size: g.size }),
            ...(g.duration === undefined ? {} : { duration: g.duration }),
          })),
        ),
        upids,
      },
    };
  },
});

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
