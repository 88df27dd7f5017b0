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

/** Status.pm $timestamp_to_status: a status file older than 30 s means its writer is gone. */
function timestampToStatus(now: number, timestamp: number): string {
  const diff = now - timestamp;
  if (diff > 30) return 'old timestamp - dead?';
  if (diff < -2) return 'detected time drift!';
  return 'active';
}

/**
 * pve-ha-manager src/PVE/API2/HA/Status.pm `status` as of 5.1.3 (PVE 9.1.7): quorum, master,
 * fencing (always, "armed (CRM watchdog active)" or "standby (CRM watchdog standby)"), one lrm
 * entry per node of manager_status.node_status ("<node> (<word>, watchdog <…>, <localtime>)", no
 * `state` key), then the services the CRM knows, sorted, and those it has not taken up yet.
 * Before 5.1.3 (PVE 8.4's 4.0.7 included) there is no fencing entry and no watchdog part; 4.0
 * services carry their `group` and no `failback` (cluster.release.ha).
 */
export function haStatusCurrent(cluster: SimCluster, servingNode: string): unknown[] {
  const ha = cluster.ha;
  const tz = cluster.node(servingNode).timezone;
  const quorate = cluster.isQuorate();
  const now = Math.floor(cluster.now() / 1000);
  const out: unknown[] = [
    {
      id: 'quorum',
      type: 'quorum',
      node: servingNode,
      status: quorate ? 'OK' : `No quorum on node '${servingNode}'!`,
      quorate: quorate ? 1 : 0,
    },
  ];
  // The simulated CRM elects a new master at once; a dead master's timestamp is stale.
  const masterWord =
    quorate && cluster.isNodeOnline(ha.master)
      ? timestampToStatus(now, ha.timestamp)
      : 'old timestamp - dead?';
  const crmActive = masterWord === 'active';
  // "mark crm idle if it has no service configured and is not active"
  const shownWord = quorate && !crmActive && ha.resources.size === 0 ? 'idle' : masterWord;
  out.push({
    id: 'master',
    type: 'master',
    node: ha.master,
    status: `${ha.master} (${shownWord}, ${perlTime(ha.timestamp, tz)})`,
    timestamp: ha.timestamp,
  });
  const { watchdogStatus, resourceFailback } = cluster.release.ha;
  const armed = crmActive ? 'armed' : 'standby';
  if (watchdogStatus)
    out.push({
      id: 'fencing',
      type: 'fencing',
      node: ha.master,
      status: `${armed} (CRM watchdog ${crmActive ? 'active' : 'standby'})`,
      'armed-state': armed,
    });
  for (const node of [...cluster.nodeNames()].sort()) {
    const { state, timestamp } = ha.lrmStatus(node);
    const mode = ha.lrmMode(node);
    let word = cluster.isNodeOnline(node) ? timestampToStatus(now, timestamp) : 'old timestamp - dead?';
    // "LRM holds its watchdog while it has the agent lock"
    const watchdog =
      word === 'active' && (state === 'active' || state === 'maintenance')
        ? 'watchdog active'
        : 'watchdog standby';
    if (word === 'active') {
      if (mode !== 'active') word = `${mode} mode`;
      else word = state === 'wait_for_agent_lock' && ha.activeServiceCount(node) === 0 ? 'idle' : state;
    } else if (mode === 'maintenance') {
      word = `${mode} mode`;
    }
    out.push({
      id: `lrm:${node}`,
      type: 'lrm',
      node,
      status: `${node} (${word}, ${watchdogStatus ? `${watchdog}, ` : ''}${perlTime(timestamp, tz)})`,
      timestamp,
    });
  }
  const service = (sid: string): Record<string, unknown> => {
    const resource = ha.resources.get(sid);
    const status = ha.services.get(sid);
    const entry: Record<string, unknown> = { id: `service:${sid}`, type: 'service', sid };
    const node = status?.node ?? (resource ? cluster.guest(resource.vmid)?.node : undefined);
    if (node !== undefined) entry.node = node;
    if (status) entry.crm_state = status.state;
    entry.state = ha.verboseServiceState(sid);
    entry.status = `${sid} (${node ?? '---'}, ${entry.state})`;
    if (resource) {
      // read_and_check_resources_config fills the defaults in.
      entry.request_state = resource.state;
      if (resource.group !== undefined) entry.group = resource.group;
      entry.max_restart = resource.max_restart;
      entry.max_relocate = resource.max_relocate;
      if (resourceFailback) entry.failback = resource.failback ? 1 : 0;
      if (resource.comment !== undefined) entry.comment = resource.comment;
    }
    return entry;
  };
  for (const sid of [...ha.services.keys()].sort()) out.push(service(sid));
  for (const sid of [...ha.resources.keys()].sort()) if (!ha.services.has(sid)) out.push(service(sid));
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
    const { state, timestamp } = ha.lrmStatus(node);
    lrmStatus[node] = { mode: ha.lrmMode(node), state, timestamp, results: {} };
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
