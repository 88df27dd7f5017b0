import { pvePath } from './pve-path.js';
import type { PveTransport } from './pve-transport.js';
import {
  type ClusterResource,
  type ClusterTask,
  clusterResourcesSchema,
  clusterStatusSchema,
  clusterTasksSchema,
  type GuestResource,
  type NodeResource,
  nextIdSchema,
  type PveVersion,
  type StorageResource,
  versionSchema,
} from './schemas/cluster-schemas.js';
import {
  type NodeListEntry,
  type NodeStatus,
  nodeListSchema,
  nodeStatusSchema,
} from './schemas/node-schemas.js';

/**
 * The `type` filters PVE accepts (`pool` and `network` are refused, even on 9.x). `sdn` finds
 * nothing on 9.x: its nodes send the localnetwork zone as `network` entries, which only the
 * unfiltered list carries.
 */
export type ResourceType = 'vm' | 'node' | 'storage' | 'sdn';

/** What `/cluster/resources?type=…` returns, narrowed by the type asked for. */
export type ResourcesOf<T extends ResourceType | undefined> = T extends 'vm'
  ? GuestResource[]
  : T extends 'node'
    ? NodeResource[]
    : T extends 'storage'
      ? StorageResource[]
      : ClusterResource[];

export async function getClusterResources<T extends ResourceType | undefined = undefined>(
  transport: PveTransport,
  type?: T,
  signal?: AbortSignal,
): Promise<ResourcesOf<T>> {
  const all = await transport.request('GET', '/cluster/resources', {
    params: { type },
    schema: clusterResourcesSchema,
    signal,
  });
  // PVE already filters by type; the guard narrows the union and drops nothing on a real server.
  const wanted = type === 'vm' ? ['qemu', 'lxc'] : type === undefined ? undefined : [type];
  return (wanted ? all.filter((r) => wanted.includes(r.type)) : all) as ResourcesOf<T>;
}

export interface ClusterNodeState {
  name: string;
  nodeid?: number;
  online: boolean;
  /** The node this client is talking to. */
  local: boolean;
  ip?: string;
}

export interface ClusterState {
  /** Undefined on a standalone node, which has no cluster entry. */
  clusterName?: string;
  quorate: boolean;
  nodes: ClusterNodeState[];
}

export async function getClusterStatus(transport: PveTransport, signal?: AbortSignal): Promise<ClusterState> {
  const entries = await transport.request('GET', '/cluster/status', { schema: clusterStatusSchema, signal });
  const cluster = entries.find((e) => e.type === 'cluster');
  const nodes = entries
    .filter((e) => e.type === 'node')
    .map((e) => ({
      name: e.name ?? e.id.replace(/^node\//, ''),
      ...(e.nodeid === undefined ? {} : { nodeid: e.nodeid }),
      online: e.online ?? false,
      local: e.local ?? false,
      ...(e.ip === undefined ? {} : { ip: e.ip }),
    }));
  // A standalone node is trivially quorate; it has no cluster entry to say so.
  return {
    ...(cluster?.name ? { clusterName: cluster.name } : {}),
    quorate: cluster ? (cluster.quorate ?? false) : true,
    nodes,
  };
}

export function listNodes(transport: PveTransport, signal?: AbortSignal): Promise<NodeListEntry[]> {
  return transport.request('GET', '/nodes', { schema: nodeListSchema, signal });
}

export function getNodeStatus(
  transport: PveTransport,
  node: string,
  signal?: AbortSignal,
): Promise<NodeStatus> {
  return transport.request('GET', pvePath`/nodes/${node}/status`, { schema: nodeStatusSchema, signal });
}

export function getVersion(transport: PveTransport, signal?: AbortSignal): Promise<PveVersion> {
  return transport.request('GET', '/version', { schema: versionSchema, signal });
}

/** The next free vmid (PVE sends it as a string); with `vmid`, checks that one is free. */
export function getNextId(transport: PveTransport, vmid?: number, signal?: AbortSignal): Promise<number> {
  return transport.request('GET', '/cluster/nextid', { params: { vmid }, schema: nextIdSchema, signal });
}

export function listClusterTasks(transport: PveTransport, signal?: AbortSignal): Promise<ClusterTask[]> {
  return transport.request('GET', '/cluster/tasks', { schema: clusterTasksSchema, signal });
}
