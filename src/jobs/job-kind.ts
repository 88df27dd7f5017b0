// A job kind: its payload schema, the resources it locks, and its processor. Adding a kind is one
// file in kinds/ and one line in kinds/index.ts.
import type { z } from 'zod';
import type { JobContext } from './job-context.js';
import type { ResultEvent } from './job-events.js';

/** A resource a job needs to itself: a guest (`guest:100`) or a node (`node:node01`). */
export interface LockTarget {
  key: string;
  /** How people name it: `TestVM (qemu/100)`, `node node01`. */
  label: string;
}

export interface JobOutcome {
  /** One line a person reads first. */
  summary: string;
  details?: Record<string, unknown>;
  upid?: string;
  logTail?: string[];
  /** More lines under the summary (a plan, a per-node list). */
  text?: string;
  /** The next job this one proposes, for approval (see ResultEvent.proposal). */
  proposal?: ResultEvent['proposal'];
  /** Commands offered as buttons on the result (see ResultEvent.offers): `Roll back` on a snapshot. */
  offers?: ResultEvent['offers'];
}

export interface JobKind<S extends z.ZodType = z.ZodType, N extends string = string> {
  name: N;
  payload: S;
  /**
   * Reports once, without a progress message (the digest, the cluster watch): a channel wants one
   * post, not a progress line edited in place.
   */
  resultOnly?: boolean;
  /**
   * `false`: its jobs are events to report, not a person waiting (a PVE notification), so the
   * start deadline (JOB_START_DEADLINE_SECONDS) does not apply: they run however late.
   */
  startDeadline?: false;
  /**
   * Its result's `details.nodes` (each node's CPU, memory and guests) is drawn by the bot as a
   * chart posted with the result (the digest).
   */
  chart?: boolean;
  /**
   * Whether this job's result is for its requester alone (cluster join-info lists every node's
   * address and fingerprint): no progress is shown, and the result goes to that person only. An
   * unreadable payload must answer true, the safe side.
   */
  privateResult?(payload: unknown): boolean;
  /**
   * Stops only between its steps: its progress shows Pause/Resume/Abort instead of Cancel, and
   * it reads ctx.control() at every step boundary.
   */
  controllable?: boolean;
  /**
   * Shares ctx.state with another kind (a planning kind reads what its executing kind remembers,
   * e.g. balance-plan reads which guests balance moved). By default each kind has its own.
   */
  stateOf?: string;
  /**
   * The guests this job puts at risk (a rollback's, a migration's, a stop's): when its request
   * asked for the safety net (JobData.safetyNet), the worker snapshots each of them before the
   * job's first step (steps/safety-net-step.ts) and offers "Roll back" on the result.
   */
  guestsAtRisk?(payload: z.output<S>): SafetyNetGuest[];
  /**
   * The kind takes the safety net's snapshots itself, where it knows its guests (a rolling
   * upgrade: the guests of each node, before that node's turn).
   */
  snapshotsItsOwnGuests?: true;
  /** Resources the job must hold alone while it runs (state-changing kinds). */
  locks?(payload: z.output<S>): LockTarget[];
  /**
   * Runs one slice of the job. It is called again from the top after every slice and after a
   * crash, so it must be re-entrant: steps go through ctx.memo / ctx.runTask / ctx.watchTask, which
   * persist what was done and skip it on the next call.
   */
  run(ctx: JobContext<z.output<S>>): Promise<JobOutcome>;
}

/** A guest as the safety net needs it (a GuestTarget). */
export interface SafetyNetGuest {
  vmid: number;
  type: 'qemu' | 'lxc';
  node: string;
  name?: string | undefined;
}

/**
 * The resources a job holds, named per cluster when the bot drives several (`lab/guest:100`): two
 * clusters' guest 100 are different guests.
 */
export function lockTargets<P>(
  kind: { locks?(payload: P): LockTarget[] },
  payload: P,
  cluster?: string,
): LockTarget[] {
  const targets = kind.locks?.(payload) ?? [];
  return cluster === undefined
    ? targets
    : targets.map((t) => ({ key: `${cluster}/${t.key}`, label: `${t.label} (${cluster})` }));
}

/** Whether a kind's jobs honour the safety net (snapshots first), so a request may ask for it. */
export function takesSafetyNet(kind: Pick<JobKind, 'guestsAtRisk' | 'snapshotsItsOwnGuests'>): boolean {
  return kind.guestsAtRisk !== undefined || kind.snapshotsItsOwnGuests === true;
}

/** The kind's name stays a literal type, so a job request can be typed by its kind (kinds/index.ts). */
export function defineJobKind<S extends z.ZodType, const N extends string>(
  kind: JobKind<S, N>,
): JobKind<S, N> {
  return kind;
}

export type JobKindRegistry = ReadonlyMap<string, JobKind>;

export function createJobKindRegistry(kinds: readonly JobKind[]): JobKindRegistry {
  const registry = new Map<string, JobKind>();
  for (const kind of kinds) {
    if (registry.has(kind.name)) throw new Error(`job kind '${kind.name}' is registered twice`);
    registry.set(kind.name, kind);
  }
  return registry;
}
