// /cluster/replication (the job configs) and /nodes/{node}/replication (state of the jobs whose
// guest lives on that node), as pve-manager API2/Replication.pm and ReplicationConfig serve them.
import type { ReplicationJob } from '../cluster/cluster-model.js';
import type { SimCluster } from '../cluster/sim-cluster.js';
import { PveHttpError } from '../pve-http-error.js';
import { withTotal } from '../server/with-total.js';
import type { RouteRegistry, SimRequest } from '../types.js';
import { bool, optInt, optStr, str } from './request-params.js';

function config(job: ReplicationJob): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    id: job.id,
    type: job.type,
    guest: job.guest,
    jobnum: job.jobnum,
    target: job.target,
    schedule: job.schedule,
  };
  if (job.rate !== undefined) entry.rate = job.rate;
  if (job.comment) entry.comment = job.comment;
  if (job.disable) entry.disable = 1;
  if (job.remove_job) entry.remove_job = job.remove_job;
  if (job.source) entry.source = job.source;
  return entry;
}

function status(cluster: SimCluster, job: ReplicationJob): Record<string, unknown> {
  cluster.replication.refresh(job);
  const guest = cluster.guest(job.guest);
  const entry: Record<string, unknown> = {
    ...config(job),
    source: guest?.node,
    vmtype: guest?.type ?? 'qemu',
    next_sync: job.nextSync,
    last_sync: job.lastSync,
    last_try: job.lastTry,
    fail_count: job.failCount,
    duration: job.duration,
  };
  if (job.error) entry.error = job.error;
  if (job.running) entry.pid = 30_000 + job.guest;
  return entry;
}

export function registerReplicationRoutes(registry: RouteRegistry, cluster: SimCluster): void {
  const jobs = cluster.replication;
  /** A job is only known to the node its guest lives on. */
  const onNode = (request: SimRequest): ReplicationJob => {
    const id = str(request, 'id');
    const job = jobs.jobs.get(id);
    if (!job || cluster.guest(job.guest)?.node !== str(request, 'node')) {
      throw PveHttpError.die(`no such replication job '${id}'`);
    }
    return job;
  };

  registry.on('GET', '/cluster/replication', () => [...jobs.jobs.values()].map(config));
  registry.on('GET', '/cluster/replication/{id}', (request) => config(jobs.get(str(request, 'id'))));
  registry.on('POST', '/cluster/replication', (request) => {
    jobs.create({
      id: str(request, 'id'),
      target: str(request, 'target'),
      schedule: optStr(request, 'schedule') ?? '*/15',
      ...(request.params.rate !== undefined ? { rate: Number(request.params.rate) } : {}),
      ...(optStr(request, 'comment') ? { comment: optStr(request, 'comment') } : {}),
      ...(bool(request, 'disable') ? { disable: true } : {}),
    });
    return null;
  });
  registry.on('PUT', '/cluster/replication/{id}', (request) => {
    cluster.assertQuorum();
    const job = jobs.get(str(request, 'id'));
    const schedule = optStr(request, 'schedule');
    if (schedule) job.schedule = schedule;
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
    const job = onNode(request);
    const start = optInt(request, 'start') ?? 0;
    const limit = optInt(request, 'limit') ?? 50;
    if (job.log.length === 0) return withTotal([{ n: 1, t: 'no content' }], 1);
    const end = limit === 0 ? job.log.length : start + limit;
    return withTotal(
      job.log.slice(start, end).map((t, index) => ({ n: start + index + 1, t })),
      job.log.length,
    );
  });
  registry.on('POST', '/nodes/{node}/replication/{id}/schedule_now', (request) => {
    const job = onNode(request);
    jobs.run(job.id);
    return null;
  });
}
