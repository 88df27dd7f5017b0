// One node's pending updates, fresh: the aptupdate task first (as `apt-get update`), then the
// pending list, the package versions and the running kernel. A node that fails is reported with
// its problem; only the end of the slice or a cancel propagates.
import { isTaskSuccess } from '../../proxmox/task-api.js';
import type { JobContext } from '../job-context.js';
import { type NodeUpdates, summarizeNodeUpdates } from './node-updates.js';

export type NodeReport = { node: string; updates?: NodeUpdates; problem?: string };

/** Refreshes the node's package lists (the aptupdate task), then reads what an upgrade would install. */
export async function readNodeUpdates(ctx: JobContext<unknown>, node: string): Promise<NodeReport> {
  try {
    const upid = await ctx.runTask(`aptupdate:${node}`, () => ctx.pve.refreshPackageLists(node, ctx.signal));
    const task = await ctx.watchTask(`aptupdate:${node}`, upid, `apt-get update on ${node}`);
    // `WARNINGS: n` (a repository that could not be refreshed) is a success to PVE, and to us.
    if (!isTaskSuccess(task.exitstatus))
      return { node, problem: `apt-get update failed: ${task.exitstatus}` };
    const [pending, versions, status] = await Promise.all([
      ctx.pve.pendingUpdates(node, ctx.signal),
      ctx.pve.packageVersions(node, ctx.signal),
      ctx.pve.nodeStatus(node, ctx.signal),
    ]);
    return {
      node,
      updates: summarizeNodeUpdates(node, pending, versions, status['current-kernel']?.release),
    };
  } catch (error) {
    if (ctx.signal.aborted) throw error; // the slice ended or the job was cancelled: not this node's fault
    return { node, problem: error instanceof Error ? error.message : String(error) };
  }
}
