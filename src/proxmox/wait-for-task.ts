import { setTimeout as sleep } from 'node:timers/promises';
import { parseUpid } from './parse-upid.js';
import { PveError, PveErrorCode } from './pve-error.js';
import type { PveTransport } from './pve-transport.js';
import { getTaskStatus, isTaskSuccess, readTaskLog } from './task-api.js';
import { progressFromLogLine } from './task-progress.js';
import { TransientErrorBudget } from './transient-poll-error.js';

export interface TaskProgress {
  upid: string;
  /** Log lines that appeared since the previous report. */
  newLines: string[];
  /** How many log lines have been seen in total: store it to resume without repeating lines. */
  linesSeen: number;
  /** The latest percentage the log showed (clone/migration transfer), if any. */
  percent?: number;
}

export interface PollInterval {
  initialMs: number;
  maxMs: number;
}

export interface WaitForTaskOptions {
  onProgress?: (progress: TaskProgress) => void | Promise<void>;
  signal?: AbortSignal;
  /** Gives up (the task keeps running) after this long; PVE_TIMEOUT. Default: no limit. */
  timeoutMs?: number;
  /** Resume after a restart: the `linesSeen` last reported, so old lines are not reported again. */
  linesSeen?: number;
  /** Polling starts fast and backs off, so short tasks finish fast and long ones cost little. */
  pollInterval?: PollInterval;
}

export interface TaskResult {
  upid: string;
  /** `OK` or `WARNINGS: n`. */
  exitstatus: string;
  linesSeen: number;
  /** The last log lines, for a final report. */
  logTail: string[];
}

export const DEFAULT_POLL_INTERVAL: PollInterval = { initialMs: 250, maxMs: 2_000 };
const TAIL = 10;

/**
 * Follows a task until it stops. Stateless between polls: everything needed to resume is the
 * UPID (which names the node) and `linesSeen`, so a worker that crashed can call this again with
 * the UPID it stored. Each poll is two short GETs (status, then the new log lines).
 */
export async function waitForTask(
  transport: PveTransport,
  upid: string,
  options: WaitForTaskOptions = {},
): Promise<TaskResult> {
  const parsed = parseUpid(upid);
  const { signal } = options;
  const interval = options.pollInterval ?? DEFAULT_POLL_INTERVAL;
  const deadline =
    options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.timeoutMs;
  let linesSeen = options.linesSeen ?? 0;
  let delay = interval.initialMs;
  let percent: number | undefined;
  const errors = new TransientErrorBudget();
  const tail: string[] = [];

  for (;;) {
    throwIfAborted(signal, upid);
    try {
      // Status first: when it says stopped, the log read after it already holds the final line.
      const status = await getTaskStatus(transport, upid, signal);
      const lines = await readTaskLog(transport, upid, linesSeen, signal);
      errors.succeeded();
      const fresh = freshLines(lines, linesSeen);
      if (fresh.length > 0) {
        // No spreading: a long log read at once (limit=0) can hold hundreds of thousands of
        // lines, more arguments than a call takes. `fresh` is in order, so the last n is the max.
        linesSeen = Math.max(linesSeen, fresh[fresh.length - 1]!.n);
        const texts = fresh.map((line) => line.t);
        for (const text of texts) percent = progressFromLogLine(text) ?? percent;
        tail.push(...texts.slice(-TAIL));
        tail.splice(0, Math.max(0, tail.length - TAIL));
        await options.onProgress?.({
          upid,
          newLines: texts,
          linesSeen,
          ...(percent === undefined ? {} : { percent }),
        });
      }
      if (status.status === 'stopped') {
        const exitstatus = status.exitstatus ?? 'unexpected status';
        if (isTaskSuccess(exitstatus)) return { upid, exitstatus, linesSeen, logTail: [...tail] };
        throw new PveError({
          code: PveErrorCode.TaskFailed,
          message: `task ${parsed.type}${parsed.id ? ` ${parsed.id}` : ''} on ${parsed.node} failed: ${exitstatus}`,
          upid,
          exitstatus,
          logTail: [...tail],
          path: `/nodes/${parsed.node}/tasks/${upid}/status`,
        });
      }
    } catch (error) {
      if (signal?.aborted) throw aborted(upid, error);
      errors.absorb(error);
    }
    if (Date.now() + delay > deadline) {
      throw new PveError({
        code: PveErrorCode.Timeout,
        message: `task ${upid} still running after ${options.timeoutMs} ms (it was not stopped)`,
        upid,
        logTail: [...tail],
      });
    }
    try {
      await sleep(delay, undefined, signal ? { signal } : undefined);
    } catch (error) {
      throw aborted(upid, error);
    }
    delay = Math.min(interval.maxMs, Math.round(delay * 1.5));
  }
}

/**
 * Drops lines already seen and PVE's placeholders: an empty log answers `[{n:1,t:"no content"}]`
 * and a log not yet created `[{n:1,t:"unable to open file - …"}]` (pve-common `dump_logfile`);
 * counting those would skip the real first line.
 */
function freshLines(lines: { n: number; t: string }[], linesSeen: number): { n: number; t: string }[] {
  if (lines.length === 1 && lines[0]!.n === 1 && linesSeen === 0) {
    const text = lines[0]!.t;
    if (text === 'no content' || text.startsWith('unable to open file - ')) return [];
  }
  return lines.filter((line) => line.n > linesSeen);
}

function throwIfAborted(signal: AbortSignal | undefined, upid: string): void {
  if (signal?.aborted) throw aborted(upid, signal.reason);
}

function aborted(upid: string, cause: unknown): PveError {
  return new PveError({
    code: PveErrorCode.Aborted,
    message: `stopped waiting for task ${upid}`,
    upid,
    cause,
  });
}
