// POST /nodes/{node}/vzdump as pve-manager PVE/API2/VZDump.pm and PVE/VZDump.pm run it: parameter
// conflicts refused before the fork, "OK" without a task when no listed guest lives here, then one
// `vzdump` task for the node's guests. A guest that fails (locked, an injected failure) is logged
// `ERROR: Backup of VM <id> failed - <why>` and the job goes on; the task then ends `job errors`.
import { PveHttpError } from '../pve-http-error.js';
import { splitList } from '../server/param-formats.js';
import { type BackupArchive, dumpDir } from './backup-archives.js';
import type { SimGuest, SimStorage } from './cluster-model.js';
import { guestNoun } from './guest-labels.js';
import { logTimestamp } from './log-format.js';
import { type VzdumpGuestOutcome, vzdumpNotification } from './notification-events.js';
import type { SimCluster } from './sim-cluster.js';
import { isNodeLoss, type SimTask, TaskAbort } from './sim-task.js';
import { type BackupStep, planGuestBackup } from './vzdump-log.js';

export interface VzdumpRequest {
  node: string;
  user: string;
  /** The parameters as sent (validated), for the `starting new backup job: vzdump …` line. */
  params: Record<string, string | number | boolean | string[]>;
}

export interface BackupOptions {
  storage: string;
  mode: 'snapshot' | 'suspend' | 'stop';
  compress: string;
  notesTemplate?: string;
  protected: boolean;
}

/** PVE::Tools::shellquote: bare when safe, else in single quotes. */
function shellQuote(value: string): string {
  return /^[-\w.,:/@=+]+$/.test(value) ? value : `'${value.replace(/'/g, `'"'"'`)}'`;
}

/** PVE::VZDump::Common::command_line: the vmids, then every other option as `--key value`. */
function commandLine(params: VzdumpRequest['params']): string {
  let cmd = 'vzdump';
  if (params.vmid !== undefined) cmd += ` ${splitList(String(params.vmid)).join(' ')}`;
  for (const [key, raw] of Object.entries(params)) {
    if (key === 'vmid' || key === 'node' || key === 'stdout') continue;
    const value = typeof raw === 'boolean' ? (raw ? '1' : '0') : String(raw);
    cmd += ` --${key} ${shellQuote(value)}`;
  }
  return cmd;
}

/** verify_vzdump_parameters: the conflicts and the missing selection, as 400s. */
function verifyParameters(params: VzdumpRequest['params']): void {
  for (const key of ['all', 'exclude', 'pool'] as const) {
    if (params[key] && params.vmid !== undefined)
      throw PveHttpError.parameters({ [key]: "option conflicts with option 'vmid'" });
  }
  if (!(params.all || params.pool || params.stop || params.exclude) && !params.vmid)
    throw PveHttpError.parameters({ vmid: 'property is missing' });
}

/** get_included_guests: the vmids a selection names, per node ('' for vmids that exist nowhere). */
export function includedGuests(
  cluster: SimCluster,
  selection: { vmid?: string; all?: boolean; exclude?: string; pool?: string },
): Map<string, number[]> {
  let vmids: number[];
  if (selection.vmid) vmids = splitList(selection.vmid).map(Number);
  else if (selection.pool)
    vmids = cluster
      .guests()
      .filter((g) => g.pool === selection.pool)
      .map((g) => g.vmid);
  else if (selection.all || selection.exclude) {
    const excluded = new Set(splitList(selection.exclude ?? '').map(Number));
    vmids = cluster
      .guests()
      .map((g) => g.vmid)
      .filter((vmid) => !excluded.has(vmid));
  } else vmids = [];
  const perNode = new Map<string, number[]>();
  for (const vmid of vmids) {
    const node = cluster.guest(vmid)?.node ?? '';
    perNode.set(node, [...(perNode.get(node) ?? []), vmid]);
  }
  return perNode;
}

export function requestVzdump(cluster: SimCluster, request: VzdumpRequest): string {
  const { params } = request;
  verifyParameters(params);
  const perNode = includedGuests(cluster, {
    ...(params.vmid !== undefined ? { vmid: String(params.vmid) } : {}),
    all: params.all === true,
    ...(params.exclude !== undefined ? { exclude: String(params.exclude) } : {}),
    ...(params.pool !== undefined ? { pool: String(params.pool) } : {}),
  });
  // Guests that exist nowhere are kept, to fail visibly in the task.
  const local = [...(perNode.get(request.node) ?? []), ...(perNode.get('') ?? [])];
  const skipped = [...perNode.entries()]
    .filter(([node]) => node !== request.node && node !== '')
    .flatMap(([, ids]) => ids);
  if (local.length === 0 && !params.all) return 'OK';
  const options: BackupOptions = {
    storage: params.storage === undefined ? 'local' : String(params.storage),
    mode: (params.mode as BackupOptions['mode'] | undefined) ?? 'snapshot',
    compress: params.compress === undefined ? '0' : String(params.compress),
    ...(params['notes-template'] !== undefined ? { notesTemplate: String(params['notes-template']) } : {}),
    protected: params.protected === true,
  };
  const spec = {
    node: request.node,
    type: 'vzdump',
    id: local.length === 1 ? String(local[0]) : '',
    user: request.user,
  };
  const cmdline = commandLine(params);
  // notification-mode legacy-sendmail (or auto with mailto) mails instead: nothing for webhook targets.
  const mode = params['notification-mode'] === undefined ? 'auto' : String(params['notification-mode']);
  const notify = mode === 'notification-system' || (mode === 'auto' && params.mailto === undefined);
  const jobId = params['job-id'] === undefined ? undefined : String(params['job-id']);
  return cluster.startTask(spec, (task) =>
    runBackupJob(cluster, task, {
      local,
      skipped,
      options,
      cmdline,
      notify,
      ...(jobId === undefined ? {} : { jobId }),
    }),
  ).upid;
}

/** PVE::VZDump->new: the storage must exist, be enabled here and take backups. */
export function backupStorage(cluster: SimCluster, storeid: string, node: string): SimStorage {
  const prefix = `could not get storage information for '${storeid}': `;
  const storage = cluster.storages.find((entry) => entry.storage === storeid);
  if (!storage) throw new Error(`${prefix}storage '${storeid}' does not exist`);
  if (storage.nodes && !storage.nodes.includes(node))
    throw new Error(`${prefix}storage '${storeid}' is not available on node '${node}'`);
  if (!storage.content.split(',').includes('backup'))
    throw new Error(`${prefix}can't use storage '${storeid}' for backups - wrong content type`);
  return storage;
}

/** The notes-template variables vzdump knows; `\n` becomes a line break. */
function renderNotes(template: string, cluster: SimCluster, guest: SimGuest): string {
  return template
    .replaceAll('{{guestname}}', guest.name)
    .replaceAll('{{vmid}}', String(guest.vmid))
    .replaceAll('{{node}}', guest.node)
    .replaceAll('{{cluster}}', cluster.name)
    .replaceAll('\\n', '\n');
}

interface BackupJobRun {
  local: number[];
  skipped: number[];
  options: BackupOptions;
  cmdline: string;
  /** Send the end-of-job notification (PVE/VZDump.pm send_notification) to the notification system. */
  notify: boolean;
  jobId?: string;
}

async function runBackupJob(cluster: SimCluster, task: SimTask, job: BackupJobRun): Promise<void> {
  const node = task.record.node;
  const startMs = taskClock(task);
  const outcomes: VzdumpGuestOutcome[] = [];
  const notify = async (jobErrors: string[] = []): Promise<void> => {
    if (!job.notify) return;
    const notification = vzdumpNotification({
      node,
      ...(job.jobId === undefined ? {} : { jobId: job.jobId }),
      cmdline: job.cmdline,
      guests: outcomes,
      totalSeconds: Math.round((taskClock(task) - startMs) / 1000),
      jobErrors,
      timestamp: Math.floor(taskClock(task) / 1000),
    });
    for (const delivery of await cluster.notifications.send(notification))
      if (!delivery.ok) task.log(`could not notify via target \`${delivery.target}\`: ${delivery.error}`);
  };
  let storage: SimStorage;
  try {
    storage = backupStorage(cluster, job.options.storage, node);
  } catch (error) {
    await notify([error instanceof Error ? error.message : String(error)]);
    throw error;
  }
  task.log(`INFO: starting new backup job: ${job.cmdline}`);
  if (job.skipped.length > 0)
    task.log(`INFO: skip external VMs: ${[...job.skipped].sort((a, b) => a - b).join(', ')}`);
  let errors = 0;
  for (const vmid of [...job.local].sort((a, b) => a - b)) {
    const outcome = await backupGuest(cluster, task, vmid, storage, job.options);
    outcomes.push(outcome);
    if (outcome.status === 'err') errors += 1;
  }
  await notify();
  if (errors > 0) {
    task.log('INFO: Backup job finished with errors');
    throw new Error('job errors');
  }
  task.log('INFO: Backup job finished successfully');
}

/** The task's clock: its start plus the simulated time it has spent (node time, epoch ms). */
function taskClock(task: SimTask): number {
  return task.record.starttime * 1000 + task.simSeconds * 1000;
}

/**
 * The task, with each line it logs also kept, stamped, for the guest's part of the notification
 * (vzdump keeps a log per guest, `<YYYY-MM-DD HH:MM:SS> INFO: …`).
 */
function recordingTask(task: SimTask, timeZone: string, lines: string[]): SimTask {
  return new Proxy(task, {
    get(target, property) {
      if (property === 'log')
        return (line: string) => {
          lines.push(`${logTimestamp(taskClock(target), timeZone)} ${line}`);
          target.log(line);
        };
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

async function backupGuest(
  cluster: SimCluster,
  task: SimTask,
  vmid: number,
  storage: SimStorage,
  options: BackupOptions,
): Promise<VzdumpGuestOutcome> {
  const node = cluster.node(task.record.node);
  const log: string[] = [];
  const started = taskClock(task);
  const outcome = (ok: boolean, archive?: BackupArchive): VzdumpGuestOutcome => ({
    vmid,
    name: cluster.guest(vmid)?.name ?? '',
    status: ok ? 'ok' : 'err',
    seconds: Math.round((taskClock(task) - started) / 1000),
    size: archive?.size ?? 0,
    ...(archive
      ? {
          filename:
            storage.type === 'pbs'
              ? (archive.volid.split(':')[1] ?? '')
              : `${dumpDir(storage)}/${archive.volid.split('/').pop()}`,
        }
      : {}),
    log,
  });
  const ok = await backupGuestSteps(cluster, recordingTask(task, node.timezone, log), vmid, storage, options);
  return outcome(ok !== undefined, ok);
}

/** The guest's backup; the archive it wrote, or undefined when it failed. */
async function backupGuestSteps(
  cluster: SimCluster,
  task: SimTask,
  vmid: number,
  storage: SimStorage,
  options: BackupOptions,
): Promise<BackupArchive | undefined> {
  const node = cluster.node(task.record.node);
  const time = () => logTimestamp(taskClock(task), node.timezone);
  const guest = cluster.guest(vmid);
  task.log(`INFO: Starting Backup of VM ${vmid} (${guest?.type ?? 'qemu'})`);
  task.log(`INFO: Backup started at ${time()}`);
  const fail = (why: string) => {
    task.log(`ERROR: Backup of VM ${vmid} failed - ${why}`);
    task.log(`INFO: Failed at ${time()}`);
    return undefined;
  };
  if (!guest || guest.node !== node.name)
    return fail(`unable to find configuration file for VM ${vmid} on node '${node.name}'`);
  task.log(`INFO: status = ${guest.running ? 'running' : 'stopped'}`);
  // lock_vm → set_lock → check_lock.
  if (guest.lock) return fail(`${guestNoun(guest.type)} is locked (${guest.lock})`);
  guest.lock = 'backup';
  const wasRunning = guest.running;
  const startMs = taskClock(task);
  const previous = cluster.backups.on(storage.storage, node.name).filter((a) => a.vmid === vmid);
  const plan = planGuestBackup({
    guest,
    node: node.name,
    timeZone: node.timezone,
    storage,
    mode: options.mode,
    compress: options.compress,
    startMs,
    pid: task.record.pid,
    ...(options.notesTemplate !== undefined
      ? { notes: renderNotes(options.notesTemplate, cluster, guest) }
      : {}),
    protected: options.protected,
    incremental: previous.some((a) => guest.startedAt !== undefined && a.ctime * 1000 > guest.startedAt),
  });
  try {
    await runSteps(cluster, task, guest, plan.body);
  } catch (error) {
    if (isNodeLoss(error)) throw error;
    if (guest.lock === 'backup') delete guest.lock;
    // The cleanup starts a guest the stop mode stopped.
    if (wasRunning && !guest.running) cluster.markRunning(guest);
    if (error instanceof TaskAbort) throw error;
    return fail(error instanceof Error ? error.message : String(error));
  }
  if (guest.lock === 'backup') delete guest.lock;
  const archive: BackupArchive = {
    storage: storage.storage,
    volid: `${storage.storage}:backup/${plan.volname}`,
    vmid,
    subtype: guest.type,
    format: plan.format,
    size: plan.size,
    ctime: Math.floor(startMs / 1000),
  };
  if (!storage.shared) archive.node = node.name;
  if (options.notesTemplate !== undefined) archive.notes = renderNotes(options.notesTemplate, cluster, guest);
  if (options.protected) archive.protected = true;
  cluster.backups.add(archive);
  for (const line of plan.tail) task.log(`INFO: ${line}`);
  return archive;
}

async function runSteps(
  cluster: SimCluster,
  task: SimTask,
  guest: SimGuest,
  steps: BackupStep[],
): Promise<void> {
  let transferring = false;
  for (const step of steps) {
    if (typeof step === 'string') {
      task.log(`INFO: ${step}`);
      transferring ||= step.startsWith('creating ');
    } else if (typeof step === 'number') {
      await task.sleep(step);
      // An injected failure hits while data moves, as a real storage or network error would.
      if (transferring) task.failurePoint();
    } else if (step.effect === 'stop') cluster.markStopped(guest);
    else cluster.markRunning(guest);
  }
}
