// `--at` and `--window` → when the job runs (docs/scheduling.md): its start, until when it may
// still start (a window's close, or `schedule.grace` after an `--at` time), when its thread is
// reminded (`schedule.remind` before, if that is still ahead), and the start as people read it.
import type { JobSchedule } from '../../jobs/job-data.js';
import { DEFAULT_GRACE_MS, DEFAULT_REMIND_MS, type Policy } from '../policy/index.js';
import { nextOpening } from './maintenance-window.js';
import { formatIn, formatStart, parseStartTime } from './start-time.js';

export type ScheduleResolution = { ok: true; schedule?: JobSchedule } | { ok: false; message: string };

export function resolveSchedule(
  flags: { at?: string | undefined; window?: string | undefined },
  policy: Policy,
  now: number,
  defaultTimeZone: string,
): ScheduleResolution {
  if (flags.at === undefined && flags.window === undefined) return { ok: true };
  const settings = policy.schedule;
  const timeZone = settings?.timeZone ?? defaultTimeZone;
  let span: { startAt: number; endsAt: number; window?: string };
  if (flags.window !== undefined) {
    const windows = settings?.windows ?? {};
    const window = windows[flags.window];
    if (!window) {
      const names = Object.keys(windows);
      return {
        ok: false,
        message:
          names.length === 0
            ? `There is no maintenance window '${flags.window}': the policy names none (schedule.windows), so use --at instead.`
            : `There is no maintenance window '${flags.window}': the policy names ${names.join(', ')}.`,
      };
    }
    span = { ...nextOpening(window, now, timeZone), window: flags.window };
  } else {
    const start = parseStartTime(flags.at ?? '', { now, timeZone });
    if (!start.ok) return start;
    span = { startAt: start.at, endsAt: start.at + (settings?.graceMs ?? DEFAULT_GRACE_MS) };
  }
  const remindAt = span.startAt - (settings?.remindMs ?? DEFAULT_REMIND_MS);
  return {
    ok: true,
    schedule: {
      ...span,
      startText: formatStart(span.startAt, timeZone),
      ...(remindAt > now ? { remindAt } : {}),
    },
  };
}

/** The line an approval card and a request's description carry for a scheduled job. */
export function describeSchedule(schedule: JobSchedule, now: number, timeZone: string): string {
  const start =
    schedule.startAt <= now
      ? 'Starts now'
      : `Starts ${schedule.startText ?? formatStart(schedule.startAt, timeZone)} (${formatIn(schedule.startAt, now)})`;
  const window = schedule.window ? ` in the window ${schedule.window}` : '';
  return `${start}${window}; it may start until ${formatStart(schedule.endsAt, timeZone)}, else it does not run. Approving covers the plan and this time.`;
}
