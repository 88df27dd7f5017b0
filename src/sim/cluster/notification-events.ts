// What each PVE event sends: title, message, severity and fields, rendered as the vendor templates
// do (pve-manager templates/default/*.txt.hbs, pve-ha-manager src/templates/default/fencing-*,
// proxmox-notify's plain-text table, proxmox-human-byte and proxmox-time renderings). Titles are
// the rendered subject with its final newline turned into a space, so they end in a space.
import type { SimNotification } from './notification-bus.js';

/** The simulated nodes' DNS domain (`hostname --fqdn` is `<node>.example.com`). */
export const SIM_DOMAIN = 'example.com';

const fqdn = (node: string): string => `${node}.${SIM_DOMAIN}`;

/** proxmox-human-byte HumanByte Display (binary units, up to 3 decimals): `178.337 MiB`, `0 B`. */
export function humanBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (unit < units.length - 1 && value >= 1024) {
    value /= 1024;
    unit += 1;
  }
  return `${Math.round(value * 1000) / 1000} ${units[unit]}`;
}

/** proxmox-time TimeSpan Display for whole seconds: `38s`, `1m 4s`, `0s`. */
export function humanDuration(seconds: number): string {
  let rest = Math.max(0, Math.round(seconds));
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest > 0 || parts.length === 0) parts.push(`${rest}s`);
  return parts.join(' ');
}

/** proxmox-notify's plain-text table: every column padded to its widest cell plus 4. */
export function plainTable(labels: string[], rows: string[][]): string {
  const widths = labels.map(
    (label, i) => Math.max(label.length, ...rows.map((row) => (row[i] ?? '').length)) + 4,
  );
  const line = (cells: string[]) => `${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('')}\n`;
  return line(labels) + rows.map(line).join('');
}

export interface VzdumpGuestOutcome {
  vmid: number;
  name: string;
  status: 'ok' | 'err';
  seconds: number;
  /** Bytes of the archive; 0 for a failed guest. */
  size: number;
  /** The archive's path; absent (printed `null`) for a failed guest. */
  filename?: string;
  /** The guest's log lines, each `<YYYY-MM-DD HH:MM:SS> INFO: …`. */
  log: string[];
}

export interface VzdumpRun {
  node: string;
  /** `job-id` of a scheduled job; absent for a manual or API vzdump. */
  jobId?: string;
  cmdline: string;
  guests: VzdumpGuestOutcome[];
  totalSeconds: number;
  /** Job-level errors (storage, options): one line goes into the title, several into the message. */
  jobErrors?: string[];
  timestamp: number;
}

/** PVE/VZDump.pm send_notification with templates/default/vzdump-{subject,body}.txt.hbs. */
export function vzdumpNotification(run: VzdumpRun): SimNotification {
  const errors = run.jobErrors ?? [];
  const failed = errors.length > 0 || run.guests.some((guest) => guest.status === 'err');
  let status = failed ? 'backup failed' : 'backup successful';
  let errorText = '';
  if (errors.length === 1) status = `backup failed: ${errors[0]}`;
  else if (errors.length > 1) {
    status = 'backup failed: multiple problems';
    errorText = `${errors.join('\n')}\n`;
  }
  const table = plainTable(
    ['VMID', 'Name', 'Status', 'Time', 'Size', 'Filename'],
    run.guests.map((guest) => [
      String(guest.vmid),
      guest.name,
      guest.status,
      humanDuration(guest.seconds),
      humanBytes(guest.size),
      guest.filename ?? 'null',
    ]),
  );
  const totalSize = run.guests.reduce((sum, guest) => sum + guest.size, 0);
  let logs = `${run.cmdline}\n\n\n`;
  for (const guest of run.guests) logs += `${guest.log.map((line) => `${guest.vmid}: ${line}\n`).join('')}\n`;
  const message =
    `${errorText}\nDetails\n=======\n${table}\n` +
    `Total running time: ${humanDuration(run.totalSeconds)}\nTotal size: ${humanBytes(totalSize)}\n\n` +
    `Logs\n====\n${logs}\n`;
  return {
    severity: failed ? 'error' : 'info',
    title: `vzdump backup status (${fqdn(run.node)}): ${status} `,
    message,
    fields: {
      type: 'vzdump',
      hostname: run.node,
      ...(run.jobId === undefined ? {} : { 'job-id': run.jobId }),
    },
    timestamp: run.timestamp,
    sender: run.node,
  };
}

/** Replication.pm _should_mail_at_failcount: the 1st, 2nd and 3rd failure, then 48, 96, 192, … */
export function notifiesAtFailCount(count: number): boolean {
  if (count <= 3) return count > 0;
  if (count % 48 !== 0) return false;
  const factor = count / 48;
  return (factor & (factor - 1)) === 0;
}

/** PVE/API2/Replication.pm _handle_job_err with templates/default/replication-*.txt.hbs. */
export function replicationNotification(job: {
  id: string;
  target: string;
  schedule: string;
  /** The guest's node, which runs the job and sends. */
  node: string;
  failCount: number;
  /** `YYYY-MM-DD HH:MM:SS` in the node's local time (1970-01-01 … for a job that never synced). */
  lastSync: string;
  error: string;
  timestamp: number;
}): SimNotification {
  const third =
    job.failCount === 3
      ? 'Note: The system  will now reduce the frequency of error reports, as the job\nappears to be stuck.\n'
      : '';
  return {
    severity: 'error',
    title: `Replication Job: '${job.id}' failed `,
    message:
      `Replication job '${job.id}' with target '${job.target}' and schedule '${job.schedule}' failed!\n\n` +
      `Last successful sync: ${job.lastSync}\n` +
      // The real template renders {{timestamp next-sync}} with next-sync no longer passed (pve-manager 8.4.0+).
      'Next sync try: ERROR\n' +
      `Failure count: ${job.failCount}\n\n${third}` +
      `Error:\n${job.error.endsWith('\n') ? job.error : `${job.error}\n`}\n`,
    fields: { type: 'replication', 'job-id': job.id, hostname: job.node },
    timestamp: job.timestamp,
    sender: job.node,
  };
}

export interface FencingState {
  /** The fenced node. */
  node: string;
  /** The CRM master, which sends. */
  master: string;
  cluster: string;
  /** `Try to fence node '<n>'` or `fencing: acknowledged - got agent lock for node '<n>'`. */
  success: boolean;
  /** `YYYY-MM-DD HH:MM:SS`. */
  time: string;
  nodes: Array<{ name: string; status: string }>;
  /** HA resources with their node and state. */
  resources: Array<{ sid: string; node: string; state: string }>;
  timestamp: number;
}

/** pve-ha-manager NodeStatus.pm $send_fence_state_email with src/templates/default/fencing-*.txt.hbs. */
export function fencingNotification(state: FencingState): SimNotification {
  const { node } = state;
  const status = state.success
    ? `fencing: acknowledged - got agent lock for node '${node}'`
    : `Try to fence node '${node}'`;
  const line = (r: FencingState['resources'][number]) => `  - ${r.sid} [${r.node}]: ${r.state}\n`;
  const message =
    `The node '${node}' in cluster '${state.cluster}' failed\nand needs manual intervention.\n\n` +
    (state.success
      ? `The PVE HA manager successfully fenced '${node}'.\n`
      : `The PVE HA manager will now fence '${node}'.\n`) +
    `Status:    ${status}\nTimestamp: ${state.time}\n\nCluster Node Status:\n--------------------\n` +
    state.nodes
      .map((n) => `  - ${n.name}: ${n.status} ${n.name === state.master ? '[master]' : ''}\n`)
      .join('') +
    '\nHA Resources:\n-------------\n' +
    'The following HA resources were running on the failed node and will be\nrecovered to a healthy node if possible:\n\n' +
    state.resources
      .filter((r) => r.node === node)
      .map(line)
      .join('') +
    '\nThe other HA resources in this cluster are:\n\n' +
    state.resources
      .filter((r) => r.node !== node)
      .map(line)
      .join('');
  return {
    severity: 'error',
    title: state.success ? `Successfully fenced node '${node}' ` : `Trying to fence node '${node}' `,
    message,
    fields: { type: 'fencing', hostname: node },
    timestamp: state.timestamp,
    sender: state.master,
  };
}

/** PVE/API2/APT.pm update_database (notify) with templates/default/package-updates-*.txt.hbs. */
export function packageUpdatesNotification(
  node: string,
  packages: Array<{ name: string; installed: string; available: string }>,
  timestamp: number,
): SimNotification {
  return {
    severity: 'info',
    title: `New software packages available (${fqdn(node)}) `,
    message: `The following updates are available:\n\n${plainTable(
      ['Package Name', 'Installed Version', 'Available Version'],
      packages.map((p) => [p.name, p.installed, p.available]),
    )}\n`,
    fields: { type: 'package-updates', hostname: node },
    timestamp,
    sender: node,
  };
}

/** proxmox-notify Notification::new_forwarded_mail: a mail to root, its subject and text as they are. */
export function systemMailNotification(
  node: string,
  subject: string,
  text: string,
  timestamp: number,
): SimNotification {
  return {
    severity: 'unknown',
    title: subject,
    message: text,
    fields: { type: 'system-mail', hostname: node },
    timestamp,
    sender: node,
  };
}
