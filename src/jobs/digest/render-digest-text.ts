// The digest's message body (the headline goes separately, as the message's summary): each
// section's title, then its lines marked by severity. Markdown-light: `code` only, which Slack,
// Discord and a terminal all show well.
import type { DigestReport, DigestSeverity } from './digest-report.js';

const MARK: Record<DigestSeverity, string> = { critical: '🔴', warning: '🟠', info: '•' };

export function renderDigestText(report: DigestReport): string {
  return report.sections
    .map((section) =>
      [section.title, ...section.lines.map((line) => `${MARK[line.severity]} ${line.text}`)].join('\n'),
    )
    .join('\n\n');
}
