// cluster: what `pvecm status` tells, from the API (/cluster/status for who is online, the
// corosync node list of /cluster/config/join for ids, addresses and votes), and the join info
// a new node needs. Quorum is corosync's: more than half of the expected votes.
import { z } from 'zod';
import { defineJobKind } from '../job-kind.js';

export const clusterPayloadSchema = z.object({ view: z.enum(['status', 'join-info']).default('status') });

export const clusterKind = defineJobKind({
  name: 'cluster',
  // Join-info lists every node's address and fingerprint: for its requester alone.
  privateResult: (payload) => {
    const parsed = clusterPayloadSchema.safeParse(payload);
    return !parsed.success || parsed.data.view === 'join-info';
  },
  payload: clusterPayloadSchema,
  async run(ctx) {
    const [status, join] = await Promise.all([
      ctx.pve.clusterStatus(ctx.signal),
      ctx.pve.joinInfo(ctx.signal).catch(() => undefined),
    ]);
    const name = status.clusterName ?? 'this standalone node';
    const members = status.nodes.map((node) => {
      const entry = join?.nodelist.find((n) => n.name === node.name);
      return {
        name: node.name,
        id: node.nodeid ?? entry?.nodeid,
        address: entry?.pve_addr ?? node.ip,
        online: node.online,
        votes: entry?.quorum_votes ?? 1,
        fingerprint: entry?.pve_fp,
      };
    });
    if (ctx.payload.view === 'join-info') {
      if (!join)
        return {
          summary: `${name} has no cluster configuration to join (a standalone node, or no Sys.Audit on /)`,
        };
      const lines = members.map(
        (m) => `${m.name} (id ${m.id ?? '?'}): ${m.address ?? '?'} · fingerprint ${m.fingerprint ?? '?'}`,
      );
      return {
        summary: `To join ${name}: on the new node, \`pvecm add <address of a member>\` (it asks that node's root password)`,
        text: [
          ...lines,
          'Check the fingerprint `pvecm add` shows against the one listed here before you accept it.',
        ].join('\n'),
      };
    }
    const expected = members.reduce((sum, m) => sum + m.votes, 0);
    const present = members.filter((m) => m.online).reduce((sum, m) => sum + m.votes, 0);
    const needed = Math.floor(expected / 2) + 1;
    const quorate = status.quorate;
    const heaviest = Math.max(0, ...members.filter((m) => m.online).map((m) => m.votes));
    const outlook = !quorate
      ? `Not quorate: PVE refuses writes (starting guests, migrations, configuration changes) until ${needed - present === 1 ? '1 more vote comes' : `${needed - present} more votes come`} back.`
      : present - heaviest >= needed
        ? 'It can lose one more node and stay quorate.'
        : 'Losing one more node would cost quorum: PVE would then refuse writes (starting guests, migrations, configuration changes).';
    const lines = members.map(
      (m) =>
        `${m.name} (id ${m.id ?? '?'}) · ${m.address ?? 'no address'} · ${m.online ? 'online' : 'OFFLINE'} · ${m.votes} vote${m.votes === 1 ? '' : 's'}`,
    );
    return {
      summary: `${name}: ${quorate ? 'quorate' : 'NOT quorate'}, ${present} of ${expected} votes present (${needed} needed)`,
      text: [...lines, outlook].join('\n'),
      details: { quorate, expected, present, needed },
    };
  },
});
