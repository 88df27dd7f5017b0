// How the digest writes numbers, times and names: short, and the same everywhere.
import type { DigestGuest } from './digest-input.js';

export function percent(fraction: number): string {
  return `${Math.round(fraction * 100)} %`;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/** `4.5 TiB`, `98 GiB` (one decimal below 10). */
export function bytes(value: number): string {
  let amount = value;
  let unit = 0;
  while (amount >= 1024 && unit < UNITS.length - 1) {
    amount /= 1024;
    unit += 1;
  }
  const digits = amount < 10 && unit > 0 ? 1 : 0;
  return `${amount.toFixed(digits)} ${UNITS[unit]}`;
}

/** `45 s`, `12 min`, `5 h`, `3 days`. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 2 * 86_400) return `${Math.round(s / 3600)} h`;
  const days = Math.round(s / 86_400);
  return `${days} days`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const two = (n: number) => String(n).padStart(2, '0');

/** `09:12 UTC` on the day of `now`, `Nov 3 09:12 UTC` otherwise. */
export function when(epochMs: number, now: number): string {
  const at = new Date(epochMs);
  const time = `${two(at.getUTCHours())}:${two(at.getUTCMinutes())} UTC`;
  const sameDay = new Date(now).toISOString().slice(0, 10) === at.toISOString().slice(0, 10);
  return sameDay ? time : `${MONTHS[at.getUTCMonth()]} ${at.getUTCDate()} ${time}`;
}

/** `2025-11-14` */
export function day(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

/** `node01, node02 and node03`; past `max`, `node01, node02, node03 and 61 more`. */
export function listNames(names: readonly string[], max = 4): string {
  if (names.length <= 1) return names[0] ?? '';
  if (names.length > max) return `${names.slice(0, max - 1).join(', ')} and ${names.length - max + 1} more`;
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/** Text from PVE shown as code; backticks inside would end it early. */
export function code(text: string): string {
  return `\`${text.replace(/`/g, "'").replace(/\s+/g, ' ').trim()}\``;
}

/** Long PVE errors (a whole command line) keep their start and their end, where the reason is. */
export function shorten(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const head = Math.floor(max * 0.4);
  return `${flat.slice(0, head)} … ${flat.slice(flat.length - (max - head - 3))}`;
}

/** `db01 (102)`; a guest unknown to the digest by its id alone. */
export function guestLabel(guest: Pick<DigestGuest, 'vmid' | 'name'> | undefined, vmid?: number): string {
  const id = guest?.vmid ?? vmid;
  return guest?.name ? `${guest.name} (${id})` : `guest ${id}`;
}

const GROUPED = new Intl.NumberFormat('en-US');

/** `3,670` */
export function count(value: number): string {
  return GROUPED.format(value);
}

export function plural(value: number, word: string, many = `${word}s`): string {
  return `${count(value)} ${value === 1 ? word : many}`;
}
