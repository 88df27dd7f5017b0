// Storage replication (pvesr): jobs `<vmid>-<n>` that copy a guest's ZFS volumes to a target node
// on a schedule. Runs are simulated when due (checked whenever a status is read) or on demand.
import { PveHttpError } from '../pve-http-error.js';
import type { ReplicationJob } from './cluster-model.js';
import type { ClusterSeed } from './cluster-seed.js';
import { logTimestamp } from './log-format.js';
import { notifiesAtFailCount, replicationNotification } from './notification-events.js';
import type { SimCluster } from './sim-cluster.js';

/** A run takes a few simulated seconds (an incremental ZFS send of a quiet guest). */
const RUN_MS = 3_000;

/** Next start after `epoch` of an every-N-minutes schedule (`*\/15`); others run every 15 minutes. */
export function nextRun(schedule: string, epoch: number): number {
  const step = intervalSeconds(schedule);
  return (Math.floor(epoch / step) + 1) * step;
}

/** Runs of a job fail with this message until cleared (`failRuns`); `null` picks pvesr's usual one. */
type RunFailure = string | null;

export class ReplicationManager {
  readonly jobs = new Map<string, ReplicationJob>();
  private readonly cluster: SimCluster;
  /** Jobs whose section in replication.cfg sets `schedule` (the others run every 15 minutes). */
  private readonly scheduleSet = new Set<string>();
  /** The node holding each job's log, /var/log/pve/replicate/<id> (where the last run ran). */
  private readonly logNode = new Map<string, string>();
  private readonly runFailures = new Map<string, RunFailure>();
  /** Nodes whose pvescheduler is stopped: due jobs of guests there do not run. */
  private readonly stoppedSchedulers = new Set<string>();

  constructor(cluster: SimCluster, seed: ClusterSeed['replication']) {
    this.cluster = cluster;
    const now = Math.floor(cluster.now() / 1000);
    for (const job of seed) {
      const lastSync = nextRun(job.schedule, now - 15 * 60) - 15 * 60;
      const entry: ReplicationJob = {
        ...job,
        type: 'local',
        lastSync,
        lastTry: lastSync,
        duration: 2.41,
        failCount: 0,
        nextSync: nextRun(job.schedule, now),
        running: false,
        log: [],
      };
      if (job.schedule !== '*/15') this.scheduleSet.add(job.id);
      const guest = cluster.guest(job.guest);
      if (guest) {
        entry.source ??= guest.node;
        // The log of the last (incremental) run, on the guest's node.
        const stamp = `${logTimestamp(lastSync * 1000, cluster.node(guest.node).timezone)} ${job.id}:`;
        entry.log = [
          `${stamp} start replication job`,
          `${stamp} guest => VM ${guest.vmid}, running => ${guest.running ? 2000 + guest.vmid : 0}`,
          `${stamp} volumes => ${guest.disks.map((disk) => `${disk.storage}:${disk.volume}`).join(',')}`,
          ...this.syncLines(entry, lastSync - 15 * 60, lastSync, () => stamp),
          `${stamp} end replication job`,
        ];
        this.logNode.set(job.id, guest.node);
      }
      this.jobs.set(job.id, entry);
    }
  }

  /** Whether the job's config sets a schedule (GET /cluster/replication shows it only then). */
  hasSchedule(id: string): boolean {
    return this.scheduleSet.has(id);
  }

  /** The job's log lines as `node` has them: none (no file) unless a run ran there. */
  logOn(id: string, node: string): string[] | undefined {
    return this.logNode.get(id) === node ? (this.jobs.get(id)?.log ?? []) : undefined;
  }

  /**
   * pve-guest-common ReplicationState job_status: next_sync is 0 while a failing job's target is
   * offline (pvescheduler does not try it then), else the retry backoff or the next calendar event.
   */
  nextSync(job: ReplicationJob): number {
    if (job.failCount > 0 && !this.cluster.isNodeOnline(job.target)) return 0;
    return job.nextSync;
  }

  /**
   * POST …/schedule_now (ReplicationState schedule_job_now): on the guest's node, and only when
   * the job has a state there, last_try becomes 0 so the job is due at once; pvescheduler starts it
   * within a minute, the simulator at once. On another node nothing changes.
   */
  scheduleNow(id: string, node: string): void {
    const job = this.get(id);
    if (this.cluster.guest(job.guest)?.node !== node || job.running) return;
    if (job.lastTry > 0) {
      job.lastTry = 0;
      job.nextSync = nextRun(job.schedule, 0);
    }
    void this.run(id);
  }

  jobsOf(vmid: number): ReplicationJob[] {
    return [...this.jobs.values()].filter((job) => job.guest === vmid);
  }

  get(id: string): ReplicationJob {
    const job = this.jobs.get(id);
    if (!job) throw PveHttpError.die(`replication job '${id}' does not exist`);
    return job;
  }

  /** Adds a job and starts its first (full) sync, as pvesr does; resolves once that run ended. */
  create(
    fields: Pick<ReplicationJob, 'id' | 'target' | 'schedule'> & Partial<ReplicationJob>,
    scheduleSet = fields.schedule !== '*/15',
  ): Promise<void> {
    const cluster = this.cluster;
    cluster.assertQuorum();
    const match = /^(\d+)-(\d+)$/.exec(fields.id);
    if (!match) throw PveHttpError.parameters({ id: `invalid format - replication job id '${fields.id}'` });
    // pve-manager API2/ReplicationConfig.pm create, in its order.
    const guest = cluster.guest(Number(match[1]));
    if (!guest) throw PveHttpError.die(`Guest '${match[1]}' does not exist.`);
    if (!cluster.hasNode(fields.target)) throw PveHttpError.die(`Target '${fields.target}' does not exist.`);
    if (guest.node === fields.target) throw PveHttpError.die('Source and target must not be identical');
    if (guest.disks.length === 0) throw PveHttpError.die('No replicatable volumes found');
    for (const disk of guest.disks) {
      if (disk.storage !== 'local-zfs') {
        throw PveHttpError.die(`missing replicate feature on volume '${disk.storage}:${disk.volume}'`);
      }
    }
    if (this.jobs.has(fields.id)) throw PveHttpError.die(`replication job '${fields.id}' already exists`);
    if (this.jobsOf(guest.vmid).some((job) => job.target === fields.target)) {
      throw PveHttpError.die(
        `replication job for guest '${guest.vmid}' to target '${fields.target}' already exists`,
      );
    }
    const now = Math.floor(cluster.now() / 1000);
    if (scheduleSet) this.scheduleSet.add(fields.id);
    this.jobs.set(fields.id, {
      ...fields,
      source: guest.node,
      guest: guest.vmid,
      jobnum: Number(match[2]),
      type: 'local',
      lastSync: 0,
      lastTry: 0,
      duration: 0,
      failCount: 0,
      nextSync: now,
      running: false,
      log: [],
    });
    return this.run(fields.id);
  }

  remove(id: string): void {
    this.cluster.assertQuorum();
    this.get(id);
    this.jobs.delete(id);
    this.scheduleSet.delete(id);
    this.logNode.delete(id);
  }

  /** PUT …/replication/{id} with a schedule, or `delete=schedule` (back to every 15 minutes). */
  setSchedule(id: string, schedule: string | undefined): void {
    const job = this.get(id);
    job.schedule = schedule ?? '*/15';
    if (schedule === undefined) this.scheduleSet.delete(id);
    else this.scheduleSet.add(id);
  }

  /**
   * Every run of the job fails from now on (until `clearRunFailures`): with `message` as pvesr's
   * error, or by default the one of a `pvesm export | ssh … pvesm import` pipe that broke (the
   * target's pool full or gone). fail_count grows and the retries back off as pvesr's do.
   */
  failRuns(id: string, message?: string): void {
    this.get(id);
    this.runFailures.set(id, message ?? null);
  }

  clearRunFailures(id: string): void {
    this.runFailures.delete(id);
  }

  /**
   * pvescheduler on the node stopped (crashed, or hung on a lock) at `sinceMs`, default now: the
   * jobs of guests on that node stay as they were then, their last sync at the last slot before
   * it and their next_sync passing by unrun, so they fall behind their schedule.
   */
  stopScheduler(node: string, sinceMs = this.cluster.now()): void {
    this.cluster.node(node);
    this.stoppedSchedulers.add(node);
    const since = Math.floor(sinceMs / 1000);
    for (const job of this.jobs.values()) {
      if (this.cluster.guest(job.guest)?.node !== node || job.running) continue;
      const slot = nextRun(job.schedule, since) - intervalSeconds(job.schedule);
      if (job.lastSync > slot) {
        job.lastSync = slot;
        job.lastTry = slot;
      }
      job.nextSync = nextRun(job.schedule, slot);
    }
  }

  /** pvescheduler runs again: overdue jobs run at the next look, as after its restart. */
  startScheduler(node: string): void {
    this.stoppedSchedulers.delete(node);
  }

  /** Brings a job up to date: a run that fell due since the last look happens now. */
  refresh(job: ReplicationJob): void {
    const now = Math.floor(this.cluster.now() / 1000);
    const node = this.cluster.guest(job.guest)?.node;
    if (node !== undefined && this.stoppedSchedulers.has(node)) return;
    const due = this.nextSync(job);
    if (!job.disable && !job.running && due > 0 && now >= due) void this.run(job.id);
  }

  /**
   * POST …/schedule_now, or a scheduled run. Resolves once the run has ended (at once when the
   * job is already running or cannot run), so tests can wait for its outcome.
   */
  run(id: string): Promise<void> {
    const job = this.get(id);
    if (job.running) return Promise.resolve();
    const cluster = this.cluster;
    const guest = cluster.guest(job.guest);
    if (!guest || !cluster.isNodeOnline(guest.node)) return Promise.resolve();
    const node = cluster.node(guest.node);
    const start = Math.floor(cluster.now() / 1000);
    const stamp = () => `${logTimestamp(cluster.now(), node.timezone)} ${job.id}:`;
    job.running = true;
    job.lastTry = start;
    this.logNode.set(job.id, guest.node);
    job.log = [
      `${stamp()} start replication job`,
      `${stamp()} guest => VM ${guest.vmid}, running => ${guest.running ? 2000 + guest.vmid : 0}`,
      `${stamp()} volumes => ${guest.disks.map((disk) => `${disk.storage}:${disk.volume}`).join(',')}`,
    ];
    // The first ssh to an offline target fails at once (connect refused/unreachable).
    if (!cluster.isNodeOnline(job.target)) {
      this.finishRun(job, start, stamp);
      return Promise.resolve();
    }
    let resolve = (): void => {};
    const done = new Promise<void>((settle) => {
      resolve = settle;
    });
    cluster.scheduler.after(RUN_MS, () => {
      this.finishRun(job, start, stamp);
      resolve();
    });
    return done;
  }

  private finishRun(job: ReplicationJob, start: number, stamp: () => string): void {
    const cluster = this.cluster;
    job.running = false;
    job.nextSync = nextRun(job.schedule, Math.floor(cluster.now() / 1000));
    const injected = this.runFailures.get(job.id);
    const error = !cluster.isNodeOnline(job.target)
      ? this.unreachableError(job)
      : injected === undefined
        ? undefined
        : (injected ?? this.brokenPipeError(job, start));
    // record_job_end: the duration of every run, failed or not.
    job.duration = error === undefined ? RUN_MS / 1000 + 0.37 : 1.52;
    if (error !== undefined) {
      job.failCount += 1;
      job.error = error;
      // job_status: retries after 5, 10, 15 minutes, then every 30.
      job.nextSync = start + 60 * (job.failCount <= 3 ? 5 * job.failCount : 30);
      job.log.push(`${stamp()} end replication job with error: ${error}`);
      this.notifyFailure(job, error);
      return;
    }
    job.log.push(...this.syncLines(job, job.lastSync, start, stamp));
    job.log.push(`${stamp()} end replication job`);
    job.lastSync = start;
    job.failCount = 0;
    delete job.error;
  }

  /** Replication.pm _handle_job_err: a notification at fail counts 1, 2, 3, 48, 96, 192, … */
  private notifyFailure(job: ReplicationJob, error: string): void {
    if (!notifiesAtFailCount(job.failCount)) return;
    const node = this.cluster.guest(job.guest)?.node;
    if (!node) return;
    const now = this.cluster.now();
    void this.cluster.notifications.send(
      replicationNotification({
        id: job.id,
        target: job.target,
        schedule: job.schedule,
        node,
        failCount: job.failCount,
        lastSync: logTimestamp(job.lastSync * 1000, this.cluster.node(node).timezone),
        error,
        timestamp: Math.floor(now / 1000),
      }),
    );
  }

  /** The log lines of an incremental sync of each volume from `base` to `start`. */
  private syncLines(job: ReplicationJob, base: number, start: number, stamp: () => string): string[] {
    const guest = this.cluster.guest(job.guest);
    const lines: string[] = [];
    for (const disk of guest?.disks ?? []) {
      const volid = `${disk.storage}:${disk.volume}`;
      const snap = `__replicate_${job.id}_${start}__`;
      lines.push(`${stamp()} create snapshot '${snap}' on ${volid}`);
      lines.push(`${stamp()} using secure transmission, rate limit: none`);
      lines.push(`${stamp()} incremental sync '${volid}' (__replicate_${job.id}_${base}__ => ${snap})`);
      lines.push(`${stamp()} successfully imported '${volid}'`);
      lines.push(
        `${stamp()} delete previous replication snapshot '__replicate_${job.id}_${base}__' on ${volid}`,
      );
    }
    return lines;
  }

  /** PVE::SSHInfo::ssh_info_to_command with the cluster's known_hosts, as pvesr runs it. */
  private sshCommand(target: string): string {
    return (
      `/usr/bin/ssh -e none -o 'BatchMode=yes' -o 'HostKeyAlias=${target}' ` +
      `-o 'UserKnownHostsFile=/etc/pve/nodes/${target}/ssh_known_hosts' -o 'GlobalKnownHostsFile=none' ` +
      `root@${this.cluster.nodeAddress(target)}`
    );
  }

  /**
   * The target is down: pve-guest-common Replication.pm remote_prepare_local_job, the first ssh
   * to it, fails (run_command's "command '…' failed: exit code 255").
   */
  private unreachableError(job: ReplicationJob): string {
    const volumes = (this.cluster.guest(job.guest)?.disks ?? []).map((d) => `${d.storage}:${d.volume}`);
    return `command '${this.sshCommand(job.target)} -- pvesr prepare-local-job ${job.id} ${volumes.join(' ')} --last_sync ${job.lastSync}' failed: exit code 255`;
  }

  /** What pvesr reports when the export/import pipe to the target fails (Replication.pm replicate_volume). */
  private brokenPipeError(job: ReplicationJob, start: number): string {
    const guest = this.cluster.guest(job.guest);
    const disk = guest?.disks[0];
    const volid = disk ? `${disk.storage}:${disk.volume}` : `local-zfs:vm-${job.guest}-disk-0`;
    const snap = `__replicate_${job.id}_${start}__`;
    const base = `__replicate_${job.id}_${job.lastSync}__`;
    return (
      `command 'set -o pipefail && pvesm export ${volid} zfs - -with-snapshots 1 -snapshot ${snap} -base ${base} | ` +
      `${this.sshCommand(job.target)} -- ` +
      `pvesm import ${volid} zfs - -with-snapshots 1 -snapshot ${snap} -allow-rename 0 -base ${base}' failed: exit code 1`
    );
  }
}

/** Seconds between two runs of an every-N-minutes schedule (others: 15 minutes, as nextRun). */
function intervalSeconds(schedule: string): number {
  const every = /^\*\/(\d+)$/.exec(schedule.trim());
  return Math.max(1, every ? Number(every[1]) : 15) * 60;
}
