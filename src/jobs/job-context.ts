import type { ProxmoxClient } from '../proxmox/proxmox-client.js';
import type { SshRunner } from '../proxmox/ssh/ssh-runner.js';
import type { TaskResult } from '../proxmox/wait-for-task.js';
import type { AlertInput } from './alerts/alert.js';
import type { JobControl } from './job-controls.js';
import type { JobData } from './job-data.js';
import type { KindState } from './kind-state.js';

/** How a processor finds a task it may have started before a crash, if the UPID was not saved. */
export interface AdoptableTask {
  /** PVE task types the start call produces, e.g. ['qmigrate', 'hamigrate']. */
  types: string[];
  vmid: number;
}

/** What a processor sees in one slice. Every method persists what it did in the job. */
export interface JobContext<P> {
  readonly jobId: string;
  readonly kind: string;
  readonly payload: P;
  readonly requestedBy: string;
  readonly pve: ProxmoxClient;
  /** SSH to the nodes (upgrades, HA node maintenance); undefined when SSH_* is not configured. */
  readonly ssh: SshRunner | undefined;
  /** What this kind remembers between jobs (validate what you read: it may be from an older version). */
  readonly state: KindState;
  /** Snapshots first (the safety net), when the request asked for them: see JobData.safetyNet. */
  readonly safetyNet: JobData['safetyNet'];
  /** Aborted when the slice ends or someone cancels the job. */
  readonly signal: AbortSignal;
  /** Computes a value once per job and keeps it across slices and crashes (it must be JSON). */
  memo<T>(key: string, compute: () => Promise<T>): Promise<T>;
  /** A value memo() kept, without computing it (reports of how far a job got). */
  recall<T>(key: string): T | undefined;
  /** Drops a memoized value, so the next memo() computes it again (e.g. a vmid that was taken). */
  forget(key: string): Promise<void>;
  /**
   * Starts a PVE task once per job: the start time is saved BEFORE the call and the UPID right
   * after it, so a re-run resumes the saved UPID, or adopts a matching task PVE started for us
   * if the worker died between the two.
   */
  runTask(step: string, start: () => Promise<string>, adopt?: AdoptableTask): Promise<string>;
  /** Waits for a task within this slice, reporting progress; resumes where the last slice stopped. */
  watchTask(step: string, upid: string, phase: string): Promise<TaskResult>;
  /** Runs a wait that is not a task (e.g. following an HA migration) within this slice. */
  watch<T>(step: string, phase: string, wait: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /**
   * Pause or Abort asked for this job (controllable kinds read it between steps). Reading it
   * also decides the buttons its progress shows: Resume while paused, Pause otherwise.
   */
  control(): Promise<JobControl | undefined>;
  /** Reports a phase change to the chat. */
  progress(phase: string, extra?: { percent?: number; logLines?: string[]; upid?: string }): Promise<void>;
  /**
   * Publishes an alert (alerts/alert.ts) to the job's thread and copies (the alert channels): one
   * card per alert key, edited in place when the same key comes again. A new key is held back
   * while its type is snoozed, and beyond the per-type rate limit only counted; an update of a
   * key already shown always goes through. Invalid input throws (a bug in the job).
   */
  alert(input: AlertInput): Promise<void>;
}
