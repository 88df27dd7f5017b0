// The message a `/pve` command starts its thread with: who asked and what they typed. Once a result
// arrives it is redrawn with the result's mark, so the channel shows each request's outcome
// without opening the thread. What was typed is quoted (one line, no invisible characters, short)
// and escaped: it shows what runs, never a pasted wall of text or a fake second message.
import type { CardStatus } from '../../core/message.js';
import { quoteCommandText } from '../../core/quote-command-text.js';
import { STATUS_MARK } from '../card-marks.js';
import { escapeCodeSpan } from './escape-mrkdwn.js';
import type { SlackMessageBody } from './render-card-blocks.js';

export function renderRequestMessage(userId: string, command: string, status?: CardStatus): SlackMessageBody {
  const quoted = quoteCommandText(command);
  const typed = `\`/pve${quoted ? ` ${escapeCodeSpan(quoted)}` : ''}\``;
  // The user id comes from Slack's own payload, never from what the user typed.
  const who = `<@${userId.replace(/[^A-Za-z0-9]/g, '')}>`;
  const text = status ? `${STATUS_MARK[status]} ${who} ran ${typed}: ${status}` : `${who} ran ${typed}`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
