// `--at` as people write it, read in the configured time zone, and named maintenance windows.
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { nextOpening } from '../../../src/core/schedule/maintenance-window.js';
import { formatStart, parseStartTime } from '../../../src/core/schedule/start-time.js';

const zone = 'Europe/Berlin';
// Monday 7 December 2026, 10:00 in Berlin (09:00 UTC).
const now = DateTime.fromISO('2026-12-07T10:00', { zone }).toMillis();
const at = (text: string) => parseStartTime(text, { now, timeZone: zone });
const iso = (ms: number) => DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true });

describe('parseStartTime', () => {
  it('reads a date and time, a weekday and time, a time, and ISO with its offset', () => {
    expect(at('2026-12-24 02:00')).toEqual({
      ok: true,
      at: DateTime.fromISO('2026-12-24T02:00', { zone }).toMillis(),
    });
    const sunday = at('sun 02:00');
    expect(sunday.ok && iso(sunday.at)).toBe('2026-12-13T02:00:00+01:00');
    // Monday 10:00: "mon 09:00" has passed today, so next Monday; "mon 23:00" is tonight.
    const monday = at('mon 09:00');
    expect(monday.ok && iso(monday.at)).toBe('2026-12-14T09:00:00+01:00');
    const tonight = at('monday 23:00');
    expect(tonight.ok && iso(tonight.at)).toBe('2026-12-07T23:00:00+01:00');
    const early = at('02:00');
    expect(early.ok && iso(early.at)).toBe('2026-12-08T02:00:00+01:00');
    expect(at('2026-12-24T01:00:00Z')).toEqual({ ok: true, at: Date.UTC(2026, 11, 24, 1, 0, 0) });
  });

  it('crosses daylight saving time as the wall clock does', () => {
    const summer = parseStartTime('2027-07-01 02:00', { now, timeZone: zone });
    expect(summer.ok && iso(summer.at)).toBe('2027-07-01T02:00:00+02:00');
  });

  it('says what is wrong and what would be right', () => {
    expect(at('2026-12-24T01:00:00')).toEqual({
      ok: false,
      message: expect.stringContaining("'2026-12-24T01:00:00' has no offset: end it with Z or +01:00"),
    });
    expect(at('tomorrow')).toEqual({
      ok: false,
      message: expect.stringContaining("'tomorrow' is not a start time: write `YYYY-MM-DD HH:MM`"),
    });
    expect(at('2026-02-30 02:00')).toEqual({
      ok: false,
      message: expect.stringContaining('is not a valid date'),
    });
    expect(at('2026-12-01 02:00')).toEqual({
      ok: false,
      message: 'Tue 1 Dec 02:00 GMT+1 has passed: name a time ahead',
    });
    expect(at('fri 25:00')).toMatchObject({ ok: false });
  });

  it('shows a start in the time zone people read', () => {
    expect(formatStart(Date.UTC(2026, 11, 24, 1, 0), zone)).toBe('Thu 24 Dec 02:00 GMT+1');
  });
});

describe('nextOpening', () => {
  const night = { days: [1, 2, 3, 4, 5], start: '22:00', end: '04:00' };
  it('is the next opening, closing the next day when the window crosses midnight', () => {
    const span = nextOpening(night, now, zone);
    expect([iso(span.startAt), iso(span.endsAt)]).toEqual([
      '2026-12-07T22:00:00+01:00',
      '2026-12-08T04:00:00+01:00',
    ]);
  });

  it('starts now while the window is open, until it closes (an opening from yesterday included)', () => {
    const tuesday0200 = DateTime.fromISO('2026-12-08T02:00', { zone }).toMillis();
    expect(nextOpening(night, tuesday0200, zone)).toEqual({
      startAt: tuesday0200,
      endsAt: DateTime.fromISO('2026-12-08T04:00', { zone }).toMillis(),
    });
  });

  it('skips to the next day it opens on (a weekend window seen on Monday)', () => {
    const span = nextOpening({ days: [6, 7], start: '01:00', end: '05:00' }, now, zone);
    expect(iso(span.startAt)).toBe('2026-12-12T01:00:00+01:00');
  });
});
