// Everything the daily digest says, read from PVE in as few calls as the API allows.
//
// PVE calls per digest, for N nodes online (offline ones are not asked: they would only answer
// 595 after pveproxy's connect timeout):
//   5 cluster-wide  /cluster/resources (nodes, guests and storages in one), /cluster/status,
//                   /cluster/tasks, /cluster/ha/status/current, /cluster/replication
// + 4 per node      /nodes/{n}/time, /certificates/info, /apt/versions (kernels, Sys.Audit),
//                   /apt/update (GET: the cached list; no aptupdate task is started)
// + 1 per node      /nodes/{n}/replication, only on nodes where a replicated guest lives
// + 1 per backup storage  /nodes/{n}/storage/{s}/content?content=backup: a shared one (a PBS) once,
//                   a local one on each node that has it (collect-backups.ts)
// + ≤ 5             the logs of the newest vzdump runs that ended `job errors` (which guests failed)
// = at most 5 + 5·N + shared backup storages + 5 (5 + 4·N without replication or backups).
//
// /nodes/{n}/status is not read: uptime, CPU and memory come with /cluster/resources, and the
// running kernel with /apt/versions (`RunningKernel`, the same `uname -r`).
import type { ProxmoxClient } from '../../proxmox/proxmox-client.js';
import type {
  ClusterResource,
  GuestResource,
  NodeResource,
  StorageResource,
} from '../../proxmox/schemas/cluster-schemas.js';
import type { HaStatusEntry } from '../../proxmox/schemas/ha-schemas.js';
import type { ReplicationJob, ReplicationStatus } from '../../proxmox/schemas/replication-schemas.js';
import { collectBackups } from './collect-backups.js';
import type {
  DigestCertificate,
  DigestGuest,
  DigestHa,
  DigestInput,
  DigestNode,
  DigestNodeDetails,
  DigestReplicationJob,
  DigestStorage,
  DigestTask,
  NodeReadKind,
} from './digest-input.js';
import { nodeKernels } from './node-kernels.js';
import { settleRead } from './read-failure.js';
import { readNodeTime } from './read-node-time.js';
import { runBounded } from './run-bounded.js';

export type * from './digest-input.js';

export interface CollectOptions {
  signal?: AbortSignal;
  /** Per-node PVE calls in flight at once (default 8, the client's connections per host). */
  concurrency?: number;
  /** The digest's date, epoch ms (default: now). */
  now?: number;
}

/** Task types whose success the digest reports as a migration. */
const MIGRATION_TASKS = new Set(['qmigrate', 'vzmigrate', 'hamigrate']);

/**
 * Reads the cluster for the digest. Only the two reads without which there is no digest at all
 * (/cluster/resources and /cluster/status) can make it fail; any other read that fails, a whole
 * node included, is recorded in the result and reported by buildDigest.
 */
export async function collectDigest(pve: ProxmoxClient, options: CollectOptions = {}): Promise<DigestInput> {
  const { signal } = options;
  const collectedAt = options.now ?? Date.now();
  const concurrency = options.concurrency ?? 8;

  const [resources, status, ha, replication, tasks] = await Promise.all([
    pve.clusterResources(undefined, signal),
    pve.clusterStatus(signal),
    settleRead(pve.haStatus(signal), signal),
    settleRead(pve.replicationJobs(signal), signal),
    settleRead(pve.clusterTasks(signal), signal),
  ]);

  const guests = resources.filter((r): r is GuestResource => r.type === 'qemu' || r.type === 'lxc');
  const nodes = digestNodes(resources, status.nodes);
  const online = nodes.filter((n) => n.online).map((n) => n.node);
  const details = new Map<string, DigestNodeDetails>(online.map((node) => [node, { errors: {} }]));
  const replicationStates = new Map<string, ReplicationStatus>();

  // Clocks first and alone: queued behind slower reads, a reading would drift by the wait.
  await runBounded(
    [...details].map(
      ([node, own]) =>
        () =>
          readInto(own, 'time', readNodeTime(pve, node, signal), signal, (time) => {
            own.time = time;
          }),
    ),
    concurrency,
    signal,
  );

  const jobs = 'value' in replication ? replication.value : [];
  const nodeOf = new Map(guests.map((g) => [g.vmid, g.node]));
  const replicatedOn = new Set(jobs.flatMap((job) => nodeOf.get(job.guest) ?? []));
  const reads = [...details].flatMap(([node, own]) => {
    const list: Array<() => Promise<void>> = [
      () =>
        readInto(own, 'certificates', certificatesOf(pve, node, signal), signal, (certificates) => {
          own.certificates = certificates;
        }),
      () =>
        readInto(own, 'versions', pve.packageVersions(node, signal), signal, (versions) => {
          own.kernels = nodeKernels(versions);
        }),
      () =>
        readInto(own, 'updates', pve.pendingUpdates(node, signal), signal, (pending) => {
          own.pendingUpdates = pending.map((p) => ({
            name: p.Package,
            ...(p.OldVersion ? { from: p.OldVersion } : {}),
            to: p.Version,
          }));
        }),
    ];
    if (replicatedOn.has(node)) {
      list.push(() =>
        readInto(own, 'replication', pve.nodeReplicationStatus(node, signal), signal, (states) => {
          for (const state of states) replicationStates.set(state.id, state);
        }),
      );
    }
    return list;
  });
  const digestTasks = 'value' in tasks ? tasks.value.flatMap((task) => digestTask(task) ?? []) : undefined;
  // Backups beside the node reads: their storages are other servers' disks (a PBS), not the nodes.
  const [backups] = await Promise.all([
    collectBackups(pve, resources, digestTasks, { concurrency, signal }),
    runBounded(reads, concurrency, signal),
  ]);

  for (const node of nodes) {
    const own = details.get(node.node);
    if (own) node.details = own;
  }
  return {
    collectedAt,
    cluster: {
      ...(status.clusterName === undefined ? {} : { name: status.clusterName }),
      quorate: status.quorate,
      nodeCount: clusterNodeCount(status.nodes.length, nodes.length),
    },
    nodes,
    guests: guests.map(digestGuest),
    storages: resources.filter((r): r is StorageResource => r.type === 'storage').map(digestStorage),
    ...('value' in ha ? { ha: digestHa(ha.value) } : {}),
    ...('value' in replication
      ? { replication: replication.value.map((job) => digestJob(job, nodeOf, replicationStates)) }
      : {}),
    ...(digestTasks ? { tasks: digestTasks } : {}),
    backups,
    readErrors: {
      ...('failure' in ha ? { ha: ha.failure } : {}),
      ...('failure' in replication ? { replication: replication.failure } : {}),
      ...('failure' in tasks ? { tasks: tasks.failure } : {}),
    },
  };
}

/** Runs one node read: `apply` stores its value in the node's details, a failure goes to `errors`. */
async function readInto<T>(
  own: DigestNodeDetails,
  kind: NodeReadKind,
  read: Promise<T>,
  signal: AbortSignal | undefined,
  apply: (value: T) => void,
): Promise<void> {
  const result = await settleRead(read, signal);
  if ('failure' in result) own.errors[kind] = result.failure;
  else apply(result.value);
}

/** Only the fields the report uses: the PEM and SAN lists would bloat a stored digest. */
async function certificatesOf(
  pve: ProxmoxClient,
  node: string,
  signal?: AbortSignal,
): Promise<DigestCertificate[]> {
  return (await pve.nodeCertificates(node, signal)).map((c) => ({
    ...(c.filename === undefined ? {} : { filename: c.filename }),
    ...(c.fingerprint === undefined ? {} : { fingerprint: c.fingerprint }),
    ...(c.subject === undefined ? {} : { subject: c.subject }),
    ...(c.notafter === undefined ? {} : { notafter: c.notafter }),
  }));
}

/** Members from /cluster/status (online per corosync), figures from /cluster/resources. */
function digestNodes(
  resources: ClusterResource[],
  members: Array<{ name: string; online: boolean }>,
): DigestNode[] {
  const entries = new Map(
    resources.filter((r): r is NodeResource => r.type === 'node').map((r) => [r.node, r] as const),
  );
  // A standalone node has no membership list: its resources entry is all there is.
  const names = members.length > 0 ? members.map((m) => m.name) : [...entries.keys()];
  const onlineByStatus = new Map(members.map((m) => [m.name, m.online]));
  return names
    .map((name): DigestNode => {
      const entry = entries.get(name);
      const online = onlineByStatus.get(name) ?? entry?.status === 'online';
      return {
        node: name,
        online,
        ...(online && entry?.cpu !== undefined ? { cpu: entry.cpu } : {}),
        ...(online && entry?.mem !== undefined ? { memUsed: entry.mem } : {}),
        ...(entry?.maxmem === undefined ? {} : { memTotal: entry.maxmem }),
        ...(online && entry?.uptime !== undefined ? { uptime: entry.uptime } : {}),
        ...(entry?.hastate === undefined ? {} : { hastate: entry.hastate }),
      };
    })
    .sort((a, b) => a.node.localeCompare(b.node));
}

function clusterNodeCount(members: number, known: number): number {
  return members > 0 ? members : known;
}

function digestGuest(g: GuestResource): DigestGuest {
  return {
    vmid: g.vmid,
    type: g.type,
    ...(g.name === undefined ? {} : { name: g.name }),
    node: g.node,
    status: g.status ?? 'unknown',
    template: g.template === true,
    ...(g.hastate === undefined ? {} : { hastate: g.hastate }),
  };
}

function digestStorage(s: StorageResource): DigestStorage {
  return {
    storage: s.storage,
    node: s.node,
    shared: s.shared === true,
    ...(s.status === undefined ? {} : { status: s.status }),
    ...(s.disk === undefined ? {} : { used: s.disk }),
    ...(s.maxdisk === undefined ? {} : { total: s.maxdisk }),
  };
}

function digestHa(entries: HaStatusEntry[]): DigestHa {
  const master = entries.find((e) => e.type === 'master');
  return {
    services: entries
      .filter((e) => e.type === 'service')
      .map((e) => ({
        sid: e.sid ?? e.id.replace(/^service:/, ''),
        ...(e.node === undefined ? {} : { node: e.node }),
        ...((e.state ?? e.crm_state) === undefined ? {} : { state: e.state ?? e.crm_state }),
        ...(e.request_state === undefined ? {} : { requestState: e.request_state }),
      })),
    lrms: entries
      .filter((e) => e.type === 'lrm')
      .map((e) => ({
        node: e.node ?? e.id.replace(/^lrm:/, ''),
        ...(e.status === undefined ? {} : { status: e.status }),
      })),
    ...(master
      ? {
          master: {
            ...(master.node === undefined ? {} : { node: master.node }),
            ...(master.status === undefined ? {} : { status: master.status }),
          },
        }
      : {}),
  };
}

function digestJob(
  job: ReplicationJob,
  nodeOf: Map<number, string>,
  states: Map<string, ReplicationStatus>,
): DigestReplicationJob {
  const source = nodeOf.get(job.guest);
  const state = states.get(job.id);
  return {
    id: job.id,
    guest: job.guest,
    target: job.target,
    schedule: job.schedule ?? '*/15',
    disabled: job.disable === true || job.remove_job !== undefined,
    ...(source === undefined ? {} : { source }),
    ...(state
      ? {
          state: {
            ...(state.last_sync === undefined ? {} : { lastSync: state.last_sync }),
            ...(state.next_sync === undefined ? {} : { nextSync: state.next_sync }),
            failCount: state.fail_count ?? 0,
            ...(state.error === undefined ? {} : { error: state.error }),
            running: state.pid !== undefined,
          },
        }
      : {}),
  };
}

/** Keeps finished tasks that failed or migrated a guest; the rest would only weigh. */
function digestTask(
  task: Awaited<ReturnType<ProxmoxClient['clusterTasks']>>[number],
): DigestTask | undefined {
  if (task.endtime === undefined || task.status === undefined) return undefined;
  if (task.status === 'OK' && !MIGRATION_TASKS.has(task.type)) return undefined;
  return {
    upid: task.upid,
    node: task.node,
    type: task.type,
    ...(task.id === undefined || task.id === '' ? {} : { id: task.id }),
    ...(task.user === undefined ? {} : { user: task.user }),
    ...(task.starttime === undefined ? {} : { starttime: task.starttime }),
    endtime: task.endtime,
    status: task.status,
  };
}
