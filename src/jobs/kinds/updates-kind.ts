// updates: `apt-get update` on each node through the API (the aptupdate task), then what an
// upgrade would install, per node. Nodes are read concurrently (a few at a time); a node that is
// down or refuses is reported, never a reason for the whole answer to fail.
import { z } from 'zod';
import { defineJobKind } from '../job-kind.js';
import { describeNodeUpdates } from '../upgrade/node-updates.js';
import { type NodeReport, readNodeUpdates } from '../upgrade/read-node-updates.js';

export const updatesPayloadSchema = z.object({
  /** The nodes to look at; every node of the cluster when empty. */
  nodes: z.array(z.string().min(1)).default([]),
});

const CONCURRENT_NODES = 4;

export const updatesKind = defineJobKind({
  name: 'updates',
  payload: updatesPayloadSchema,
  async run(ctx) {
    const status = await ctx.pve.clusterStatus(ctx.signal);
    const wanted = ctx.payload.nodes.length > 0 ? ctx.payload.nodes : status.nodes.map((n) => n.name).sort();
    const reports: NodeReport[] = [];
    const queue = [...wanted];
    await Promise.all(
      Array.from({ length: Math.min(CONCURRENT_NODES, queue.length) }, async () => {
        for (let node = queue.shift(); node !== undefined; node = queue.shift()) {
          const online = status.nodes.find((n) => n.name === node)?.online ?? false;
          reports.push(online ? await readNodeUpdates(ctx, node) : { node, problem: 'offline' });
        }
      }),
    );
    reports.sort((a, b) => a.node.localeCompare(b.node));
    const lines: string[] = [];
    for (const report of reports) {
      if (!report.updates) {
        lines.push(`${report.node}: cannot tell (${report.problem})`);
        continue;
      }
      lines.push(describeNodeUpdates(report.updates));
      const shown = report.updates.packages.slice(0, 12);
      for (const p of shown) lines.push(`    ${p.name} ${p.from ?? '(new)'} → ${p.to}`);
      if (report.updates.packages.length > shown.length)
        lines.push(`    … and ${report.updates.packages.length - shown.length} more`);
    }
    const known = reports.flatMap((r) => (r.updates ? [r.updates] : []));
    const pendingNodes = known.filter((u) => u.packages.length > 0);
    const rebootNodes = known.filter((u) => u.rebootNeeded).map((u) => u.node);
    const total = pendingNodes.reduce((sum, u) => sum + u.packages.length, 0);
    const summary =
      pendingNodes.length === 0
        ? `No updates pending on ${known.length} node${known.length === 1 ? '' : 's'}`
        : `${total} updates pending on ${pendingNodes.length} of ${reports.length} nodes` +
          (rebootNodes.length > 0 ? `; a reboot will be needed on ${rebootNodes.join(', ')}` : '');
    return {
      summary: reports.some((r) => r.problem)
        ? `${summary}; ${reports.filter((r) => r.problem).length} node(s) not read`
        : summary,
      text: lines.join('\n'),
      details: { nodes: reports },
    };
  },
});
