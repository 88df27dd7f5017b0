// ha: the HA stack at a glance (`ha-manager status`): the CRM master, each node's LRM, every HA
// resource with its state and node, and the nodes in maintenance. One read, nothing changes.
import { z } from 'zod';
import { defineJobKind } from '../job-kind.js';
import { readHa } from './read-ha.js';

export const haKind = defineJobKind({
  name: 'ha',
  payload: z.object({}),
  async run(ctx) {
    const view = await readHa(ctx.pve, ctx.signal);
    if (view.services.length === 0 && !view.master) {
      return {
        summary: 'HA: no resource is HA-managed (`ha add <vm>` adds one)',
        details: { resources: 0 },
      };
    }
    const lines = [
      `CRM master: ${view.master ? `${view.master.node} (${view.master.word})` : 'none'}`,
      ...view.lrms.map((l) => `LRM ${l.node}: ${l.state}`),
      ...view.services.map(
        (s) =>
          `${s.label} ${s.sid}: ${s.state} on ${s.node ?? '?'}${s.requested && s.requested !== s.state ? ` (requested ${s.requested})` : ''}`,
      ),
      `Nodes in maintenance: ${view.maintenance.join(', ') || 'none'}`,
    ];
    if (!view.quorate) lines.push('Not quorate: the CRM acts only where there is quorum.');
    const started = view.services.filter((s) => s.state === 'started').length;
    const n = view.services.length;
    return {
      summary: `HA: master ${view.master?.node ?? 'none'}, ${n} resource${n === 1 ? '' : 's'} (${started} started)${view.maintenance.length > 0 ? `, ${view.maintenance.length} node(s) in maintenance` : ''}`,
      text: lines.join('\n'),
      details: { resources: n, started, maintenance: view.maintenance },
    };
  },
});
