// Storage replication (pvesr): jobs `<vmid>-<n>` that copy a guest's ZFS volumes to a target node
// on a schedule. Runs are simulated when due (checked whenever a status is read) or on demand.
import { PveHttpError } from '../pve-http-error.js';
import type { ReplicationJob } from './cluster-model.js';
import type { ClusterSeed } from './cluster-seed.js';
import { logTimestamp } from './log-format.js';
import type { SimCluster } from './sim-cluster.js';

/** A run takes a few simulated seconds (an incremental ZFS send of a quiet guest). */
const RUN_MS = 3_000;

/** Next start after `epoch` of an every-N-minutes schedule (`*\/15`); others run every 15 minutes. */
export function nextRun(schedule: string, epoch: number): number {
  const every = /^\*\/(\d+)$/.exec(schedule.trim());
  const minutes = every ? Number(every[1]) : 15;
  const step = Math.max(1, minutes) * 60;
  return (Math.floor(epoch / step) + 1) * step;
}

export class ReplicationManager {
  readonly jobs = new Map<string, ReplicationJob>();
  private readonly cluster: SimCluster;

  constructor(cluster: SimCluster, seed: ClusterSeed['replication']) {
    this.cluster = cluster;
    const now = Math.floor(cluster.now() / 1000);
    for (const job of seed) {
      const lastSync = nextRun(job.schedule, now - 15 * 60) - 15 * 60;
      this.jobs.set(job.id, {
        ...job,
        type: 'local',
        lastSync,
        lastTry: lastSync,
        duration: 2.41,
        failCount: 0,
        nextSync: nextRun(job.schedule, now),
        running: false,
        log: [],
      });
    }
  }

  jobsOf(vmid: number): ReplicationJob[] {
    return [...this.jobs.values()].filter((job) => job.guest === vmid);
  }

  get(id: string): ReplicationJob {
    const job = this.jobs.get(id);
    if (!job) throw PveHttpError.die(`replication job '${id}' does not exist`);
    return job;
  }

  create(fields: Pick<ReplicationJob, 'id' | 'target' | 'schedule'> & Partial<ReplicationJob>): void {
    const cluster = this.cluster;
    cluster.assertQuorum();
    const match = /^(\d+)-(\d+)$/.exec(fields.id);
    if (!match) throw PveHttpError.parameters({ id: `invalid format - replication job id '${fields.id}'` });
    const guest = cluster.guest(Number(match[1]));
    if (!guest) throw PveHttpError.die(`guest '${match[1]}' does not exist`);
    if (this.jobs.has(fields.id)) throw PveHttpError.die(`replication job '${fields.id}' already exists`);
    cluster.assertNodeExists(fields.target);
    if (guest.node === fields.target) throw PveHttpError.die(`source and target node are the same`);
    if (this.jobsOf(guest.vmid).some((job) => job.target === fields.target)) {
      throw PveHttpError.die(
        `replication job for guest '${guest.vmid}' to target '${fields.target}' already exists`,
      );
    }
    for (const disk of guest.disks) {
      if (disk.storage !== 'local-zfs') {
        throw PveHttpError.die(`missing replicate feature on volume '${disk.storage}:${disk.volume}'`);
      }
    }
    const now = Math.floor(cluster.now() / 1000);
    this.jobs.set(fields.id, {
      ...fields,
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
    this.run(fields.id);
  }

  remove(id: string): void {
    this.cluster.assertQuorum();
    this.get(id);
    this.jobs.delete(id);
  }

  /** Brings a job up to date: a run that fell due since the last look happens now. */
  refresh(job: ReplicationJob): void {
    const now = Math.floor(this.cluster.now() / 1000);
    if (!job.disable && !job.running && now >= job.nextSync) this.run(job.id);
  }

  /** POST …/schedule_now, or a scheduled run. */
  run(id: string): void {
    const job = this.get(id);
    if (job.running) return;
    const cluster = this.cluster;
    const guest = cluster.guest(job.guest);
    if (!guest || !cluster.isNodeOnline(guest.node)) return;
    const node = cluster.node(guest.node);
    const start = Math.floor(cluster.now() / 1000);
    const stamp = () => `${logTimestamp(cluster.now(), node.timezone)} ${job.id}:`;
    job.running = true;
    job.lastTry = start;
    job.log = [
      `${stamp()} start replication job`,
      `${stamp()} guest => VM ${guest.vmid}, running => ${guest.running ? 2000 + guest.vmid : 0}`,
      `${stamp()} volumes => ${guest.disks.map((disk) => `${disk.storage}:${disk.volume}`).join(',')}`,
    ];
    cluster.scheduler.after(RUN_MS, () => {
      job.running = false;
      job.nextSync = nextRun(job.schedule, Math.floor(cluster.now() / 1000));
      if (!cluster.isNodeOnline(job.target)) {
        const error = `command '/usr/bin/ssh -e none -o 'BatchMode=yes' -o 'HostKeyAlias=${job.target}' root@${cluster.nodeAddress(job.target)} -- pvecm mtunnel -migration_network' failed: exit code 255`;
        job.failCount += 1;
        job.error = error;
        // pvesr retries failed jobs sooner: after 5, 10, 15… minutes, up to 30.
        job.nextSync = start + Math.min(30, 5 * job.failCount) * 60;
        job.log.push(`${stamp()} end replication job with error: ${error}`);
        return;
      }
      for (const disk of guest.disks) {
        const volid = `${disk.storage}:${disk.volume}`;
        const snap = `__replicate_${job.id}_${start}__`;
        job.log.push(`${stamp()} create snapshot '${snap}' on ${volid}`);
        job.log.push(`${stamp()} using secure transmission, rate limit: none`);
        job.log.push(
          `${stamp()} incremental sync '${volid}' (__replicate_${job.id}_${job.lastSync}__ => ${snap})`,
        );
        job.log.push(`${stamp()} successfully imported '${volid}'`);
        job.log.push(
          `${stamp()} delete previous replication snapshot '__replicate_${job.id}_${job.lastSync}__' on ${volid}`,
        );
      }
      job.log.push(`${stamp()} end replication job`);
      job.lastSync = start;
      job.duration = RUN_MS / 1000 + 0.37;
      job.failCount = 0;
      delete job.error;
    });
  }
}
