// When a scheduled request starts: `--at` as people write it, read in the configured time zone
// (`schedule.timeZone` in the policy): `2026-12-24 02:00`, `sun 02:00` (the next Sunday at 02:00,
// today if still ahead), `02:00` (today or tomorrow), or an ISO 8601 time with its offset
// (`2026-12-24T01:00:00Z`). Luxon does the time-zone arithmetic (daylight saving included).
import { DateTime } from 'luxon';

export type StartTime = { ok: true; at: number } | { ok: false; message: string };

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export const WEEKDAY_NAMES: readonly Weekday[] = WEEKDAYS;

const FORMS =
  'write `YYYY-MM-DD HH:MM`, a weekday and a time (`sun 02:00`), a time (`02:00`), or an ISO 8601 time with its offset (`2026-12-24T01:00:00Z`)';

/** `HH:MM` → [hour, minute], or undefined. */
export function clockTime(text: string): [number, number] | undefined {
  const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** `mon`…`sun` (or the full English name) → 1…7 (ISO weekday), or undefined. */
export function weekdayNumber(text: string): number | undefined {
  const short = text.toLowerCase().slice(0, 3);
  const index = WEEKDAYS.indexOf(short as Weekday);
  if (index < 0) return undefined;
  const full = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'][index]!;
  return text.length === 3 || full === text.toLowerCase() ? index + 1 : undefined;
}

export function parseStartTime(text: string, options: { now: number; timeZone: string }): StartTime {
  const typed = text.trim();
  const now = DateTime.fromMillis(options.now, { zone: options.timeZone });
  let at: DateTime | undefined;
  if (/^\d{4}-\d{2}-\d{2}T/.test(typed)) {
    // ISO: only with its offset, so it can never be read in the wrong zone.
    if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(typed))
      return { ok: false, message: `'${typed}' has no offset: end it with Z or +01:00, or ${FORMS}` };
    at = DateTime.fromISO(typed, { setZone: true });
  } else {
    const words = typed.split(/\s+/);
    const time = clockTime(words.at(-1) ?? '');
    if (!time) return { ok: false, message: `'${typed}' is not a start time: ${FORMS}` };
    const [hour, minute] = time;
    if (words.length === 1) {
      at = now.set({ hour, minute, second: 0, millisecond: 0 });
      if (at.toMillis() <= options.now) at = at.plus({ days: 1 });
    } else if (words.length === 2 && /^\d{4}-\d{2}-\d{2}$/.test(words[0]!)) {
      at = DateTime.fromISO(`${words[0]}T${words[1]!.padStart(5, '0')}`, { zone: options.timeZone });
    } else if (words.length === 2 && weekdayNumber(words[0]!) !== undefined) {
      const day = weekdayNumber(words[0]!)!;
      at = now.set({ hour, minute, second: 0, millisecond: 0 }).plus({ days: (day - now.weekday + 7) % 7 });
      if (at.toMillis() <= options.now) at = at.plus({ days: 7 });
    } else {
      return { ok: false, message: `'${typed}' is not a start time: ${FORMS}` };
    }
  }
  if (!at?.isValid) return { ok: false, message: `'${typed}' is not a valid date: ${FORMS}` };
  if (at.toMillis() <= options.now)
    return {
      ok: false,
      message: `${formatStart(at.toMillis(), options.timeZone)} has passed: name a time ahead`,
    };
  return { ok: true, at: at.toMillis() };
}

/** `Thu 24 Dec 02:00 CET` in the time zone people read. */
export function formatStart(at: number, timeZone: string): string {
  return DateTime.fromMillis(at, { zone: timeZone }).toFormat('ccc d LLL HH:mm ZZZZ');
}

/** `in 2 h 05 min`, `in 3 days`: how far ahead `at` is. */
export function formatIn(at: number, now: number): string {
  const minutes = Math.max(0, Math.round((at - now) / 60_000));
  if (minutes < 1) return 'in less than a minute';
  if (minutes < 60) return `in ${minutes} min`;
  if (minutes < 48 * 60)
    return `in ${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
  return `in ${Math.round(minutes / 1440)} days`;
}
