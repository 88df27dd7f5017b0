// Every node's worker tasks: creation with node-local pids and UPIDs, the per-node task index,
// injected failures, and what happens to workers when their node dies.
import type { SimNode } from './cluster-model.js';
import type { Scheduler } from './scheduler.js';
import { SimTask, type TaskWork } from './sim-task.js';

export interface TaskSpec {
  node: string;
  type: string;
  /** Usually the vmid; empty for node-wide tasks such as `aptupdate`. */
  id: string;
  user: string;
}

/** A finished task of the seeded history; `lines` end with the `TASK …` line. */
export interface PastTask extends TaskSpec {
  /** Epoch seconds (node clock). */
  starttime: number;
  endtime: number;
  lines: string[];
  exitstatus: string;
}

/** How many finished tasks a node keeps; older ones drop out of the index as PVE rotates it. */
const KEEP_PER_NODE = 2000;

export class TaskManager {
  private readonly byUpid = new Map<string, SimTask>();
  private readonly byNode = new Map<string, SimTask[]>();
  private readonly nextPid = new Map<string, number>();
  private readonly failures = new Map<string, string>();
  private readonly startListeners: Array<(task: SimTask) => void> = [];
  private readonly scheduler: Scheduler;
  private readonly now: () => number;
  private readonly nodeOf: (name: string) => SimNode;

  constructor(scheduler: Scheduler, now: () => number, nodeOf: (name: string) => SimNode) {
    this.scheduler = scheduler;
    this.now = now;
    this.nodeOf = nodeOf;
  }

  /** The next task of `type` ends `TASK ERROR: <message>` (SimCluster.failNextTask). */
  failNext(type: string, message: string): void {
    this.failures.set(type, message);
  }

  onStart(listener: (task: SimTask) => void): void {
    this.startListeners.push(listener);
  }

  /** Forks a worker: the UPID exists at once, the work runs on simulated time. */
  start(spec: TaskSpec, work: TaskWork): SimTask {
    const node = this.nodeOf(spec.node);
    const nowMs = this.now();
    const injectedFailure = this.failures.get(spec.type) ?? null;
    this.failures.delete(spec.type);
    const task = new SimTask(
      {
        node: spec.node,
        pid: this.allocatePid(node),
        // Process start in clock ticks (USER_HZ = 100) since boot, as /proc/<pid>/stat has it.
        pstart: Math.max(0, Math.floor((nowMs - node.bootedAt) / 10)),
        starttime: Math.floor(nowMs / 1000) + node.clockOffset,
        type: spec.type,
        id: spec.id,
        user: spec.user,
      },
      {
        scheduler: this.scheduler,
        now: this.now,
        timeZone: node.timezone,
        clockOffset: node.clockOffset,
        injectedFailure,
      },
    );
    this.byUpid.set(task.upid, task);
    const list = this.byNode.get(spec.node) ?? [];
    list.push(task);
    this.byNode.set(spec.node, list);
    this.trim(list);
    for (const listener of this.startListeners) listener(task);
    void task.run(work);
    return task;
  }

  /**
   * A task that ran before the simulator started (a seeded history): it goes into the index as
   * finished, with its log; call in time order, before any `start`.
   */
  recordPast(spec: PastTask): SimTask {
    const node = this.nodeOf(spec.node);
    const task = new SimTask(
      {
        node: spec.node,
        pid: this.allocatePid(node),
        pstart: Math.max(0, Math.floor((spec.starttime * 1000 - node.bootedAt) / 10)),
        starttime: spec.starttime,
        type: spec.type,
        id: spec.id,
        user: spec.user,
      },
      {
        scheduler: this.scheduler,
        now: this.now,
        timeZone: node.timezone,
        clockOffset: 0,
        injectedFailure: null,
      },
    );
    task.finishPast(spec.lines, spec.exitstatus, spec.endtime);
    this.byUpid.set(task.upid, task);
    const list = this.byNode.get(spec.node) ?? [];
    list.push(task);
    this.byNode.set(spec.node, list);
    return task;
  }

  get(upid: string): SimTask | undefined {
    return this.byUpid.get(upid);
  }

  /** A node's tasks, newest first, as the task index lists them. */
  onNode(node: string): SimTask[] {
    return [...(this.byNode.get(node) ?? [])].reverse();
  }

  all(): SimTask[] {
    return [...this.byUpid.values()];
  }

  running(): SimTask[] {
    return this.all().filter((task) => task.running);
  }

  /** The node lost power: its workers die without writing a final line. */
  killNode(node: string): void {
    for (const task of this.byNode.get(node) ?? []) task.stop('node-lost');
  }

  private allocatePid(node: SimNode): number {
    const previous = this.nextPid.get(node.name) ?? 4000 + node.nodeid * 977;
    // Real pids grow by more than one between workers (other processes fork too).
    const pid = previous + 1 + ((previous * 7 + node.nodeid) % 23);
    this.nextPid.set(node.name, pid > 4_000_000 ? 1000 : pid);
    return pid;
  }

  private trim(list: SimTask[]): void {
    while (list.length > KEEP_PER_NODE) {
      const index = list.findIndex((task) => !task.running);
      if (index < 0) return;
      const [dropped] = list.splice(index, 1);
      if (dropped) this.byUpid.delete(dropped.upid);
    }
  }
}
