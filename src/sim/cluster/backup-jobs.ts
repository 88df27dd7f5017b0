// Scheduled backup jobs (/etc/pve/jobs.cfg `vzdump` sections) as pve-manager PVE/API2/Backup.pm
// serves them: SectionConfig values (booleans and integers as numbers, the rest strings,
// prune-backups as an object of strings), `next-run` computed from the schedule on every read,
// and the guests no job covers (PVE/API2/Cluster/BackupInfo.pm).
import { randomUUID } from 'node:crypto';
import { PveHttpError } from '../pve-http-error.js';
import { splitList } from '../server/param-formats.js';
import type { GuestType, SimGuest } from './cluster-model.js';
import { logTimestamp, timeZoneOffsetSeconds } from './log-format.js';

export type JobValue = string | number | Record<string, string>;

export interface BackupJob {
  id: string;
  /** The section's options in the order written (schedule, enabled, storage, vmid|all|pool, …). */
  options: Record<string, JobValue>;
}

/** Options whose value is a property string the section config decodes into an object. */
const OBJECT_OPTIONS = new Set(['prune-backups', 'fleecing', 'performance']);
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** `keep-daily=7,keep-weekly=4` → `{ 'keep-daily': '7', 'keep-weekly': '4' }`. */
function decodePropertyString(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',').filter(Boolean)) {
    const [key = '', value = ''] = part.split(/=(.*)/s);
    out[key] = value;
  }
  return out;
}

/** A job option as SectionConfig returns it. */
export function jobValue(key: string, value: string | number | boolean | string[]): JobValue {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (Array.isArray(value)) return value.join(',');
  if (OBJECT_OPTIONS.has(key)) return decodePropertyString(String(value));
  return value;
}

/** The weekdays a `mon..fri` / `sat,sun` list names (all when absent). */
function weekdays(spec: string | undefined): Set<number> {
  if (!spec) return new Set([0, 1, 2, 3, 4, 5, 6]);
  const days = new Set<number>();
  for (const part of spec.split(',')) {
    const [from = '', to] = part.split('..');
    const a = DAYS.indexOf(from);
    const b = to === undefined ? a : DAYS.indexOf(to);
    if (a < 0 || b < 0) return new Set();
    for (let d = a; ; d = (d + 1) % 7) {
      days.add(d);
      if (d === b) break;
    }
  }
  return days;
}

/**
 * CalendarEvent compute_next_event for the schedules jobs use: `[<weekdays>] HH:MM`, `daily`,
 * `weekly` (mon 00:00); undefined for other forms, which the simulator does not evaluate.
 */
export function nextRun(schedule: string, nowMs: number, timeZone: string): number | undefined {
  const normal = schedule === 'daily' ? '00:00' : schedule === 'weekly' ? 'mon 00:00' : schedule.trim();
  const match = /^(?:([a-z.,]+)\s+)?(\d{1,2}):(\d{2})$/.exec(normal);
  if (!match) return undefined;
  const days = weekdays(match[1]);
  const [hour, minute] = [Number(match[2]), Number(match[3])];
  const [y, m, d] = logTimestamp(nowMs, timeZone).slice(0, 10).split('-').map(Number) as [
    number,
    number,
    number,
  ];
  for (let offset = 0; offset <= 8; offset += 1) {
    const localAsUtc = Date.UTC(y, m - 1, d + offset, hour, minute);
    const epoch = localAsUtc - timeZoneOffsetSeconds(localAsUtc, timeZone) * 1000;
    if (epoch > nowMs && days.has(new Date(localAsUtc).getUTCDay())) return Math.floor(epoch / 1000);
  }
  return undefined;
}

export class BackupJobs {
  private readonly jobs: BackupJob[];

  constructor(seed: BackupJob[] = []) {
    this.jobs = seed.map((job) => ({ id: job.id, options: { ...job.options } }));
  }

  all(): BackupJob[] {
    return [...this.jobs];
  }

  get(id: string): BackupJob {
    const job = this.jobs.find((entry) => entry.id === id);
    if (!job) throw PveHttpError.parameters({ id: `No such job '${id}'` });
    return job;
  }

  /** create_job: a schedule is required, the selection checked as vzdump checks it. */
  create(params: Record<string, string | number | boolean | string[]>): BackupJob {
    if (params.schedule !== undefined && params.starttime !== undefined)
      throw PveHttpError.parameters({ starttime: "'starttime' and 'schedule' cannot both be set" });
    if (params.schedule === undefined && params.starttime === undefined)
      throw PveHttpError.parameters({ schedule: "neither 'starttime' nor 'schedule' were set" });
    const id = params.id === undefined ? randomUUID() : String(params.id);
    if (this.jobs.some((job) => job.id === id)) throw PveHttpError.die(`Job '${id}' already exists`);
    for (const key of ['all', 'exclude', 'pool'] as const) {
      if (params[key] && params.vmid !== undefined)
        throw PveHttpError.parameters({ [key]: "option conflicts with option 'vmid'" });
    }
    if (!(params.all || params.pool || params.exclude) && !params.vmid)
      throw PveHttpError.parameters({ vmid: 'property is missing' });
    const options: Record<string, JobValue> = {};
    // $convert_to_schedule: `starttime` (and `dow`) become a schedule.
    if (params.starttime !== undefined) {
      const dow = params.dow === undefined ? '' : `${String(params.dow)} `;
      options.schedule = `${dow}${String(params.starttime)}`;
    }
    for (const [key, value] of Object.entries(params)) {
      if (key === 'id' || key === 'starttime' || key === 'dow') continue;
      options[key] = jobValue(key, value);
    }
    if (options.exclude !== undefined && options.pool === undefined) options.all = 1;
    if (options.enabled === undefined) options.enabled = 1;
    const job = { id, options };
    this.jobs.push(job);
    return job;
  }

  /** update_job: the given options replace the stored ones, `delete` drops keys. */
  update(id: string, params: Record<string, string | number | boolean | string[]>): void {
    const job = this.get(id);
    for (const key of splitList(String(params.delete ?? ''))) delete job.options[key];
    for (const [key, value] of Object.entries(params)) {
      if (key === 'id' || key === 'delete') continue;
      job.options[key] = jobValue(key, value);
    }
  }

  remove(id: string): void {
    const job = this.get(id);
    this.jobs.splice(this.jobs.indexOf(job), 1);
  }

  /** GET /cluster/backup: the section plus `id`, `type` and `next-run`. */
  render(job: BackupJob, nowMs: number, timeZone: string): Record<string, unknown> {
    const entry: Record<string, unknown> = { id: job.id, type: 'vzdump', ...job.options };
    const schedule = job.options.schedule;
    const next = typeof schedule === 'string' ? nextRun(schedule, nowMs, timeZone) : undefined;
    if (next !== undefined) entry['next-run'] = next;
    return entry;
  }

  /** get_included_vmids: every vmid some job covers (disabled jobs count too). */
  coveredBy(guests: SimGuest[]): Set<number> {
    const covered = new Set<number>();
    for (const { options } of this.jobs) {
      if (typeof options.vmid === 'string') {
        for (const vmid of splitList(options.vmid)) covered.add(Number(vmid));
      } else if (typeof options.pool === 'string') {
        for (const guest of guests) if (guest.pool === options.pool) covered.add(guest.vmid);
      } else if (options.all) {
        const excluded = new Set(splitList(String(options.exclude ?? '')).map(Number));
        for (const guest of guests) if (!excluded.has(guest.vmid)) covered.add(guest.vmid);
      }
    }
    return covered;
  }

  /** /cluster/backup-info/not-backed-up. */
  notBackedUp(guests: SimGuest[]): Array<{ vmid: number; type: GuestType; name: string }> {
    const covered = this.coveredBy(guests);
    return guests
      .filter((guest) => !covered.has(guest.vmid))
      .sort((a, b) => a.vmid - b.vmid)
      .map((guest) => ({ vmid: guest.vmid, type: guest.type, name: guest.name }));
  }
}
