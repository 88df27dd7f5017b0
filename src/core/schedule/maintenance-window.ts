// A named maintenance window from the policy (`schedule.windows`): the weekdays it opens on and
// the wall-clock time it opens and closes, in the configured time zone. A window may close after
// midnight (`22:00`–`04:00` closes the next day). `--window night` starts at its next opening, or
// at once when it is open now; either way the job may start only until it closes.
import { DateTime } from 'luxon';
import type { MaintenanceWindow } from '../policy/index.js';
import { clockTime } from './start-time.js';

export interface WindowSpan {
  startAt: number;
  endsAt: number;
}

/** The window's opening that is open at `now`, or else its next one. */
export function nextOpening(window: MaintenanceWindow, now: number, timeZone: string): WindowSpan {
  const [openHour, openMinute] = clockTime(window.start) ?? [0, 0];
  const [closeHour, closeMinute] = clockTime(window.end) ?? [0, 0];
  const today = DateTime.fromMillis(now, { zone: timeZone }).startOf('day');
  // From yesterday (an opening before midnight may still be open) through a week ahead.
  for (let offset = -1; offset <= 7; offset += 1) {
    const day = today.plus({ days: offset });
    if (!window.days.includes(day.weekday)) continue;
    const open = day.set({ hour: openHour, minute: openMinute });
    let close = day.set({ hour: closeHour, minute: closeMinute });
    if (close <= open) close = close.plus({ days: 1 });
    if (close.toMillis() <= now) continue;
    return { startAt: Math.max(open.toMillis(), now), endsAt: close.toMillis() };
  }
  // Unreachable for a valid window (at least one day): the policy checks it.
  throw new Error('a maintenance window without days');
}
