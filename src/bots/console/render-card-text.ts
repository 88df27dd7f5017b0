// A Card as terminal text: a status mark, the title, fields, a text progress bar, log lines and the
// buttons as the words to type.
import type { Card, CardButton, CardStatus } from '../../core/message.js';
import { RUN_COMMAND_ACTION } from '../../core/render-job-event.js';

const MARK: Record<CardStatus, string> = {
  info: 'ℹ',
  pending: '⏳',
  running: '▶',
  succeeded: '✅',
  failed: '❌',
  denied: '⛔',
  cancelled: '⏹',
  expired: '⌛',
  warning: '⚠',
};

export function progressBar(percent: number, width = 20): string {
  const filled = Math.round((Math.max(0, Math.min(100, percent)) / 100) * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${percent.toFixed(0)}%`;
}

export function renderCardText(card: Card): string {
  const lines = [`${MARK[card.status]} ${card.title}`];
  if (card.text) lines.push(...card.text.split('\n').map((line) => `   ${line}`));
  for (const field of card.fields ?? []) lines.push(`   ${field.label}: ${field.value}`);
  if (card.progress) {
    const bar = card.progress.percent === undefined ? '' : ` ${progressBar(card.progress.percent)}`;
    lines.push(`   ${card.progress.phase}${bar}`);
  }
  for (const line of card.logLines ?? []) lines.push(`   │ ${line}`);
  const buttons = renderButtons(card);
  if (buttons) lines.push(buttons);
  if (card.footer) lines.push(`   ${card.footer}`);
  return lines.join('\n');
}

/**
 * What to type for a button: its label and value (`approve k3x9q2ab`); for a command a result
 * offers (Roll back), the command itself (`/pve rollback 100 before-upgrade`), which runs as
 * pressing it would.
 */
function typedFor(button: CardButton): string {
  if (button.action === RUN_COMMAND_ACTION) return `/pve ${button.value}`;
  // "Snooze 4h" is one word to type: the duration is the button's, not a value.
  if (button.action === 'snooze-alert') return `snooze ${button.value}`;
  return `${button.label.toLowerCase()} ${button.value}`;
}

/** The buttons as the words to type, or undefined when there are none. */
export function renderButtons(card: Card): string | undefined {
  if (!card.buttons || card.buttons.length === 0) return undefined;
  return `   buttons: ${card.buttons.map((b) => `[${b.label}] → type \`${typedFor(b)}\``).join('  ')}`;
}

/** A running job in one or two lines: a terminal cannot edit the previous progress in place. */
export function renderProgressLine(card: Card): string {
  const percent = card.progress?.percent;
  const bar = percent === undefined ? '' : ` ${progressBar(percent)}`;
  const last = card.logLines?.at(-1);
  return `${MARK[card.status]} ${card.title}: ${card.progress?.phase ?? ''}${bar}${last ? `\n   │ ${last}` : ''}`;
}
