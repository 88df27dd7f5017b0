// start / stop / shutdown / reboot with PVE's split between checks made before the worker forks
// (HTTP 500) and failures inside the worker (TASK ERROR). qemu-server API2/Qemu.pm vm_start,
// vm_stop, vm_shutdown, vm_reboot load no config before fork_worker: vm_start's load_config,
// _do_vm_stop's check_running and every check_lock run in the worker. pve-container
// API2/LXC/Status.pm checks only the (node-local) running state before forking.
import { PveHttpError } from '../pve-http-error.js';
import { applyPending } from '../routes/qemu-config-update.js';
import type { GuestType, SimGuest } from './cluster-model.js';
import { haSid } from './cluster-seed.js';
import { guestNoun, HA_AGENT_LINE, taskType } from './guest-labels.js';
import type { SimCluster } from './sim-cluster.js';
import type { SimTask } from './sim-task.js';

export type PowerAction = 'start' | 'stop' | 'shutdown' | 'reboot';

/** Simulated (real-time) durations of the power operations. */
export const POWER_TIMINGS = {
  start: 2_000,
  stop: 1_000,
  shutdown: 6_000,
  reboot: 10_000,
  haRequest: 600,
} as const;

export interface PowerRequest {
  node: string;
  vmid: number;
  user: string;
  skiplock?: boolean;
}

/** Which guest a power worker acts on: the config `vmid` on `node` (resolved inside the worker). */
interface PowerTarget {
  node: string;
  vmid: number;
  type: GuestType;
}

/** The API side: pre-fork checks, then an `ha*` task for HA-managed guests or the real worker. */
export function requestPowerAction(
  cluster: SimCluster,
  type: GuestType,
  action: PowerAction,
  request: PowerRequest,
): string {
  // QEMU reboot and LXC shutdown/reboot have no skiplock parameter.
  const skiplock = action === 'start' || action === 'stop' || (type === 'qemu' && action === 'shutdown');
  if (skiplock && request.skiplock && request.user !== 'root@pam') {
    throw PveHttpError.parameters({ skiplock: 'Only root may use this option.' });
  }
  const target: PowerTarget = { node: request.node, vmid: request.vmid, type };
  const known = cluster.guest(request.vmid);
  // The guest as `check_running` on the node sees it: only a config of that node counts.
  const here = known && known.node === request.node && known.type === type ? known : undefined;
  if (type === 'lxc') {
    // PVE::LXC::check_running only looks at the node's running containers. vm_reboot says "VM".
    if (action === 'start' && here?.running) throw PveHttpError.die(`CT ${request.vmid} already running`);
    if (action === 'stop' || action === 'shutdown') {
      if (!here?.running) throw PveHttpError.die(`CT ${request.vmid} not running`);
    }
    if (action === 'reboot' && !here?.running) throw PveHttpError.die(`VM ${request.vmid} not running`);
  } else if (action === 'reboot') {
    // vm_reboot: check_running asserts the config is on this node first (QemuConfig
    // assert_config_exists_on_node), then whether the VM runs.
    if (!here) {
      throw PveHttpError.die(
        `unable to find configuration file for VM ${request.vmid} on node '${request.node}'`,
      );
    }
    if (!here.running) throw PveHttpError.die(`VM ${request.vmid} not running`);
  }
  // Only start asks for quorum (check_cfs_quorum); stopping works without it.
  if (action === 'start') cluster.assertQuorum();

  // vm_is_ha_managed reads resources.cfg, cluster-wide: the node the request names plays no part.
  if (action !== 'reboot' && known && known.type === type && cluster.ha.isManaged(known)) {
    const sid = haSid(type, known.vmid);
    const wanted = action === 'start' ? 'started' : 'stopped';
    const task = cluster.startTask(
      {
        node: request.node,
        type: action === 'start' ? 'hastart' : 'hastop',
        id: String(known.vmid),
        user: request.user,
      },
      async (ha) => {
        // The task only runs `ha-manager set <sid> --state …` / `crm-command stop`.
        ha.log(`Requesting HA ${action === 'start' ? 'start' : 'stop'} for ${guestNoun(type)} ${known.vmid}`);
        await ha.sleep(POWER_TIMINGS.haRequest);
        cluster.ha.setRequestedState(sid, wanted);
      },
    );
    return task.upid;
  }
  return forkPowerWorker(cluster, target, action, {
    user: request.user,
    byHa: false,
    skiplock: skiplock && (request.skiplock ?? false),
  }).upid;
}

/** The worker as the HA LRM runs it (user root@pam) for a guest on its node. */
export function startPowerTask(
  cluster: SimCluster,
  guest: SimGuest,
  action: PowerAction,
  options: { user: string; byHa: boolean },
): SimTask {
  const target = { node: guest.node, vmid: guest.vmid, type: guest.type };
  return forkPowerWorker(cluster, target, action, { ...options, skiplock: false });
}

function forkPowerWorker(
  cluster: SimCluster,
  target: PowerTarget,
  action: PowerAction,
  options: { user: string; byHa: boolean; skiplock: boolean },
): SimTask {
  const spec = {
    node: target.node,
    type: taskType(target.type, action),
    id: String(target.vmid),
    user: options.user,
  };
  return cluster.startTask(spec, async (task) => {
    if (options.byHa) task.log(HA_AGENT_LINE);
    const work = target.type === 'qemu' ? qemuWorker : lxcWorker;
    await work(cluster, task, target, action, options.skiplock);
  });
}

/** The guest whose config is on the target node, as load_config finds it (else its error). */
function loadConfig(cluster: SimCluster, target: PowerTarget): SimGuest {
  return cluster.guestOn(target.node, target.vmid, target.type);
}

/** AbstractConfig check_lock: `VM is locked (migrate)`, without the vmid. */
function checkLock(guest: SimGuest): void {
  if (guest.lock) throw new Error(`${guestNoun(guest.type)} is locked (${guest.lock})`);
}

// qemu-server QemuServer.pm vm_start / _do_vm_stop / vm_reboot, as the qm* workers run them.
async function qemuWorker(
  cluster: SimCluster,
  task: SimTask,
  target: PowerTarget,
  action: PowerAction,
  skiplock: boolean,
): Promise<void> {
  if (action === 'start') {
    const guest = loadConfig(cluster, target);
    if (guest.template) throw new Error(`you can't start a vm if it's a template`);
    // A `suspended` lock is resumed from, not refused.
    if (!skiplock && guest.lock !== 'suspended') checkLock(guest);
    if (guest.running) throw new Error(`VM ${guest.vmid} already running`);
    applyPending(guest);
    for (const warning of startWarnings(guest)) task.warn(warning);
    await task.sleep(POWER_TIMINGS.start / 2);
    task.failurePoint();
    await task.sleep(POWER_TIMINGS.start / 2);
    cluster.markRunning(guest);
    return;
  }
  // _do_vm_stop: check_running asserts the config is on this node, then returns if not running.
  const known = cluster.guest(target.vmid);
  if (!known || known.node !== target.node || known.type !== 'qemu') {
    throw new Error(`unable to find configuration file for VM ${target.vmid} on node '${target.node}'`);
  }
  const guest = known;
  // Stopping a stopped VM is not an error; vm_reboot returns too (qmeventd would restart it).
  if (!guest.running) return;
  // vm_reboot calls _do_vm_stop without skiplock.
  if (!skiplock || action === 'reboot') checkLock(guest);
  await task.sleep(POWER_TIMINGS[action]);
  if (action === 'reboot') cluster.markRunning(guest);
  else cluster.markStopped(guest);
}

// pve-container API2/LXC/Status.pm workers (vm_start, vm_stop, vm_shutdown) and PVE::LXC::vm_reboot.
async function lxcWorker(
  cluster: SimCluster,
  task: SimTask,
  target: PowerTarget,
  action: PowerAction,
  skiplock: boolean,
): Promise<void> {
  if (action === 'reboot') {
    // vm_reboot: no config lock check; nothing to do when the CT stopped meanwhile.
    const guest = cluster.guest(target.vmid);
    if (!guest || guest.node !== target.node || !guest.running) return;
    await task.sleep(POWER_TIMINGS.reboot);
    cluster.markRunning(guest);
    return;
  }
  const guest = loadConfig(cluster, target);
  if (action === 'start' && guest.template) throw new Error(`you can't start a CT if it's a template`);
  // start and stop skip the check for skiplock and for a `mounted` lock; shutdown never does.
  if (action === 'shutdown' || (!skiplock && guest.lock !== 'mounted')) checkLock(guest);
  if (action === 'start') {
    if (guest.running) throw new Error(`CT ${guest.vmid} already running`);
    await task.sleep(POWER_TIMINGS.start / 2);
    task.failurePoint();
    await task.sleep(POWER_TIMINGS.start / 2);
    cluster.markRunning(guest);
    return;
  }
  // PVE::LXC::vm_stop returns when the command socket refuses: the CT is not running.
  if (!guest.running) return;
  await task.sleep(POWER_TIMINGS[action]);
  cluster.markStopped(guest);
}

/**
 * What config_to_command warns about while building the QEMU command line (qemu-server 9.x):
 * an OVMF VM without efidisk0 (QemuServer/OVMF.pm: a temporary efivars copy is used), and an
 * `mtu` on a NIC QEMU cannot pass it to (QemuServer.pm print_netdevice_full: only VirtIO can).
 */
function startWarnings(guest: SimGuest): string[] {
  const warnings: string[] = [];
  const config = guest.options ?? {};
  if (config.bios === 'ovmf' && !guest.disks.some((disk) => disk.key === 'efidisk0'))
    warnings.push('no efidisk configured! Using temporary efivars disk.');
  const nics = Object.keys(config).filter((key) => /^net\d+$/.test(key));
  for (const key of nics.sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)))) {
    const fields = (config[key] ?? '').split(',');
    const model = fields[0]?.split('=')[0];
    const mtu = fields.find((field) => field.startsWith('mtu='))?.slice(4);
    if (mtu === undefined || model === 'virtio') continue;
    const prefix = `netdev ${key}: ignoring MTU '${mtu}'`;
    const bridged = fields.some((field) => field.startsWith('bridge='));
    warnings.push(bridged ? `${prefix}, not using VirtIO` : `${prefix}, no bridge configured`);
  }
  return warnings;
}
