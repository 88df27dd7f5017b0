// Synchronous taps on the simulator, which runs in the test process: every API request as it is
// answered (before the answer is written), every SSH command as it starts, every PVE task as it
// starts, every node coming up. A fault test can act at an exact point, e.g. kill the worker the
// instant PVE accepted its POST, before the worker has read the UPID.

import type { TaskRecord } from '../../../src/sim/cluster/sim-task.js';
import type { RunningSimulator, SimCluster } from '../../../src/sim/simulator.js';
import type { RecordedRequest, RecordedSshCommand } from '../../../src/sim/types.js';

export type SimEvent =
  | { type: 'request'; request: RecordedRequest }
  | { type: 'ssh'; command: RecordedSshCommand }
  | { type: 'task'; task: TaskRecord }
  | { type: 'boot'; node: string };

const listeners = new WeakMap<object, Set<(event: SimEvent) => void>>();

/** Calls `listener` for every simulator event until the returned function is called. */
export function watchSim(sim: RunningSimulator<SimCluster>, listener: (event: SimEvent) => void): () => void {
  let set = listeners.get(sim);
  if (!set) {
    const all = new Set<(event: SimEvent) => void>();
    set = all;
    listeners.set(sim, all);
    const emit = (event: SimEvent) => {
      for (const l of [...all]) l(event);
    };
    const requests = sim.requests;
    const pushRequest = requests.push.bind(requests);
    requests.push = (...items: RecordedRequest[]) => {
      const length = pushRequest(...items);
      for (const request of items) emit({ type: 'request', request });
      return length;
    };
    const commands = sim.sshCommands;
    const pushCommand = commands.push.bind(commands);
    commands.push = (...items: RecordedSshCommand[]) => {
      const length = pushCommand(...items);
      for (const command of items) emit({ type: 'ssh', command });
      return length;
    };
    sim.cluster.tasks.onStart((task) => emit({ type: 'task', task: task.record }));
    sim.cluster.onNodeOnlineChange((node, online) => {
      if (online) emit({ type: 'boot', node });
    });
  }
  set.add(listener);
  return () => set.delete(listener);
}
