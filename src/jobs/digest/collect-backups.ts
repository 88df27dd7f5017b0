// What the digest says about backups, read with as few calls as the API allows: each backup
// storage's content once (a shared one, a Proxmox Backup Server, once for the cluster; a local one
// on each node that has it), `concurrency` at a time, every guest's archives in one listing; the
// failed vzdump runs come from the /cluster/tasks read the digest makes anyway, and only a `job
// errors` run's log is read (the newest few), since only the log says which guests failed.
import type { ProxmoxClient } from '../../proxmox/proxmox-client.js';
import type { ClusterResource } from '../../proxmox/schemas/cluster-schemas.js';
import { backupStorages, newestByGuest, readArchives } from '../backups/backup-storages.js';
import { parseVzdumpLog } from '../backups/vzdump-log.js';
import type { DigestBackups, DigestFailedBackup, DigestTask } from './digest-input.js';
import { runBounded } from './run-bounded.js';

/** Logs of `job errors` runs read per digest at most (the newest first). */
const LOGS_READ = 5;

export async function collectBackups(
  pve: ProxmoxClient,
  resources: readonly ClusterResource[],
  tasks: readonly DigestTask[] | undefined,
  options: { concurrency: number; signal?: AbortSignal | undefined },
): Promise<DigestBackups> {
  const { signal } = options;
  const storages = backupStorages(resources);
  const failedRuns: DigestFailedBackup[] = (tasks ?? [])
    .filter((t) => t.type === 'vzdump' && t.status !== 'OK' && !/^WARNINGS: \d+$/.test(t.status))
    .sort((a, b) => b.endtime - a.endtime)
    .map((t) => ({
      upid: t.upid,
      node: t.node,
      ...(t.id === undefined ? {} : { id: t.id }),
      ...(t.user === undefined ? {} : { user: t.user }),
      endtime: t.endtime,
      status: t.status,
    }));
  const logsToRead = failedRuns.filter((run) => run.status === 'job errors').slice(0, LOGS_READ);
  const [reads] = await Promise.all([
    readArchives(pve, storages, { concurrency: options.concurrency, ...(signal ? { signal } : {}) }),
    runBounded(
      logsToRead.map((run) => async () => {
        try {
          const log = parseVzdumpLog((await pve.taskLog(run.upid, {}, signal)).map((l) => l.t));
          run.guests = log.guests.flatMap((g) =>
            g.error === undefined ? [] : [{ vmid: g.vmid, error: g.error }],
          );
        } catch (error) {
          if (signal?.aborted) throw error;
          // The run is still reported, by its task; only the guests' names are missing.
        }
      }),
      options.concurrency,
      signal,
    ),
  ]);
  const newest = [...newestByGuest(reads.archives).values()].flatMap((a) =>
    a.ctime === undefined || a.vmid === undefined
      ? []
      : [{ vmid: a.vmid, ctime: a.ctime, storage: a.storage }],
  );
  return {
    storages: storages.map((s) => (s.shared ? s.storage : `${s.storage}@${s.node}`)),
    newest,
    failures: reads.failures,
    failedRuns,
  };
}
