// start / stop / shutdown / reboot with PVE's split between checks made before the worker forks
// (HTTP 500) and failures inside the worker (TASK ERROR), API-NOTES §3.2.7.
import { PveHttpError } from '../pve-http-error.js';
import type { SimGuest } from './cluster-model.js';
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

/** The API side: pre-fork checks, then an `ha*` task for HA-managed guests or the real worker. */
export function requestPowerAction(
  cluster: SimCluster,
  type: SimGuest['type'],
  action: PowerAction,
  request: PowerRequest,
): string {
  const guest = cluster.guestOn(request.node, request.vmid, type);
  const noun = guestNoun(type);
  if (request.skiplock && request.user !== 'root@pam') {
    throw PveHttpError.parameters({ skiplock: 'Only root may use this option.' });
  }
  cluster.assertQuorum();
  if (!request.skiplock) cluster.assertUnlocked(guest);
  if (guest.template && action === 'start') throw PveHttpError.die(`you can't start a vm if it's a template`);
  // LXC checks the running state before forking; QEMU only does so for reboot.
  if (type === 'lxc' && action === 'start' && guest.running)
    throw PveHttpError.die(`CT ${guest.vmid} already running`);
  if (type === 'lxc' && action !== 'start' && !guest.running)
    throw PveHttpError.die(`CT ${guest.vmid} not running`);
  if (type === 'qemu' && action === 'reboot' && !guest.running)
    throw PveHttpError.die(`VM ${guest.vmid} not running`);

  if (action !== 'reboot' && cluster.ha.isManaged(guest)) {
    const sid = haSid(type, guest.vmid);
    const wanted = action === 'start' ? 'started' : 'stopped';
    const task = cluster.startTask(
      {
        node: request.node,
        type: action === 'start' ? 'hastart' : 'hastop',
        id: String(guest.vmid),
        user: request.user,
      },
      async (ha) => {
        // The task only runs `ha-manager set <sid> --state …` / `crm-command stop`.
        ha.log(`Requesting HA ${action === 'start' ? 'start' : 'stop'} for ${noun} ${guest.vmid}`);
        await ha.sleep(POWER_TIMINGS.haRequest);
        cluster.ha.setRequestedState(sid, wanted);
      },
    );
    return task.upid;
  }
  return startPowerTask(cluster, guest, action, { user: request.user, byHa: false }).upid;
}

/** The worker, as the API forks it or the HA LRM runs it (user root@pam). */
export function startPowerTask(
  cluster: SimCluster,
  guest: SimGuest,
  action: PowerAction,
  options: { user: string; byHa: boolean },
): SimTask {
  const spec = {
    node: guest.node,
    type: taskType(guest.type, action),
    id: String(guest.vmid),
    user: options.user,
  };
  return cluster.startTask(spec, async (task) => {
    if (options.byHa) task.log(HA_AGENT_LINE);
    const noun = guestNoun(guest.type);
    if (action === 'start') {
      // vm_start runs inside the worker: `VM 100 already running` is a task error.
      if (guest.running) throw new Error(`${noun} ${guest.vmid} already running`);
      await task.sleep(POWER_TIMINGS.start / 2);
      task.failurePoint();
      await task.sleep(POWER_TIMINGS.start / 2);
      cluster.markRunning(guest);
      return;
    }
    if (action === 'reboot') {
      if (!guest.running) throw new Error(`${noun} ${guest.vmid} not running`);
      await task.sleep(POWER_TIMINGS.reboot);
      cluster.markRunning(guest);
      return;
    }
    // Stopping a stopped VM is not an error: vm_stop returns when there is no pid.
    if (!guest.running) return;
    await task.sleep(POWER_TIMINGS[action]);
    cluster.markStopped(guest);
  });
}
