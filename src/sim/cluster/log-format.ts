// Text formats PVE writes into task logs.

const pad = (value: number): string => String(value).padStart(2, '0');

// Building an Intl formatter is costly; task logs format many lines, so keep one per zone.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** `YYYY-MM-DD HH:MM:SS` in the node's local time, as AbstractMigrate.pm's log lines use. */
export function logTimestamp(epochMs: number, timeZone: string): string {
  const parts = formatterFor(timeZone).formatToParts(new Date(epochMs));
  const get = (type: string): string => parts.find((part) => part.type === type)?.value ?? '00';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')}`;
}

/** `HH:MM:SS`, as in `migration finished successfully (duration 00:00:21)`. */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  return `${pad(Math.floor(total / 3600))}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}`;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** `512.0 MiB`, `2.0 GiB`: PVE::Tools::render_bytes with one decimal, as migration logs print. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/**
 * `612.35 MiB`: PVE::Tools::render_bytes (two decimals unless told, `B` included), as snapshot and
 * vzdump logs print.
 */
export function renderBytes(bytes: number, precision = 2): string {
  let value = bytes;
  let unit = 0;
  if (value > 1023) {
    unit = Math.min(UNITS.length - 1, Math.floor(Math.log(value) / Math.log(1024)));
    value /= 1024 ** unit;
  }
  return `${value.toFixed(precision)} ${UNITS[unit]}`;
}

/** `0s`, `3s`, `1m 5s`: PVE::Tools::render_duration. */
export function renderDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const parts: string[] = [];
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  if (h > 0) parts.push(`${h}h`);
  if (h > 0 || m > 0) parts.push(`${m}m`);
  parts.push(`${total % 60}s`);
  return parts.join(' ');
}

/** The offset of `timeZone` from UTC at `epochMs`, in seconds (for /nodes/{node}/time `localtime`). */
export function timeZoneOffsetSeconds(epochMs: number, timeZone: string): number {
  const local = logTimestamp(epochMs, timeZone).replace(' ', 'T');
  return Math.round((Date.parse(`${local}Z`) - Math.floor(epochMs / 1000) * 1000) / 1000);
}

export const GiB = 1024 ** 3;
export const MiB = 1024 ** 2;
