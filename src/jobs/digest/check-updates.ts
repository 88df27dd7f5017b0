// Updates: a node that runs an older kernel than the newest it has installed needs a reboot now
// (a warning); pending updates are routine (one info line), with the kernel among them saying a
// reboot will follow the upgrade.
import { compareKernels, kernelReleaseOf } from '../upgrade/node-updates.js';
import type { DigestContext, DigestFinding } from './digest-finding.js';
import { code, listNames } from './digest-format.js';

/** Past this many nodes, pending updates are summed up rather than listed per node. */
const NODES_LISTED = 6;

export function checkUpdates(ctx: DigestContext): DigestFinding[] {
  const online = ctx.input.nodes.filter((n) => n.online && n.details);
  const findings: DigestFinding[] = [];

  // Nodes waiting for a reboot, grouped by the same running → installed pair.
  const reboots = new Map<string, string[]>();
  for (const node of online) {
    const kernels = node.details?.kernels;
    const newest = kernels?.installed[0];
    if (!kernels?.running || !newest || compareKernels(newest, kernels.running) >= 0) continue;
    const key = `${kernels.running}\n${newest}`;
    reboots.set(key, [...(reboots.get(key) ?? []), node.node]);
  }
  for (const [key, nodes] of reboots) {
    const [running = '', newest = ''] = key.split('\n');
    findings.push({
      section: 'updates',
      severity: 'warning',
      text: `${listNames(nodes)}: running kernel ${code(running)}, ${code(newest)} is installed — reboot to run it`,
      problem: nodes.length === 1 ? `${nodes[0]} needs a reboot` : `${nodes.length} nodes need a reboot`,
    });
  }

  const pending = online
    .map((n) => ({ node: n.node, packages: n.details?.pendingUpdates ?? [] }))
    .filter((n) => n.packages.length > 0);
  if (pending.length === 0) return findings;
  const counts = pending.map((n) => n.packages.length);
  const where =
    pending.length <= NODES_LISTED
      ? pending.map((n) => `${n.node} ${n.packages.length}`).join(', ')
      : `${pending.length} nodes, ${Math.min(...counts)}–${Math.max(...counts)} packages each`;
  const extras: string[] = [];
  const kernels = pending.flatMap((n) => n.packages.flatMap((p) => kernelReleaseOf(p.name) ?? []));
  const newestKernel = [...new Set(kernels)].sort(compareKernels)[0];
  if (newestKernel) extras.push(`kernel ${code(newestKernel)} (reboot after upgrading)`);
  const manager = pending
    .flatMap((n) => n.packages.filter((p) => p.name === 'pve-manager').map((p) => p.to))
    // Newest first by the numbers, the way kernel releases compare.
    .sort(compareKernels)[0];
  if (manager) extras.push(`pve-manager ${manager}`);
  findings.push({
    section: 'updates',
    severity: 'info',
    text: `Updates pending: ${where}${extras.length > 0 ? ` — incl. ${extras.join(', ')}` : ''}`,
  });
  return findings;
}
