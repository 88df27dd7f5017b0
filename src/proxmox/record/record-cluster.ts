// Walks a cluster with GETs only and keeps every answer as it came (status line and body text):
// first the cluster-wide endpoints, then per node, per guest (status and migrate precondition
// towards each other node), per replication job and for a few recent tasks. An error answer is
// an answer (a 403 for a missing privilege, a 501 from an older PVE) and the walk goes on; a
// request no host answered is noted and skipped.

import type { PveRawAnswer, PveReadOnlyTransport } from '../pve-raw-get.js';
import {
  clusterRequests,
  type EndpointTemplate,
  fillPath,
  guestRequests,
  nodeRequests,
  type RecordGuest,
  type RecordRequest,
  replicationLogRequest,
  taskRequests,
} from './endpoints.js';

export interface RecordedExchange {
  request: RecordRequest;
  answer: PveRawAnswer;
}

export interface FailedExchange {
  request: RecordRequest;
  /** Why no host answered (connection, TLS, timeout). */
  reason: string;
}

export interface RecordingResult {
  exchanges: RecordedExchange[];
  failures: FailedExchange[];
}

export interface RecordOptions {
  /** Guests whose status and migrate preconditions are read (default 12, one of each kind first). */
  maxGuests?: number;
  /** Recent tasks whose status and log are read (default 4: running, OK, failed, then newest). */
  maxTasks?: number;
  /** Told about each answer as it arrives (template, status), for progress output. */
  onExchange?: (template: EndpointTemplate, status: number | undefined) => void;
  signal?: AbortSignal;
}

export async function recordCluster(
  pve: PveReadOnlyTransport,
  options: RecordOptions = {},
): Promise<RecordingResult> {
  const exchanges: RecordedExchange[] = [];
  const failures: FailedExchange[] = [];
  const data = new Map<string, unknown>();

  async function send(request: RecordRequest): Promise<unknown> {
    const path = fillPath(request.template, encodeVars(request));
    try {
      const answer = await pve.get(path, request.params, options.signal);
      exchanges.push({ request, answer });
      options.onExchange?.(request.template, answer.status);
      return answer.status >= 200 && answer.status < 300 ? dataOf(answer.body) : undefined;
    } catch (error) {
      if (options.signal?.aborted) throw error;
      failures.push({ request, reason: error instanceof Error ? error.message : String(error) });
      options.onExchange?.(request.template, undefined);
      return undefined;
    }
  }

  for (const request of clusterRequests()) {
    const key = `${request.template}?${request.vars.label ?? ''}`;
    data.set(key, await send(request));
  }

  const nodes = nodeNames(data);
  for (const node of nodes) {
    for (const request of nodeRequests(node)) await send(request);
  }

  const resources = arrayOf(data.get('/cluster/resources?vm') ?? data.get('/cluster/resources?'));
  const guests = pickGuests(resources, options.maxGuests ?? 12);
  for (const guest of guests) {
    for (const request of guestRequests(guest, nodes)) await send(request);
  }

  const guestNode = new Map<number, string>();
  for (const r of resources) {
    if (typeof r.vmid === 'number' && typeof r.node === 'string') guestNode.set(r.vmid, r.node);
  }
  for (const job of arrayOf(data.get('/cluster/replication?'))) {
    const node = typeof job.guest === 'number' ? guestNode.get(job.guest) : undefined;
    const source = node ?? (typeof job.source === 'string' ? job.source : undefined);
    if (source && typeof job.id === 'string') await send(replicationLogRequest(source, job.id));
  }

  const tasks = pickTasks(arrayOf(data.get('/cluster/tasks?')), options.maxTasks ?? 4);
  for (const [i, task] of tasks.entries()) {
    for (const request of taskRequests(task.node, task.upid, `${task.type}-${i + 1}`)) await send(request);
  }
  return { exchanges, failures };
}

function encodeVars(request: RecordRequest): RecordRequest['vars'] {
  const encoded: RecordRequest['vars'] = {};
  for (const [key, value] of Object.entries(request.vars)) {
    (encoded as Record<string, unknown>)[key] =
      typeof value === 'string' ? encodeURIComponent(value) : (value as unknown);
  }
  return encoded;
}

function dataOf(body: string): unknown {
  try {
    return (JSON.parse(body) as { data?: unknown }).data;
  } catch {
    return undefined;
  }
}

function arrayOf(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value)
    ? value.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null)
    : [];
}

/** Node names from GET /nodes, else /cluster/status, else the node entries of /cluster/resources. */
function nodeNames(data: Map<string, unknown>): string[] {
  const fromNodes = arrayOf(data.get('/nodes?')).map((n) => n.node);
  const fromStatus = arrayOf(data.get('/cluster/status?'))
    .filter((e) => e.type === 'node')
    .map((e) => e.name);
  const fromResources = arrayOf(data.get('/cluster/resources?'))
    .filter((e) => e.type === 'node')
    .map((e) => e.node);
  const names = [fromNodes, fromStatus, fromResources]
    .map((list) => list.filter((n): n is string => typeof n === 'string' && n !== ''))
    .find((list) => list.length > 0);
  return [...new Set(names ?? [])].sort();
}

/** One guest of each kind (type, running or not, template or not) first, then by vmid. */
function pickGuests(resources: Record<string, unknown>[], max: number): RecordGuest[] {
  const guests = resources
    .filter((r) => (r.type === 'qemu' || r.type === 'lxc') && typeof r.vmid === 'number')
    .filter((r) => typeof r.node === 'string')
    .sort((a, b) => (a.vmid as number) - (b.vmid as number));
  const kind = (r: Record<string, unknown>) => `${r.type}/${r.status}/${r.template}/${r.hastate ? 'ha' : ''}`;
  const seen = new Set<string>();
  const first = guests.filter((r) => !seen.has(kind(r)) && seen.add(kind(r)));
  const rest = guests.filter((r) => !first.includes(r));
  return [...first, ...rest]
    .slice(0, Math.max(0, max))
    .map((r) => ({ type: r.type as 'qemu' | 'lxc', vmid: r.vmid as number, node: r.node as string }));
}

interface PickedTask {
  upid: string;
  node: string;
  type: string;
}

/** A running task, an OK one, a failed one, then the newest others. */
function pickTasks(tasks: Record<string, unknown>[], max: number): PickedTask[] {
  const valid = tasks.filter((t) => typeof t.upid === 'string' && typeof t.node === 'string');
  const picks = [
    valid.find((t) => t.endtime === undefined),
    valid.find((t) => t.status === 'OK'),
    valid.find((t) => typeof t.status === 'string' && t.status !== 'OK'),
    ...valid,
  ];
  const unique = [...new Set(picks.filter((t) => t !== undefined))];
  return unique.slice(0, Math.max(0, max)).map((t) => ({
    upid: t.upid as string,
    node: t.node as string,
    type: typeof t.type === 'string' ? t.type : 'task',
  }));
}
