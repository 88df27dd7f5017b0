// /cluster/ha/status/current and manager_status, rendered from the simulated CRM's state.
import type { SimCluster } from '../cluster/sim-cluster.js';

/** Perl's scalar(localtime): `Tue Nov  4 10:00:00 2025`. */
function perlTime(epoch: number, timeZone: string): string {
  const text = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    year: 'numeric',
    hourCycle: 'h23',
  }).formatToParts(new Date(epoch * 1000));
  const get = (type: string) => text.find((part) => part.type === type)?.value ?? '';
  return `${get('weekday')} ${get('month')} ${get('day').padStart(2, ' ')} ${get('hour')}:${get('minute')}:${get('second')} ${get('year')}`;
}

/** The LRM's state (holding its agent lock while it has services) and mode (active, maintenance). */
function lrmState(cluster: SimCluster, node: string): { state: string; active: boolean; mode: string } {
  const active = [...cluster.ha.services.values()].some((service) => service.node === node);
  return { state: active ? 'active' : 'wait_for_agent_lock', active, mode: cluster.ha.lrmMode(node) };
}

/** Status.pm: a mode other than active is shown as `<mode> mode`, e.g. `maintenance mode`. */
function lrmWord(online: boolean, mode: string, active: boolean): string {
  if (!online) return 'old timestamp - dead?';
  if (mode !== 'active') return `${mode} mode`;
  return active ? 'active, watchdog active' : 'idle';
}

export function haStatusCurrent(cluster: SimCluster, servingNode: string): unknown[] {
  const ha = cluster.ha;
  const tz = cluster.node(servingNode).timezone;
  const quorate = cluster.isQuorate();
  const out: unknown[] = [
    {
      id: 'quorum',
      type: 'quorum',
      node: servingNode,
      status: quorate ? 'OK' : `No quorum on node '${servingNode}'!`,
      quorate: quorate ? 1 : 0,
    },
  ];
  if (ha.services.size === 0) return out;
  const masterAlive = quorate && cluster.isNodeOnline(ha.master);
  out.push({
    id: 'master',
    type: 'master',
    node: ha.master,
    status: `${ha.master} (${masterAlive ? 'active' : 'old timestamp - dead?'}, ${perlTime(ha.timestamp, tz)})`,
    timestamp: ha.timestamp,
  });
  out.push({ id: 'fencing', type: 'fencing', node: ha.master, status: 'armed', 'armed-state': 'armed' });
  for (const node of cluster.nodeNames()) {
    const { state, active, mode } = lrmState(cluster, node);
    const online = cluster.isNodeOnline(node);
    const timestamp = online ? Math.floor(cluster.now() / 1000) : ha.timestamp;
    const word = lrmWord(online, mode, active);
    out.push({
      id: `lrm:${node}`,
      type: 'lrm',
      node,
      status: `${node} (${word}, ${perlTime(timestamp, tz)})`,
      timestamp,
      state,
    });
  }
  for (const [sid, service] of ha.services) {
    const resource = ha.resources.get(sid);
    if (!resource) continue;
    const entry: Record<string, unknown> = {
      id: `service:${sid}`,
      type: 'service',
      sid,
      node: service.node,
      crm_state: service.state,
      state: service.state,
      request_state: resource.state,
      status: `${sid} (${service.node}, ${service.state})`,
      max_restart: resource.max_restart,
      max_relocate: resource.max_relocate,
      failback: resource.failback ? 1 : 0,
    };
    if (resource.comment) entry.comment = resource.comment;
    out.push(entry);
  }
  return out;
}

export function haManagerStatus(cluster: SimCluster, servingNode: string): unknown {
  const ha = cluster.ha;
  const serviceStatus: Record<string, unknown> = {};
  for (const [sid, service] of ha.services) {
    const guest = cluster.guest(ha.resources.get(sid)?.vmid ?? -1);
    const entry: Record<string, unknown> = { node: service.node, state: service.state, uid: service.uid };
    if (service.state === 'started') entry.running = guest?.running ? 1 : 0;
    if (service.target) entry.target = service.target;
    if (service.maintenanceNode) entry.maintenance_node = service.maintenanceNode;
    serviceStatus[sid] = entry;
  }
  const lrmStatus: Record<string, unknown> = {};
  for (const node of cluster.nodeNames()) {
    const { state, mode } = lrmState(cluster, node);
    const online = cluster.isNodeOnline(node);
    lrmStatus[node] = {
      mode,
      state,
      timestamp: online ? Math.floor(cluster.now() / 1000) : ha.timestamp,
      results: {},
    };
  }
  const managerStatus: Record<string, unknown> = {
    master_node: ha.master,
    timestamp: ha.timestamp,
    node_status: Object.fromEntries(ha.nodeStatus),
    service_status: serviceStatus,
  };
  // Created by the first node-maintenance command; `disable` empties it but it stays, as in Perl.
  if (ha.hasNodeRequests) managerStatus.node_request = Object.fromEntries(ha.nodeRequests);
  return {
    manager_status: managerStatus,
    lrm_status: lrmStatus,
    quorum: { node: servingNode, quorate: cluster.isQuorate() ? '1' : '0' },
  };
}
