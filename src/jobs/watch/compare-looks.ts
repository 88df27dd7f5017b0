// One look compared with the previous one: the alerts to publish and what to remember. Pure, so
// every rule of "one card per incident, never a storm" is tested without a cluster.
import type { WatchSettings } from '../../config/read-watch-config.js';
import type { AlertInput } from '../alerts/alert.js';
import type { ClusterLook } from './cluster-look.js';
import { failedTaskAlerts, findFailedTasks, type TaskFilter } from './failed-tasks.js';
import { findRecoveries, haPlacement, recoveryAlert } from './ha-recoveries.js';
import { nodeChecks, quorumCheck, storageChecks } from './incident-checks.js';
import { trackIncidents } from './incidents.js';
import type { WatchMemory } from './watch-memory.js';

export interface LookOutcome {
  alerts: AlertInput[];
  memory: WatchMemory;
  /** What the look saw, for the job's result (never posted: the alerts are the posts). */
  notes: string[];
}

export function compareLooks(
  before: WatchMemory | undefined,
  look: ClusterLook,
  settings: WatchSettings & Pick<TaskFilter, 'ownUser'>,
): LookOutcome {
  const notes: string[] = [];
  const remembered = before?.incidents ?? {};
  const { incidents, alerts } = trackIncidents(
    remembered,
    [
      ...nodeChecks(look, remembered),
      ...quorumCheck(look),
      ...storageChecks(look, settings.storagePercent, remembered),
    ],
    look.at,
    before?.at,
  );

  let ha = haPlacement(look);
  if ('error' in look.ha) {
    notes.push(`HA status not read: ${look.ha.error}`);
    // Kept: the next look compares with the last placement known.
    ha = before?.ha;
  } else if (before?.ha) {
    const recovery = recoveryAlert(findRecoveries(look, before.ha), before.at, look.at);
    if (recovery) alerts.push(recovery);
  }

  let tasks: WatchMemory['tasks'];
  if (Array.isArray(look.tasks)) {
    const found = findFailedTasks(look.tasks, before?.tasks, before?.at, settings);
    tasks = found.memory;
    alerts.push(...failedTaskAlerts(found.failed, look));
  } else {
    notes.push(`task list not read: ${look.tasks.error}`);
    tasks = before?.tasks;
  }

  return {
    alerts,
    memory: {
      v: 1,
      at: look.at,
      incidents,
      ...(ha ? { ha } : {}),
      ...(tasks ? { tasks } : {}),
    },
    notes,
  };
}
