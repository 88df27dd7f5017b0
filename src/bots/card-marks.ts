// What every chat platform draws the same way: the mark of each card status, the text progress
// bar, how many log lines a card shows, and how text is cut to a platform's limit.
import type { CardStatus } from '../core/message.js';

export const STATUS_MARK: Record<CardStatus, string> = {
  info: 'ℹ️',
  pending: '⏳',
  running: '🔄',
  succeeded: '✅',
  failed: '❌',
  denied: '⛔',
  cancelled: '⏹️',
  expired: '⌛',
  warning: '⚠️',
};

/** Log lines shown on a card: chat messages are for glancing, the full log is in PVE. */
export const LOG_LINES_SHOWN = 6;

export function progressBar(percent: number, width = 10): string {
  const clamped = Math.max(0, Math.min(100, percent));
  const filled = Math.round((clamped / 100) * width);
  return `${'▰'.repeat(filled)}${'▱'.repeat(width - filled)} ${clamped.toFixed(0)}%`;
}

/** At most `max` characters, an ellipsis marking the cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
