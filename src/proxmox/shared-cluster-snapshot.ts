// One cluster snapshot shared by the commands that arrive together (single-flight with a short
// freshness bound): callers that ask while a read is under way wait for that read, and a read
// that finished less than `maxAgeMs` ago is handed out again. 200 `/pve status` at once then cost a
// few `/cluster/resources` reads instead of 200 (docs/architecture.md, "Performance targets").
//
// Only callers that can live with data up to `maxAgeMs` old use it, and each says when its data
// was read (`readAt`). Whatever changes the cluster reads it fresh at the moment it acts (a job
// finds its guest again with `clusterResources`, migration planning asks PVE's own precondition),
// so a shared snapshot never decides what a disruptive job does.

import { PveError, PveErrorCode } from './pve-error.js';
import type { TimedClusterSnapshot } from './read-cluster-snapshot.js';

/** How old a finished read may be and still be handed out, unless the client is told otherwise. */
export const DEFAULT_SNAPSHOT_MAX_AGE_MS = 2_000;

export interface SharedClusterSnapshotOptions {
  /**
   * One fresh read of the whole cluster. It gets no caller's signal: the read belongs to everyone
   * waiting for it, and the transport's own request timeout bounds it.
   */
  read: () => Promise<TimedClusterSnapshot>;
  /** Default for `get`: how old (ms since `readAt`) a finished read may be. 0 shares in-flight reads only. */
  maxAgeMs?: number;
  /** The clock `readAt` was taken with (Date.now). */
  clock?: () => number;
}

export class SharedClusterSnapshot {
  readonly #read: () => Promise<TimedClusterSnapshot>;
  readonly #maxAgeMs: number;
  readonly #clock: () => number;
  #last: TimedClusterSnapshot | undefined;
  #inFlight: Promise<TimedClusterSnapshot> | undefined;
  /**
   * Bumped by `invalidate()`: a read begun before it is neither joined by later callers nor kept,
   * since it may predate the change that caused the invalidation.
   */
  #generation = 0;

  constructor(options: SharedClusterSnapshotOptions) {
    this.#read = options.read;
    this.#maxAgeMs = options.maxAgeMs ?? DEFAULT_SNAPSHOT_MAX_AGE_MS;
    this.#clock = options.clock ?? Date.now;
    if (!Number.isFinite(this.#maxAgeMs) || this.#maxAgeMs < 0) {
      throw new PveError({
        code: PveErrorCode.Config,
        message: `the cluster snapshot's maximum age must be 0 ms or more (got ${this.#maxAgeMs})`,
      });
    }
  }

  /**
   * A snapshot at most `maxAgeMs` old, or the one being read now, or a new read. The signal stops
   * only this caller's wait (PveError PVE_ABORTED); the read goes on for the others. A read that
   * failed is not kept: every caller that waited for it gets its error, the next one reads again.
   */
  get(options: { maxAgeMs?: number; signal?: AbortSignal } = {}): Promise<TimedClusterSnapshot> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(abandoned(signal.reason));
    const last = this.#last;
    if (last) {
      const age = this.#clock() - last.readAt;
      // A clock that went back makes the age negative: read again rather than trust it.
      if (age >= 0 && age < (options.maxAgeMs ?? this.#maxAgeMs)) return Promise.resolve(last);
    }
    const shared = this.#inFlight ?? this.#start();
    return signal ? untilAborted(shared, signal) : shared;
  }

  /**
   * Something changed the cluster (this client sent a write, or saw a task end): nothing read
   * before is handed out again, and callers from now on do not join a read already under way.
   * Those already waiting for it still get it; it was under way when they asked.
   */
  invalidate(): void {
    this.#generation += 1;
    this.#last = undefined;
    this.#inFlight = undefined;
  }

  #start(): Promise<TimedClusterSnapshot> {
    const generation = this.#generation;
    const read = this.#read()
      .then((snapshot) => {
        if (generation === this.#generation && (!this.#last || snapshot.readAt >= this.#last.readAt)) {
          this.#last = snapshot;
        }
        return snapshot;
      })
      .finally(() => {
        if (this.#inFlight === read) this.#inFlight = undefined;
      });
    this.#inFlight = read;
    return read;
  }
}

/** The shared read's outcome, unless this caller's signal fires first. */
function untilAborted<T>(shared: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abandoned(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    shared.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function abandoned(cause: unknown): PveError {
  return new PveError({
    code: PveErrorCode.Aborted,
    message: 'stopped waiting for the cluster read',
    method: 'GET',
    path: '/cluster/resources',
    cause,
  });
}
