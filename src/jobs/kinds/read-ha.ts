// The HA stack as one GET /cluster/ha/status/current tells it (pve-ha-manager src/PVE/API2/HA/Status.pm; fixtures ha/status-current*.json), with guest names
// from /cluster/resources: the CRM master, each node's LRM, each HA resource and where it runs.
import type { ProxmoxClient } from '../../proxmox/proxmox-client.js';
import type { HaStatusEntry } from '../../proxmox/schemas/ha-schemas.js';

export type LrmState = 'active' | 'idle' | 'maintenance' | 'dead' | string;

export interface HaService {
  sid: string;
  /** `web01 (qemu/101)`, or the sid when the guest is unknown. */
  label: string;
  node: string | undefined;
  state: string;
  requested: string | undefined;
}

export interface HaView {
  master: { node: string; word: string } | undefined;
  lrms: Array<{ node: string; state: LrmState }>;
  services: HaService[];
  maintenance: string[];
  quorate: boolean;
}

/** The first word in the parentheses of `node01 (active, Mon …)`. */
function statusWord(status: string | undefined): string {
  const inner = /\(([^,)]*)/.exec(status ?? '')?.[1]?.trim() ?? '';
  return inner || 'unknown';
}

function lrmState(word: string): LrmState {
  if (word.startsWith('active')) return 'active';
  if (word === 'idle' || word === 'wait_for_agent_lock') return 'idle';
  if (word.includes('maintenance')) return 'maintenance';
  if (word.includes('dead')) return 'dead';
  return word;
}

export function haViewOf(entries: HaStatusEntry[], names: Map<string, string>): HaView {
  const master = entries.find((e) => e.type === 'master');
  const lrms = entries
    .filter((e) => e.type === 'lrm')
    .map((e) => ({ node: e.node ?? e.id.replace(/^lrm:/, ''), state: lrmState(statusWord(e.status)) }));
  const services = entries
    .filter((e) => e.type === 'service')
    .map((e) => {
      const sid = e.sid ?? e.id.replace(/^service:/, '');
      return {
        sid,
        label: names.get(sid) ?? sid,
        node: e.node,
        state: e.state ?? e.crm_state ?? 'unknown',
        requested: e.request_state,
      };
    });
  const quorum = entries.find((e) => e.type === 'quorum');
  return {
    master: master?.node ? { node: master.node, word: statusWord(master.status) } : undefined,
    lrms,
    services,
    maintenance: lrms.filter((l) => l.state === 'maintenance').map((l) => l.node),
    quorate: quorum?.quorate !== false,
  };
}

/** `vm:101` → `web01 (qemu/101)` for every guest of the cluster. */
export async function guestNamesBySid(pve: ProxmoxClient, signal: AbortSignal): Promise<Map<string, string>> {
  const guests = await pve.clusterResources('vm', signal);
  return new Map(
    guests.map((g) => [
      `${g.type === 'qemu' ? 'vm' : 'ct'}:${g.vmid}`,
      g.name ? `${g.name} (${g.type}/${g.vmid})` : `${g.type}/${g.vmid}`,
    ]),
  );
}

export async function readHa(pve: ProxmoxClient, signal: AbortSignal): Promise<HaView> {
  const [entries, names] = await Promise.all([pve.haStatus(signal), guestNamesBySid(pve, signal)]);
  return haViewOf(entries, names);
}
