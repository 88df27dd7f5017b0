// The GETs `pve-record` sends: every endpoint the bot reads (src/proxmox), each with the corpus
// area it belongs to, how its fixture file is named and the Proxmox source that produces it.

import type { PveParams } from '../encode-params.js';

export interface EndpointInfo {
  /** The corpus folder under fixtures/ (recorded fixtures go below fixtures/recorded/<area>). */
  area: 'cluster' | 'nodes' | 'guests' | 'ha' | 'replication' | 'tasks';
  /** Repository, file and API method that answers it. */
  producer: string;
}

/** Keyed by the path template as the API schema writes it. */
export const ENDPOINTS = {
  '/version': { area: 'cluster', producer: 'pve-manager PVE/API2.pm version' },
  '/cluster/resources': { area: 'cluster', producer: 'pve-manager PVE/API2/Cluster.pm resources' },
  '/cluster/status': { area: 'cluster', producer: 'pve-manager PVE/API2/Cluster.pm get_status' },
  '/cluster/nextid': { area: 'cluster', producer: 'pve-manager PVE/API2/Cluster.pm nextid' },
  '/cluster/tasks': { area: 'tasks', producer: 'pve-manager PVE/API2/Cluster.pm tasks' },
  '/cluster/config/join': {
    area: 'cluster',
    producer: 'pve-cluster src/PVE/API2/ClusterConfig.pm join_info',
  },
  '/nodes': { area: 'nodes', producer: 'pve-manager PVE/API2/Nodes.pm index (PVE::API2::Nodes)' },
  '/nodes/{node}/status': { area: 'nodes', producer: 'pve-manager PVE/API2/Nodes.pm status' },
  '/nodes/{node}/time': { area: 'nodes', producer: 'pve-manager PVE/API2/Nodes.pm time' },
  '/nodes/{node}/certificates/info': {
    area: 'nodes',
    producer: 'pve-manager PVE/API2/Certificates.pm info',
  },
  '/nodes/{node}/storage': { area: 'nodes', producer: 'pve-storage src/PVE/API2/Storage/Status.pm index' },
  '/nodes/{node}/apt/update': { area: 'nodes', producer: 'pve-manager PVE/API2/APT.pm list_updates' },
  '/nodes/{node}/apt/versions': { area: 'nodes', producer: 'pve-manager PVE/API2/APT.pm versions' },
  '/nodes/{node}/qemu/{vmid}/status/current': {
    area: 'guests',
    producer: 'qemu-server src/PVE/API2/Qemu.pm vm_status',
  },
  '/nodes/{node}/lxc/{vmid}/status/current': {
    area: 'guests',
    producer: 'pve-container src/PVE/API2/LXC/Status.pm vm_status',
  },
  '/nodes/{node}/qemu/{vmid}/migrate': {
    area: 'guests',
    producer: 'qemu-server src/PVE/API2/Qemu.pm migrate_vm_precondition',
  },
  '/nodes/{node}/lxc/{vmid}/migrate': {
    area: 'guests',
    producer: 'pve-container src/PVE/API2/LXC.pm migrate_vm_precondition',
  },
  '/cluster/ha/status/current': { area: 'ha', producer: 'pve-ha-manager src/PVE/API2/HA/Status.pm status' },
  '/cluster/ha/resources': { area: 'ha', producer: 'pve-ha-manager src/PVE/API2/HA/Resources.pm index' },
  '/cluster/ha/rules': { area: 'ha', producer: 'pve-ha-manager src/PVE/API2/HA/Rules.pm index' },
  '/cluster/ha/groups': { area: 'ha', producer: 'pve-ha-manager src/PVE/API2/HA/Groups.pm index' },
  '/cluster/replication': {
    area: 'replication',
    producer: 'pve-manager PVE/API2/ReplicationConfig.pm index',
  },
  '/nodes/{node}/replication': {
    area: 'replication',
    producer: 'pve-manager PVE/API2/Replication.pm status',
  },
  '/nodes/{node}/replication/{id}/log': {
    area: 'replication',
    producer: 'pve-manager PVE/API2/Replication.pm read_job_log',
  },
  '/nodes/{node}/tasks/{upid}/status': {
    area: 'tasks',
    producer: 'pve-manager PVE/API2/Tasks.pm read_task_status',
  },
  '/nodes/{node}/tasks/{upid}/log': {
    area: 'tasks',
    producer: 'pve-manager PVE/API2/Tasks.pm read_task_log',
  },
} as const satisfies Record<string, EndpointInfo>;

export type EndpointTemplate = keyof typeof ENDPOINTS;

/** The variable parts of a request; `name` turns their anonymised values into a file name. */
export interface RecordVars {
  node?: string;
  vmid?: number;
  target?: string;
  id?: string;
  upid?: string;
  /** A short label for the file name (a resource type, a task type and index). */
  label?: string;
}

export interface RecordRequest {
  template: EndpointTemplate;
  /** The real path (segments not encoded; the recorder encodes them). */
  vars: RecordVars;
  params?: PveParams;
}

/** The path below /api2/json with the given variables filled in (not encoded). */
export function fillPath(template: EndpointTemplate, vars: RecordVars): string {
  return template.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const value = vars[name as keyof RecordVars];
    if (value === undefined) throw new Error(`${template}: no value for {${name}}`);
    return String(value);
  });
}

/** The requests that need nothing but the cluster itself. */
export function clusterRequests(): RecordRequest[] {
  return [
    { template: '/version', vars: {} },
    { template: '/cluster/resources', vars: {} },
    ...(['vm', 'node', 'storage'] as const).map(
      (type): RecordRequest => ({ template: '/cluster/resources', vars: { label: type }, params: { type } }),
    ),
    { template: '/cluster/status', vars: {} },
    { template: '/nodes', vars: {} },
    { template: '/cluster/nextid', vars: {} },
    { template: '/cluster/tasks', vars: {} },
    { template: '/cluster/config/join', vars: {} },
    { template: '/cluster/ha/status/current', vars: {} },
    { template: '/cluster/ha/resources', vars: {} },
    { template: '/cluster/ha/rules', vars: {} },
    { template: '/cluster/ha/groups', vars: {} },
    { template: '/cluster/replication', vars: {} },
  ];
}

export function nodeRequests(node: string): RecordRequest[] {
  const perNode: EndpointTemplate[] = [
    '/nodes/{node}/status',
    '/nodes/{node}/time',
    '/nodes/{node}/certificates/info',
    '/nodes/{node}/storage',
    '/nodes/{node}/apt/update',
    '/nodes/{node}/apt/versions',
    '/nodes/{node}/replication',
  ];
  return perNode.map((template) => ({ template, vars: { node } }));
}

export interface RecordGuest {
  type: 'qemu' | 'lxc';
  vmid: number;
  node: string;
}

/** status/current, then the migrate precondition towards each other node. */
export function guestRequests(guest: RecordGuest, nodes: readonly string[]): RecordRequest[] {
  const vars = { node: guest.node, vmid: guest.vmid };
  const status: RecordRequest = {
    template:
      guest.type === 'qemu'
        ? '/nodes/{node}/qemu/{vmid}/status/current'
        : '/nodes/{node}/lxc/{vmid}/status/current',
    vars,
  };
  const migrate = nodes
    .filter((target) => target !== guest.node)
    .map(
      (target): RecordRequest => ({
        template:
          guest.type === 'qemu' ? '/nodes/{node}/qemu/{vmid}/migrate' : '/nodes/{node}/lxc/{vmid}/migrate',
        vars: { ...vars, target },
        params: { target },
      }),
    );
  return [status, ...migrate];
}

/** The last run's log of a replication job, read from the node its guest lives on. */
export function replicationLogRequest(node: string, id: string): RecordRequest {
  return { template: '/nodes/{node}/replication/{id}/log', vars: { node, id } };
}

/** A task's status and its whole log (`start=0&limit=0`, as the client reads it). */
export function taskRequests(node: string, upid: string, label: string): RecordRequest[] {
  return [
    { template: '/nodes/{node}/tasks/{upid}/status', vars: { node, upid, label } },
    {
      template: '/nodes/{node}/tasks/{upid}/log',
      vars: { node, upid, label },
      params: { start: 0, limit: 0 },
    },
  ];
}

/**
 * The file name (without version and extension) from the template and the ANONYMISED variables:
 * `/nodes/{node}/qemu/{vmid}/migrate` with node01, 100, node02 → `qemu-migrate-100-node01-to-node02`.
 */
export function fixtureName(template: EndpointTemplate, vars: RecordVars): string {
  const fixed = template
    .replace(/\/\{\w+\}/g, '')
    .replace(/^\//, '')
    .replace(/[/_]/g, '-')
    .replace(/^nodes-(qemu|lxc)-/, '$1-')
    .replace(/^nodes-tasks-/, 'task-')
    .replace(/^nodes-/, 'node-');
  const parts = [
    fixed,
    vars.label,
    vars.vmid === undefined ? undefined : String(vars.vmid),
    vars.id,
    vars.node,
    vars.target === undefined ? undefined : `to-${vars.target}`,
  ];
  return parts
    .filter((p): p is string => p !== undefined && p !== '')
    .join('-')
    .replace(/[^A-Za-z0-9.-]+/g, '-');
}
