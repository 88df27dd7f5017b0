// Storages above 80 % (95 %: critical). /cluster/resources lists a shared storage once per
// node; it is one pool, so it is counted once (the fullest report of it, from a node that has it).
import type { DigestContext, DigestFinding } from './digest-finding.js';
import { bytes, percent } from './digest-format.js';
import type { DigestStorage } from './digest-input.js';

const WARN = 0.8;
const CRITICAL = 0.95;

export function checkStorage(ctx: DigestContext): DigestFinding[] {
  const findings: Array<DigestFinding & { fraction: number }> = [];
  for (const storage of distinctStorages(ctx.input.storages)) {
    const fraction = (storage.used ?? 0) / (storage.total ?? 1);
    if (fraction < WARN) continue;
    const where = storage.shared ? `${storage.storage} (shared)` : `${storage.storage} on ${storage.node}`;
    const critical = fraction >= CRITICAL;
    findings.push({
      section: 'storage',
      severity: critical ? 'critical' : 'warning',
      text:
        `${where}: ${percent(fraction)} used (${bytes(storage.used ?? 0)} of ${bytes(storage.total ?? 0)})` +
        (critical ? ' — guests writing to it will stall or fail once it is full' : ''),
      problem: `${storage.shared ? storage.storage : `${storage.storage} on ${storage.node}`} ${percent(fraction)}`,
      fraction,
    });
  }
  return findings
    .sort((a, b) => b.fraction - a.fraction)
    .map(({ fraction: _fraction, ...finding }) => finding);
}

/** Available storages with a size; shared ones once. */
function distinctStorages(storages: DigestStorage[]): DigestStorage[] {
  const shared = new Map<string, DigestStorage>();
  const out: DigestStorage[] = [];
  for (const storage of storages) {
    if (storage.status !== undefined && storage.status !== 'available') continue;
    if (!storage.total || storage.used === undefined) continue;
    if (!storage.shared) {
      out.push(storage);
      continue;
    }
    const seen = shared.get(storage.storage);
    if (!seen || (seen.used ?? 0) / (seen.total ?? 1) < storage.used / storage.total)
      shared.set(storage.storage, storage);
  }
  return [...out, ...shared.values()];
}
