// /cluster/replication (the job configs) and /nodes/{node}/replication (state of the jobs whose
// guest lives on that node), as pve-manager API2/Replication.pm and ReplicationConfig serve them.
import type { ReplicationJob } from '../cluster/cluster-model.js';
import type { SimCluster } from '../cluster/sim-cluster.js';
import { PveHttpError } from '../pve-http-error.js';
import { withTotal } from '../server/with-total.js';
import type { RouteRegistry, SimRequest } from '../types.js';
import { bool, optInt, optStr, str } from './request-params.js';

/**
 * A section of replication.cfg as pve-manager API2/ReplicationConfig.pm index serves it: guest
 * and jobnum numbers, `source` always (create stores it, job_status fills it in), `schedule` and
 * the other options only when set.
 */
function config(cluster: SimCluster, job: ReplicationJob): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    id: job.id,
    type: job.type,
    guest: job.guest,
    jobnum: job.jobnum,
    target: job.target,
  };
  const source = job.source ?? cluster.guest(job.guest)?.node;
  if (source !== undefined) entry.source = source;
  if (cluster.replication.hasSchedule(job.id)) entry.schedule = job.schedule;
  if (job.rate !== undefined) entry.rate = job.rate;
  if (job.comment) entry.comment = job.comment;
  if (job.disable) entry.disable = 1;
  if (job.remove_job) entry.remove_job = job.remove_job;
  return entry;
}

/**
 * pve-manager API2/Replication.pm $extract_job_status over ReplicationState job_status: the config
 * plus vmtype, next_sync and the state file's last_sync, last_try, fail_count, duration (once a
 * run has ended), error (after a failure) and pid (during a run).
 */
function status(cluster: SimCluster, job: ReplicationJob): Record<string, unknown> {
  cluster.replication.refresh(job);
  const guest = cluster.guest(job.guest);
  const entry: Record<string, unknown> = {
    ...config(cluster, job),
    source: guest?.node,
    vmtype: guest?.type ?? 'qemu',
    next_sync: cluster.replication.nextSync(job),
    last_sync: job.lastSync,
    last_try: job.lastTry,
    fail_count: job.failCount,
  };
  if (job.duration > 0) entry.duration = job.duration;
  if (job.error) entry.error = job.error;
  if (job.running) entry.pid = 30_000 + job.guest;
  return entry;
}

export function registerReplicationRoutes(registry: RouteRegistry, cluster: SimCluster): void {
  const jobs = cluster.replication;
  /** job_status only knows the jobs of guests on the node it runs on. */
  const onNode = (request: SimRequest): ReplicationJob => {
    const id = str(request, 'id');
    const job = jobs.jobs.get(id);
    if (!job || cluster.guest(job.guest)?.node !== str(request, 'node')) {
      throw PveHttpError.die(`no such replication job '${id}'`);
    }
    return job;
  };

  /** Only a job id missing from replication.cfg is an error (log, schedule_now). */
  const configured = (request: SimRequest): ReplicationJob => {
    const id = str(request, 'id');
    const job = jobs.jobs.get(id);
    if (!job) throw PveHttpError.die(`no such replication job '${id}'`);
    return job;
  };

  registry.on('GET', '/cluster/replication', () =>
    [...jobs.jobs.values()].map((job) => config(cluster, job)),
  );
  registry.on('GET', '/cluster/replication/{id}', (request) => config(cluster, jobs.get(str(request, 'id'))));
  registry.on('POST', '/cluster/replication', (request) => {
    const schedule = optStr(request, 'schedule');
    // The first run's outcome shows in the job's status; the answer does not wait for it.
    void jobs.create(
      {
        id: str(request, 'id'),
        target: str(request, 'target'),
        schedule: schedule ?? '*/15',
        ...(request.params.rate !== undefined ? { rate: Number(request.params.rate) } : {}),
        ...(optStr(request, 'comment') ? { comment: optStr(request, 'comment') } : {}),
        ...(bool(request, 'disable') ? { disable: true } : {}),
      },
      schedule !== undefined,
    );
    return null;
  });
  registry.on('PUT', '/cluster/replication/{id}', (request) => {
    cluster.assertQuorum();
    const job = jobs.get(str(request, 'id'));
    const schedule = optStr(request, 'schedule');
    if (schedule) jobs.setSchedule(job.id, schedule);
    if ((optStr(request, 'delete') ?? '').split(/[,;\s]+/).includes('schedule'))
      jobs.setSchedule(job.id, undefined);
    const comment = optStr(request, 'comment');
    if (comment !== undefined) job.comment = comment;
    if (request.params.disable !== undefined) job.disable = bool(request, 'disable');
    if (request.params.rate !== undefined) job.rate = Number(request.params.rate);
    return null;
  });
  registry.on('DELETE', '/cluster/replication/{id}', (request) => {
    jobs.remove(str(request, 'id'));
    return null;
  });

  registry.on('GET', '/nodes/{node}/replication', (request) => {
    const node = str(request, 'node');
    const guestFilter = optInt(request, 'guest');
    return [...jobs.jobs.values()]
      .filter((job) => cluster.guest(job.guest)?.node === node)
      .filter((job) => guestFilter === undefined || job.guest === guestFilter)
      .map((job) => status(cluster, job));
  });
  registry.on('GET', '/nodes/{node}/replication/{id}/status', (request) => status(cluster, onNode(request)));
  registry.on('GET', '/nodes/{node}/replication/{id}/log', (request) => {
    // read_job_log: the node is not checked against the guest's; PVE::Tools::dump_logfile of the
    // node's own /var/log/pve/replicate/<id>.
    const job = configured(request);
    const log = jobs.logOn(job.id, str(request, 'node'));
    if (log === undefined)
      return withTotal([{ n: 1, t: 'unable to open file - No such file or directory' }], 1);
    const start = optInt(request, 'start') ?? 0;
    const limit = optInt(request, 'limit') ?? 50;
    if (log.length === 0) return withTotal([{ n: 1, t: 'no content' }], 1);
    const end = limit === 0 ? log.length : start + limit;
    return withTotal(
      log.slice(start, end).map((t, index) => ({ n: start + index + 1, t })),
      log.length,
    );
  });
  registry.on('POST', '/nodes/{node}/replication/{id}/schedule_now', (request) => {
    const job = configured(request);
    jobs.scheduleNow(job.id, str(request, 'node'));
    // The method returns what schedule_job_now returns: the empty $@ after its lock, "".
    return '';
  });
}
