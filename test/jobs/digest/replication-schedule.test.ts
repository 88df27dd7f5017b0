import { describe, expect, it } from 'vitest';
import { scheduleIntervalSeconds } from '../../../src/jobs/digest/replication-schedule.js';

describe('the interval of a replication schedule', () => {
  it.each([
    ['*/15', 900],
    ['*/1', 60],
    ['*', 60],
    ['0/30', 1800],
    ['*:0/10', 600],
    ['*:*/5', 300],
    ['*:30', 3600],
    ['hourly', 3600],
    ['daily', 86_400],
    ['weekly', 7 * 86_400],
    ['22:30', 86_400],
    ['2,22:30', 20 * 3600],
    ['12,14,16,18,20,22:5', 14 * 3600],
  ])('%s runs at least every %i s', (schedule, seconds) => {
    expect(scheduleIntervalSeconds(schedule)).toBe(seconds);
  });

  it.each(['mon..fri 22:00', 'sat,sun', 'mon..fri 8..17,22:0/15', 'garbage'])(
    'cannot tell for %s',
    (schedule) => {
      expect(scheduleIntervalSeconds(schedule)).toBeUndefined();
    },
  );
});
