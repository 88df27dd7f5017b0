// node-power: reboots or shuts down a node (the core refused beforehand what would cost quorum or
// strand guests), then waits: a reboot until the node is back (its uptime says it booted after the
// request, so a resumed job never reboots twice) and the cluster quorate; a shutdown until it is off.
import { z } from 'zod';
import { defineJobKind } from '../job-kind.js';
import { deadlineOf, pollUntil } from '../upgrade/poll-until.js';

export const nodePowerPayloadSchema = z.object({
  node: z.string().min(1),
  action: z.enum(['reboot', 'shutdown']),
  timeoutMs: z
    .number()
    .int()
    .min(1_000)
    .default(20 * 60_000),
  pollMs: z.number().int().min(50).default(1_000),
});

export const nodePowerKind = defineJobKind({
  name: 'node-power',
  payload: nodePowerPayloadSchema,
  locks: (payload) => [{ key: `node:${payload.node}`, label: `node ${payload.node}` }],
  async run(ctx) {
    const { node, action, timeoutMs, pollMs } = ctx.payload;
    const issuedAt = await ctx.memo('issued-at', async () => Date.now());
    const bootedSince = async (signal: AbortSignal) => {
      const status = await ctx.pve.nodeStatus(node, signal);
      return status.uptime !== undefined && Date.now() - status.uptime * 1000 > issuedAt - 1_000;
    };
    await ctx.memo('sent', async () => {
      // A worker that died right after asking may find the reboot already done.
      if (action === 'reboot' && (await bootedSince(ctx.signal).catch(() => false))) return true;
      await ctx.progress(`${action === 'reboot' ? 'rebooting' : 'shutting down'} ${node}`);
      await ctx.pve.nodePower(node, action, ctx.signal);
      return true;
    });
    const deadline = await deadlineOf(ctx, 'power', timeoutMs);
    if (action === 'shutdown') {
      await ctx.watch('off', `waiting for ${node} to power off`, (signal) =>
        pollUntil(
          async () =>
            (await ctx.pve.clusterStatus(signal)).nodes.find((n) => n.name === node)?.online
              ? undefined
              : true,
          { signal, intervalMs: pollMs, deadline, what: `${node} to power off` },
        ),
      );
      return { summary: `${node} is shut down; start it again from its console or IPMI` };
    }
    await ctx.watch('back', `waiting for ${node} to come back and the cluster to be quorate`, (signal) =>
      pollUntil(
        async () => {
          const status = await ctx.pve.clusterStatus(signal);
          const online = status.nodes.find((n) => n.name === node)?.online === true;
          return online && status.quorate && (await bootedSince(signal)) ? true : undefined;
        },
        { signal, intervalMs: pollMs, deadline, what: `${node} to come back after its reboot` },
      ),
    );
    return { summary: `${node} rebooted and is back; the cluster is quorate` };
  },
});
