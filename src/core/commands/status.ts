// `status [node|vm]`: the cluster, one node, or one guest (by name or vmid), read by the worker.
import { summarizeCluster } from '../../jobs/kinds/summarize-cluster.js';
import type { ClusterSnapshot } from '../../proxmox/read-cluster-snapshot.js';
import { CLUSTER_SEARCH_WAIT_MS, within } from '../clusters/choose-cluster.js';
import { defineCommand } from '../grammar/define-command.js';
import { nodeOrVm } from '../grammar/value-schemas.js';
import { resolveNodeOrGuest } from '../resolve-guest.js';
import type { CommandContext } from './command-context.js';
import { defineChatCommand } from './define-chat-command.js';

const definition = defineCommand({
  name: 'status',
  summary: 'Show the cluster, one node, or one guest',
  description:
    'Without a target: quorum, nodes and guests. With one: that node, or that guest (by name or vmid).',
  positionals: [
    { name: 'target', schema: nodeOrVm(), description: 'a node, or a VM by name or vmid', optional: true },
  ],
  risk: 'read',
  examples: ['status', 'status node02', 'status TestVM', 'status 100'],
  aliases: ['st'],
});

/** One line per cluster, in one card; a cluster that did not answer in time says so. */
async function statusOfEveryCluster(ctx: CommandContext): Promise<'answered'> {
  const names = ctx.clusterNames();
  const lines = await Promise.all(
    names.map(async (name) => {
      try {
        // The same wait as the search for a command's cluster: one that is down holds up no other.
        const snapshot: ClusterSnapshot = await within(ctx.readClusterNamed(name), CLUSTER_SEARCH_WAIT_MS);
        return { ok: true, line: `**${name}**: ${summarizeCluster(snapshot, {}).headline}` };
      } catch (error) {
        return {
          ok: false,
          line: `**${name}**: unreachable (${error instanceof Error ? error.message : String(error)})`,
        };
      }
    }),
  );
  await ctx.tell({
    title: `${names.length} clusters`,
    status: lines.every((l) => l.ok) ? 'info' : 'warning',
    text: `${lines.map((l) => l.line).join('\n')}\n\n\`status --cluster <name>\` shows one in full.`,
  });
  return 'answered';
}

export const statusCommand = defineChatCommand({
  definition,
  async handle(ctx, { target }) {
    // Several clusters and none named: every one of them, in one card.
    if (target === undefined && ctx.clusterNames().length > 1 && ctx.clusterChosen() === undefined)
      return statusOfEveryCluster(ctx);
    if (target === undefined) return ctx.read({ kind: 'status', payload: {} });
    const resolved = resolveNodeOrGuest(await ctx.readCluster(), target);
    if (!resolved.ok) {
      await ctx.tell({ title: `Cannot show ${target}`, status: 'failed', text: resolved.message });
      return 'invalid';
    }
    return ctx.read({
      kind: 'status',
      payload:
        resolved.node === undefined
          ? { vmid: resolved.vmid, backupMaxAgeDays: ctx.settings.backupMaxAgeDays }
          : { node: resolved.node },
    });
  },
});
