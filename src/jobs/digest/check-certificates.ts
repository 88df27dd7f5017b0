// Certificates that expire within 30 days, or have expired. The cluster CA is the same file on
// every node (/etc/pve/pve-root-ca.pem): reported once.
import type { DigestContext, DigestFinding } from './digest-finding.js';
import { code, day, duration, plural } from './digest-format.js';
import type { DigestCertificate } from './digest-input.js';

const WARN_DAYS = 30;
const CA_FILE = 'pve-root-ca.pem';

/** How each file is renewed (pve-docs certificate-management). */
const RENEW: Record<string, string> = {
  'pve-ssl.pem': `renew it with ${code('pvecm updatecerts --force')} on the node`,
  'pveproxy-ssl.pem': `renew it (ACME: ${code('pvenode acme cert renew')}), or upload a new one`,
};

export function checkCertificates(ctx: DigestContext): DigestFinding[] {
  const findings: DigestFinding[] = [];
  const seenCa = new Set<string>();
  for (const node of ctx.input.nodes) {
    for (const certificate of node.details?.certificates ?? []) {
      if (certificate.notafter === undefined) continue;
      const file = certificate.filename ?? certificate.subject ?? 'certificate';
      if (file === CA_FILE) {
        const key = certificate.fingerprint ?? String(certificate.notafter);
        if (seenCa.has(key)) continue;
        seenCa.add(key);
      }
      const finding = expiry(ctx, node.node, file, certificate);
      if (finding) findings.push(finding);
    }
  }
  return findings;
}

function expiry(
  ctx: DigestContext,
  node: string,
  file: string,
  certificate: DigestCertificate,
): DigestFinding | undefined {
  const notAfter = (certificate.notafter ?? 0) * 1000;
  const left = (notAfter - ctx.now) / 1000;
  const where = file === CA_FILE ? `Cluster CA ${code(file)}` : `${node}: ${code(file)}`;
  const renew = RENEW[file] ? ` — ${RENEW[file]}` : '';
  if (left <= 0) {
    return {
      section: 'certificates',
      severity: 'critical',
      text: `${where} expired ${duration(-left)} ago (${day(notAfter)}): clients that check it refuse the node${renew}`,
      problem: file === CA_FILE ? 'cluster CA expired' : `certificate expired on ${node}`,
    };
  }
  if (left >= WARN_DAYS * 86_400) return undefined;
  const days = Math.ceil(left / 86_400);
  const inDays = left < 86_400 ? `in ${duration(left)}` : `in ${plural(days, 'day')}`;
  return {
    section: 'certificates',
    severity: 'warning',
    text: `${where} expires ${inDays} (${day(notAfter)})${renew}`,
    problem: file === CA_FILE ? `cluster CA expires ${inDays}` : `certificate on ${node} expires ${inDays}`,
  };
}
