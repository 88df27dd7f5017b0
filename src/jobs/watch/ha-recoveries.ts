// HA recoveries: the services that run on another node than at the previous look because theirs
// went down (offline in /cluster/status, or its LRM dead), i.e. the HA stack fenced that node and
// recovered them. A service moved off a node that is still up was migrated by someone: not news.
// Every recovery seen in one look makes one card (a node's failure recovers its guests together).

import type { AlertInput } from '../alerts/alert.js';
import { listNames } from '../digest/digest-format.js';
import type { ClusterLook } from './cluster-look.js';

export interface Recovery {
  sid: string;
  label: string;
  from: string;
  to: string;
  state: string;
}

export function findRecoveries(look: ClusterLook, before: Record<string, string>): Recovery[] {
  if ('error' in look.ha) return [];
  const online = new Map(look.nodes.map((n) => [n.name, n.online]));
  const lrms = new Map(look.ha.lrms.map((l) => [l.node, l.state]));
  return look.ha.services.flatMap((service) => {
    const from = before[service.sid];
    if (!from || !service.node || from === service.node) return [];
    const down = online.get(from) === false || lrms.get(from) === 'dead';
    if (!down) return [];
    return [{ sid: service.sid, label: service.label, from, to: service.node, state: service.state }];
  });
}

/** Where each HA service runs now, for the next look. */
export function haPlacement(look: ClusterLook): Record<string, string> | undefined {
  if ('error' in look.ha) return undefined;
  const now: Record<string, string> = {};
  for (const service of look.ha.services) if (service.node) now[service.sid] = service.node;
  return now;
}

function line(r: Recovery): string {
  return `${r.label}: ${r.from} → ${r.to} (now ${r.state})`;
}

/**
 * One card for the look's recoveries. Its key names what was recovered and the previous look's
 * time, so the same look run again (a worker that died before remembering it) edits the same card.
 */
export function recoveryAlert(
  recovered: Recovery[],
  previousLookAt: number,
  now: number,
): AlertInput | undefined {
  const [first] = recovered;
  if (!first) return undefined;
  const from = [...new Set(recovered.map((r) => r.from))];
  const stamp = Math.floor(previousLookAt / 1000);
  const common = {
    source: 'watch' as const,
    type: 'ha-recovery' as const,
    severity: 'warning' as const,
    state: 'event' as const,
    at: now,
    offers: [{ label: 'HA status', command: 'ha' }],
  };
  if (recovered.length === 1) {
    return {
      ...common,
      key: `ha-recovery:${first.sid}:${stamp}`,
      title: `HA recovered ${first.label} from ${first.from} onto ${first.to}`,
      text: `${first.from} is down: the HA stack fenced it and started ${first.label} on ${first.to} (now ${first.state}).`,
      fields: [
        { label: 'Guest', value: first.label },
        { label: 'From', value: first.from },
        { label: 'To', value: first.to },
        { label: 'State', value: first.state },
      ],
    };
  }
  return {
    ...common,
    key: `ha-recovery:${from.join('+')}:${stamp}`,
    title: `HA recovered ${recovered.length} guests from ${listNames(from)}`,
    text: recovered.map(line).join('\n'),
    fields: [
      { label: 'From', value: listNames(from) },
      { label: 'Onto', value: listNames([...new Set(recovered.map((r) => r.to))]) },
      { label: 'Guests', value: String(recovered.length) },
    ],
  };
}
