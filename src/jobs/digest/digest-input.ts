// Everything the digest reads from PVE, reduced to what the report uses and kept as plain JSON,
// so a job can store it, a test can write one by hand, and buildDigest stays a pure function.

/** A read that failed: PVE's message, and the PveError code when there was one. */
export interface ReadFailure {
  message: string;
  code?: string;
}

export interface DigestCluster {
  /** Undefined on a standalone node (no cluster entry in /cluster/status). */
  name?: string;
  quorate: boolean;
  /** Members in corosync's configuration, offline ones included (the cluster entry's `nodes`). */
  nodeCount: number;
}

/** The per-node reads, each with the name used in `DigestNodeDetails.errors`. */
export type NodeReadKind = 'time' | 'certificates' | 'versions' | 'updates' | 'replication';

export interface NodeTimeReading {
  /** The node's clock, epoch seconds (whole seconds: PVE rounds down). */
  time: number;
  /** Our clock (epoch ms) when the request left and when the answer arrived. */
  sentAt: number;
  receivedAt: number;
}

export interface DigestCertificate {
  filename?: string;
  fingerprint?: string;
  subject?: string;
  /** Epoch seconds. */
  notafter?: number;
}

/** What was read from the node itself (each read on its own: one failing leaves the others). */
export interface DigestNodeDetails {
  time?: NodeTimeReading;
  certificates?: DigestCertificate[];
  /** From /apt/versions: the running kernel release and the installed ones, newest first. */
  kernels?: { running?: string; installed: string[] };
  /** The cached list of upgradable packages (GET /apt/update: no apt-get update is started). */
  pendingUpdates?: Array<{ name: string; from?: string; to: string }>;
  errors: Partial<Record<NodeReadKind, ReadFailure>>;
}

export interface DigestNode {
  node: string;
  /** Corosync membership (/cluster/status), the authority on whether a node is up. */
  online: boolean;
  /** From /cluster/resources (pvestatd, refreshed every 10 s): CPU 0..1, memory in bytes. */
  cpu?: number;
  memUsed?: number;
  memTotal?: number;
  /** Seconds since boot. */
  uptime?: number;
  /** HA node state: `online`, `maintenance`, `fence`, … (only when HA is in use). */
  hastate?: string;
  /** Absent for a node that was offline, so never asked. */
  details?: DigestNodeDetails;
}

export interface DigestGuest {
  vmid: number;
  type: 'qemu' | 'lxc';
  name?: string;
  node: string;
  /** `running`, `stopped`, or `unknown` for a guest on a node that is down. */
  status: string;
  template: boolean;
  hastate?: string;
}

/** One /cluster/resources storage entry: a shared storage appears once per node. */
export interface DigestStorage {
  storage: string;
  node: string;
  shared: boolean;
  /** `available`, or `unknown` when the node is down. */
  status?: string;
  used?: number;
  total?: number;
}

export interface DigestHa {
  services: Array<{ sid: string; node?: string; state?: string; requestState?: string }>;
  lrms: Array<{ node: string; status?: string }>;
  master?: { node?: string; status?: string };
}

export interface DigestReplicationState {
  /** Epoch seconds; 0 or absent before the first successful run. */
  lastSync?: number;
  nextSync?: number;
  failCount: number;
  error?: string;
  running: boolean;
}

export interface DigestReplicationJob {
  id: string;
  guest: number;
  target: string;
  /** PVE's default `*\/15` when the job has none. */
  schedule: string;
  disabled: boolean;
  /** The node the guest lives on (where the job runs and its state is kept). */
  source?: string;
  /** Absent when the source node was down or its replication state could not be read. */
  state?: DigestReplicationState;
}

/** A finished task from /cluster/tasks that the digest may report: failed ones and migrations. */
export interface DigestTask {
  upid: string;
  node: string;
  type: string;
  id?: string;
  user?: string;
  starttime?: number;
  /** Epoch seconds, by the node's clock. */
  endtime: number;
  /** `OK`, `WARNINGS: n`, `unexpected status`, or the error text. */
  status: string;
}

/** A guest's newest backup archive, over every backup storage read. */
export interface DigestLastBackup {
  vmid: number;
  /** Epoch seconds, when the backup was made. */
  ctime: number;
  storage: string;
}

/** A finished vzdump task that did not end OK (from /cluster/tasks), with the guests its log names. */
export interface DigestFailedBackup {
  upid: string;
  node: string;
  /** The guest for a one-guest task; absent for a task of several (PVE leaves the id empty). */
  id?: string;
  user?: string;
  endtime: number;
  /** `job errors`, or the job-level error text. */
  status: string;
  /** For `job errors`: each failed guest with PVE's words, when the task's log was read. */
  guests?: Array<{ vmid: number; error: string }>;
}

export interface DigestBackups {
  /** The backup storages read (shared ones once, local ones per node: `local@node01`). */
  storages: string[];
  newest: DigestLastBackup[];
  /** Storages that could not be read: the guests whose backups are there may be flagged wrongly. */
  failures: Array<{ storage: string; node: string; message: string }>;
  failedRuns: DigestFailedBackup[];
}

export interface DigestInput {
  /** Epoch ms the digest is dated: CollectOptions.now, else when the collection started. */
  collectedAt: number;
  cluster: DigestCluster;
  nodes: DigestNode[];
  guests: DigestGuest[];
  storages: DigestStorage[];
  /** Undefined when the HA status could not be read (`readErrors.ha` says why). */
  ha?: DigestHa;
  replication?: DigestReplicationJob[];
  tasks?: DigestTask[];
  /** Absent in digests stored before backups were read. */
  backups?: DigestBackups;
  /** Cluster-wide reads that failed; the digest is made without them. */
  readErrors: Partial<Record<'ha' | 'replication' | 'tasks', ReadFailure>>;
}
