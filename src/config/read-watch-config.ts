// ALERT_TASK_TYPES, ALERT_TASK_IGNORE and ALERT_STORAGE_PERCENT: what the cluster watch (the
// `cluster-watch` kind, every 30 s) reports beyond nodes, quorum and HA recoveries. The settings
// travel in each scheduled watch job's payload, like the digest's, so the worker that runs it
// needs none of them.
import { z } from 'zod';
import { list, type Problem } from './environment.js';

/** A PVE task type as a UPID names it: `qmstart`, `vzdump`, `aptupdate`, `cephcreateosd`. */
const taskType = z.string().regex(/^[a-z][a-z0-9_-]*$/);

/**
 * The consoles: a noVNC or xterm.js window closed before it connected ends its task in an error
 * (`failed waiting for client`), which says nothing about the cluster. `vzdump`: a failed backup
 * is PVE's own notification (`notify:setup` routes it to the alert channels, with Retry).
 */
export const DEFAULT_ALERT_TASK_IGNORE = ['vncproxy', 'vncshell', 'spiceproxy', 'termproxy', 'vzdump'];
export const DEFAULT_ALERT_STORAGE_PERCENT = 90;
export const ALERT_STORAGE_PERCENT_MIN = 50;
export const ALERT_STORAGE_PERCENT_MAX = 99;

const storagePercentSchema = z.number().int().min(ALERT_STORAGE_PERCENT_MIN).max(ALERT_STORAGE_PERCENT_MAX);

export const watchSettingsSchema = z.object({
  /** Only failed tasks of these types are reported; empty: every type. */
  taskTypes: z.array(taskType).default([]),
  /** Failed tasks of these types are never reported (even when taskTypes names them). */
  taskIgnore: z.array(taskType).default(DEFAULT_ALERT_TASK_IGNORE),
  /** A storage fuller than this (%) opens an alert, closed when it is back 5 points under. */
  storagePercent: storagePercentSchema.default(DEFAULT_ALERT_STORAGE_PERCENT),
});
export type WatchSettings = z.output<typeof watchSettingsSchema>;

export const DEFAULT_WATCH_SETTINGS: WatchSettings = watchSettingsSchema.parse({});

function readTaskTypes(variable: 'ALERT_TASK_TYPES' | 'ALERT_TASK_IGNORE', value: string, problem: Problem) {
  const types = list(value);
  const wrong = types.filter((type) => !taskType.safeParse(type).success);
  if (wrong.length > 0) {
    problem(
      variable,
      `must be PVE task types separated by commas, e.g. qmstart,vzdump,aptupdate (not: ${wrong.join(', ')})`,
    );
    return undefined;
  }
  return types;
}

/** The variables read (a part of the Environment). */
export interface WatchEnvironment {
  ALERT_TASK_TYPES?: string | undefined;
  ALERT_TASK_IGNORE?: string | undefined;
  ALERT_STORAGE_PERCENT?: string | undefined;
}

export function readWatchSettings(env: WatchEnvironment, problem: Problem): WatchSettings {
  const settings = { ...DEFAULT_WATCH_SETTINGS };
  // Unset or `all`: every type.
  if (env.ALERT_TASK_TYPES !== undefined && env.ALERT_TASK_TYPES.toLowerCase() !== 'all') {
    settings.taskTypes = readTaskTypes('ALERT_TASK_TYPES', env.ALERT_TASK_TYPES, problem) ?? [];
  }
  // Set but empty is already undefined (optionalText); `none` ignores nothing.
  if (env.ALERT_TASK_IGNORE !== undefined) {
    settings.taskIgnore =
      env.ALERT_TASK_IGNORE.toLowerCase() === 'none'
        ? []
        : (readTaskTypes('ALERT_TASK_IGNORE', env.ALERT_TASK_IGNORE, problem) ?? DEFAULT_ALERT_TASK_IGNORE);
  }
  if (env.ALERT_STORAGE_PERCENT !== undefined) {
    const parsed = z
      .string()
      .regex(/^\d+$/)
      .transform(Number)
      .pipe(storagePercentSchema)
      .safeParse(env.ALERT_STORAGE_PERCENT);
    if (parsed.success) settings.storagePercent = parsed.data;
    else
      problem(
        'ALERT_STORAGE_PERCENT',
        `must be a whole percentage from ${ALERT_STORAGE_PERCENT_MIN} to ${ALERT_STORAGE_PERCENT_MAX}, e.g. 90 (got '${env.ALERT_STORAGE_PERCENT}')`,
      );
  }
  return settings;
}
