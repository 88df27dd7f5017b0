// Backups over HTTP: POST /nodes/{node}/vzdump (vzdump.ts), the scheduled jobs of /cluster/backup
// (pve-manager PVE/API2/Backup.pm), /cluster/backup-info/not-backed-up, and the backup archives
// in a storage's content (pve-storage PVE/API2/Storage/Content.pm index and delete).
import type { BackupArchive } from '../cluster/backup-archives.js';
import type { SimStorage } from '../cluster/cluster-model.js';
import type { SimCluster } from '../cluster/sim-cluster.js';
import { requestVzdump } from '../cluster/vzdump.js';
import { PveHttpError } from '../pve-http-error.js';
import type { RouteRegistry, SimRequest } from '../types.js';
import { optInt, optStr, str } from './request-params.js';

/** When the installer ISO every node has was downloaded (its file mtime). */
const ISO_CTIME = 1_757_600_000;

/** The parameters as given, without the path's `node`. */
function givenParams(request: SimRequest): SimRequest['params'] {
  const { node: _node, ...rest } = request.params;
  return rest;
}

/**
 * One backup as pve-storage lists it: a dir file (Plugin.pm $get_subdir_files: notes' first line,
 * protected only when set) or a PBS snapshot (PBSPlugin.pm list_volumes: verification too).
 */
function archiveEntry(storage: SimStorage, archive: BackupArchive): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    volid: archive.volid,
    format: archive.format,
    size: archive.size,
    ctime: archive.ctime,
    vmid: archive.vmid,
    content: 'backup',
    subtype: archive.subtype,
  };
  if (archive.notes !== undefined)
    entry.notes = storage.type === 'pbs' ? archive.notes : (archive.notes.split('\n')[0] ?? '');
  if (archive.verification) entry.verification = { ...archive.verification };
  if (archive.protected) entry.protected = 1;
  return entry;
}

/** PVE::Storage storage_config / storage_check_enabled, as volume_list meets them. */
function storageFor(cluster: SimCluster, storeid: string, node: string): SimStorage {
  const storage = cluster.storages.find((entry) => entry.storage === storeid);
  if (!storage) throw PveHttpError.die(`storage '${storeid}' does not exist`);
  if (storage.nodes && !storage.nodes.includes(node))
    throw PveHttpError.die(`storage '${storeid}' is not available on node '${node}'`);
  return storage;
}

function registerContentRoutes(registry: RouteRegistry, cluster: SimCluster): void {
  // volume_list: the wanted content types the storage has, sorted by lc(volid). Guest images
  // are not listed by the simulator.
  registry.on('GET', '/nodes/{node}/storage/{storage}/content', (request) => {
    const node = str(request, 'node');
    const storage = storageFor(cluster, str(request, 'storage'), node);
    const types = storage.content.split(',');
    const wanted = optStr(request, 'content');
    const vmid = optInt(request, 'vmid');
    const entries: Array<Record<string, unknown>> = [];
    if ((wanted === undefined || wanted === 'backup') && types.includes('backup')) {
      for (const archive of cluster.backups.on(storage.storage, node)) {
        if (vmid === undefined || archive.vmid === vmid) entries.push(archiveEntry(storage, archive));
      }
    }
    if ((wanted === undefined || wanted === 'iso') && types.includes('iso') && vmid === undefined) {
      for (const [volname, size] of Object.entries(storage.files ?? {})) {
        if (!volname.startsWith('iso/')) continue;
        entries.push({
          volid: `${storage.storage}:${volname}`,
          format: 'iso',
          size,
          ctime: ISO_CTIME,
          content: 'iso',
        });
      }
    }
    const key = (entry: Record<string, unknown>) => String(entry.volid).toLowerCase();
    return entries.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  });

  // delete: an `imgdel` task that frees the volume (and a backup's .log/.notes beside it).
  registry.on('DELETE', '/nodes/{node}/storage/{storage}/content/{volume}', (request) => {
    const node = str(request, 'node');
    const volume = str(request, 'volume');
    const volid = volume.includes(':') ? volume : `${str(request, 'storage')}:${volume}`;
    const storage = storageFor(cluster, volid.split(':')[0] ?? '', node);
    const archive = cluster.backups.find(volid, node);
    if (!archive) throw PveHttpError.die(`unable to parse volume ID '${volid}'`);
    const spec = { node, type: 'imgdel', id: '', user: request.user };
    return cluster.startTask(spec, async (task) => {
      if (archive.protected) throw new Error(`volume '${volid}' is protected`);
      await task.sleep(500);
      cluster.backups.remove(archive);
      task.log(`Removed volume '${volid}'`);
      if (storage.type !== 'pbs')
        task.log(`Removed volume '${volid.replace(/\.(vma|tar)(\.\w+)?$/, '.log')}'`);
    }).upid;
  });
}

function registerJobRoutes(registry: RouteRegistry, cluster: SimCluster): void {
  const timeZone = () => cluster.allNodes()[0]?.timezone ?? 'UTC';
  registry.on('GET', '/cluster/backup', () =>
    cluster.backupJobs.all().map((job) => cluster.backupJobs.render(job, cluster.now(), timeZone())),
  );
  registry.on('POST', '/cluster/backup', (request) => {
    cluster.assertQuorum();
    cluster.backupJobs.create(request.params);
    return null;
  });
  // read_job: the section as stored, with id (no next-run).
  registry.on('GET', '/cluster/backup/{id}', (request) => {
    const job = cluster.backupJobs.get(str(request, 'id'));
    return { id: job.id, type: 'vzdump', ...job.options };
  });
  registry.on('PUT', '/cluster/backup/{id}', (request) => {
    cluster.assertQuorum();
    cluster.backupJobs.update(str(request, 'id'), request.params);
    return null;
  });
  registry.on('DELETE', '/cluster/backup/{id}', (request) => {
    cluster.assertQuorum();
    cluster.backupJobs.remove(str(request, 'id'));
    return null;
  });
  registry.on('GET', '/cluster/backup-info/not-backed-up', () =>
    cluster.backupJobs.notBackedUp(cluster.guests()),
  );
}

export function registerBackupRoutes(registry: RouteRegistry, cluster: SimCluster): void {
  registry.on('POST', '/nodes/{node}/vzdump', (request) =>
    requestVzdump(cluster, { node: str(request, 'node'), user: request.user, params: givenParams(request) }),
  );
  registerJobRoutes(registry, cluster);
  registerContentRoutes(registry, cluster);
}
