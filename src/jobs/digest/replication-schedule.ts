// How often a replication job runs, read from its schedule (a pve-calendar-event, a subset of
// systemd's calendar events) where that is plain: `*/15`, `hourly`, `22:30`, `*:0/10`. Schedules
// limited to some weekdays or hour ranges have no single interval: undefined, and only the
// job's own next_sync then tells whether it is late.

const NAMED: Record<string, number> = {
  minutely: 60,
  hourly: 3600,
  daily: 86_400,
  weekly: 7 * 86_400,
  monthly: 31 * 86_400,
  quarterly: 92 * 86_400,
  semiannually: 183 * 86_400,
  yearly: 366 * 86_400,
  annually: 366 * 86_400,
};

/** Seconds between two runs, at most (the longest gap for a list of hours); undefined if unclear. */
export function scheduleIntervalSeconds(schedule: string): number | undefined {
  const text = schedule.trim().toLowerCase();
  const named = NAMED[text];
  if (named !== undefined) return named;
  if (text === '*') return 60;
  const everyMinutes = /^(?:\*|\d+)\/(\d+)$/.exec(text) ?? /^\*:(?:\*|\d+)\/(\d+)$/.exec(text);
  if (everyMinutes) return Math.max(1, Number(everyMinutes[1])) * 60;
  if (/^\*:\d+$/.test(text)) return 3600;
  const hours = /^(\d+(?:,\d+)*):\d+$/.exec(text);
  if (hours?.[1]) {
    const list = [...new Set(hours[1].split(',').map(Number))].sort((a, b) => a - b);
    if (list.length === 1) return 86_400;
    const gaps = list.map((hour, i) => ((list[i + 1] ?? (list[0] ?? 0) + 24) - hour) * 3600);
    return Math.max(...gaps);
  }
  return undefined;
}
