// Which storage a backup goes to when the command names none: one with the content type `backup`
// that every node holding a target guest can use (vzdump runs on each guest's own node and writes
// there). A shared Proxmox Backup Server first (deduplicated, off the nodes), then any other shared
// storage, then a local one every node has (each node's own `local`); by name within each.
import type { ClusterSnapshot } from '../../proxmox/read-cluster-snapshot.js';
import type { StorageResource } from '../../proxmox/schemas/cluster-schemas.js';

export interface BackupStorageCandidate {
  storage: string;
  shared: boolean;
  plugintype?: string;
  /** The nodes on which it is available. */
  nodes: string[];
}

export type BackupStorageChoice = { ok: true; storage: string; why: string } | { ok: false; message: string };

/** Every storage with backup content, with the nodes where it is available. */
export function backupStorageCandidates(snapshot: ClusterSnapshot): BackupStorageCandidate[] {
  const byName = new Map<string, BackupStorageCandidate>();
  for (const r of snapshot.resources) {
    if (r.type !== 'storage') continue;
    const s = r as StorageResource;
    if (!(s.content ?? '').split(',').includes('backup')) continue;
    const own = byName.get(s.storage) ?? {
      storage: s.storage,
      shared: s.shared === true,
      ...(s.plugintype === undefined ? {} : { plugintype: s.plugintype }),
      nodes: [],
    };
    if (s.status === 'available') own.nodes.push(s.node);
    byName.set(s.storage, own);
  }
  return [...byName.values()]
    .map((c) => ({ ...c, nodes: c.nodes.sort() }))
    .sort((a, b) => rank(a) - rank(b) || a.storage.localeCompare(b.storage));
}

function rank(c: BackupStorageCandidate): number {
  if (c.shared && c.plugintype === 'pbs') return 0;
  return c.shared ? 1 : 2;
}

function kindOf(c: BackupStorageCandidate): string {
  if (c.plugintype === 'pbs') return `${c.shared ? 'shared ' : ''}Proxmox Backup Server`;
  return `${c.shared ? 'shared' : 'local'}${c.plugintype ? ` ${c.plugintype}` : ''} storage`;
}

function describe(c: BackupStorageCandidate): string {
  return `${c.storage} (${kindOf(c)}, ${c.nodes.length === 0 ? 'available on no node' : `on ${c.nodes.join(', ')}`})`;
}

export function chooseBackupStorage(
  snapshot: ClusterSnapshot,
  nodes: readonly string[],
  wanted: string | undefined,
): BackupStorageChoice {
  const candidates = backupStorageCandidates(snapshot);
  const fits = (c: BackupStorageCandidate) => nodes.every((n) => c.nodes.includes(n));
  const where = nodes.length === 1 ? nodes[0] : nodes.join(' and ');
  const list =
    candidates.length === 0
      ? 'the cluster has no storage with the content type backup'
      : `storages for backups: ${candidates.map(describe).join('; ')}`;
  if (wanted !== undefined) {
    const named = candidates.find((c) => c.storage === wanted);
    if (!named) {
      const exists = snapshot.resources.some(
        (r) => r.type === 'storage' && (r as StorageResource).storage === wanted,
      );
      return {
        ok: false,
        message: `${exists ? `Storage ${wanted} does not take backups (its content types do not include backup)` : `No storage named ${wanted} in the cluster`}; ${list}.`,
      };
    }
    if (!fits(named)) {
      const missing = nodes.filter((n) => !named.nodes.includes(n));
      return {
        ok: false,
        message: `Storage ${wanted} is not available on ${missing.join(', ')}, where ${missing.length === 1 ? 'a guest lives' : 'guests live'}; ${list}.`,
      };
    }
    return { ok: true, storage: named.storage, why: kindOf(named) };
  }
  const chosen = candidates.find(fits);
  if (!chosen)
    return {
      ok: false,
      message: `No storage for backups is available on ${where}; ${list}. Name one with --storage, or back up the guests of each node separately.`,
    };
  return { ok: true, storage: chosen.storage, why: `chosen: ${kindOf(chosen)}` };
}
