// Which guests moved recently, for the cooldown: every migration PVE's cluster task list still
// shows (ours, other people's, the HA stack's), plus the moves balance jobs made, remembered in
// Redis because PVE's task list is short-lived on a busy cluster.
import { z } from 'zod';
import type { ClusterTask } from '../../proxmox/schemas/cluster-schemas.js';
import type { KindState } from '../kind-state.js';

const MIGRATION_TASKS = new Set(['qmigrate', 'vzmigrate', 'hamigrate', 'harelocate']);
const STATE_KEY = 'recent-moves';
const recordSchema = z.record(z.string(), z.number());

/** vmid → epoch ms of the migration's end (its start while it runs). */
export function migrationsFromTasks(tasks: ClusterTask[]): Map<number, number> {
  const moves = new Map<number, number>();
  for (const task of tasks) {
    if (!MIGRATION_TASKS.has(task.type) || !task.id || !/^\d+$/.test(task.id)) continue;
    const at = (task.endtime ?? task.starttime ?? 0) * 1000;
    const vmid = Number(task.id);
    moves.set(vmid, Math.max(moves.get(vmid) ?? 0, at));
  }
  return moves;
}

export async function recordedMoves(state: KindState): Promise<Map<number, number>> {
  const parsed = recordSchema.safeParse(await state.get(STATE_KEY));
  return new Map(parsed.success ? Object.entries(parsed.data).map(([k, v]) => [Number(k), v]) : []);
}

/** Remembers a finished move; entries older than a week are dropped (no cooldown is longer). */
export async function recordMove(state: KindState, vmid: number, at: number): Promise<void> {
  const moves = await recordedMoves(state);
  moves.set(vmid, at);
  const week = 7 * 24 * 3_600_000;
  const kept = Object.fromEntries([...moves].filter(([, when]) => at - when < week));
  await state.set(STATE_KEY, kept, week / 1000);
}

export function latestOf(...sources: Map<number, number>[]): Map<number, number> {
  const merged = new Map<number, number>();
  for (const source of sources)
    for (const [vmid, at] of source) merged.set(vmid, Math.max(merged.get(vmid) ?? 0, at));
  return merged;
}
