// HA: services the CRM gave up on (`error`), and a CRM master that stopped working. The HA
// status could not be read: said once, without it the digest cannot vouch for HA.
import type { DigestContext, DigestFinding } from './digest-finding.js';
import { code, guestLabel } from './digest-format.js';

/** The CRM master's status words that mean it is not doing its job (pve-ha-manager src/PVE/API2/HA/Status.pm: the master's words in `status`). */
const MASTER_TROUBLE = /old timestamp - dead\?|detected time drift/;

export function checkHa(ctx: DigestContext): DigestFinding[] {
  const { ha, readErrors } = ctx.input;
  if (!ha) {
    if (!readErrors.ha) return [];
    return [
      {
        section: 'ha',
        severity: 'warning',
        text: `HA status not read: ${code(readErrors.ha.message)}`,
        problem: 'HA status not read',
      },
    ];
  }
  const findings: DigestFinding[] = [];
  for (const service of ha.services) {
    if (service.state !== 'error') continue;
    const vmid = Number(/^(?:vm|ct):(\d+)$/.exec(service.sid)?.[1]);
    const guest = Number.isFinite(vmid) ? ctx.guest(vmid) : undefined;
    const label = guest?.name ? `${guest.name} (${service.sid})` : service.sid;
    findings.push({
      section: 'ha',
      severity: 'critical',
      text:
        `${label}${service.node ? ` on ${service.node}` : ''}: HA error state — HA gave up starting it. ` +
        `Fix the cause, then ${code(`ha-manager set ${service.sid} --state disabled`)} and set it back to ${code('started')}`,
      problem: `HA error: ${guest ? guestLabel(guest) : service.sid}`,
    });
  }
  const master = ha.master;
  if (ha.services.length > 0 && master?.status && MASTER_TROUBLE.test(master.status)) {
    findings.push({
      section: 'ha',
      severity: 'warning',
      text: `HA manager: ${code(master.status)} — no CRM is acting on the HA services`,
      problem: 'HA manager not active',
    });
  }
  return findings;
}
