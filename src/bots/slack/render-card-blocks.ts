// A Card as Block Kit: a section with the status mark, the title and the text; the fields; a text
// progress bar; the newest log lines in a code block; the buttons; the footer as a context block.
// Every message also carries a plain `text` fallback (notifications, screen readers).
import type { types } from '@slack/bolt';
import type { Card } from '../../core/message.js';
import { LOG_LINES_SHOWN, progressBar, STATUS_MARK, truncate } from '../card-marks.js';
import { escapeMrkdwn } from './escape-mrkdwn.js';

// Block Kit limits: section text 3000 characters, a field 2000, 10 fields per section.
const SECTION_TEXT_MAX = 3000;
const FIELD_TEXT_MAX = 2000;
const FIELDS_PER_SECTION = 10;
const BUTTON_LABEL_MAX = 75;

export interface SlackMessageBody {
  text: string;
  blocks: types.KnownBlock[];
}

function progressLine(progress: NonNullable<Card['progress']>): string {
  const bar = progress.percent === undefined ? '' : ` ${progressBar(progress.percent)}`;
  return `${escapeMrkdwn(progress.phase)}${bar}`;
}

function logBlock(lines: string[]): string {
  // Three backticks inside a line would end the code block early.
  const body = lines.map((line) => escapeMrkdwn(line).replace(/```/g, '`\u200b``')).join('\n');
  return `\`\`\`\n${body}\n\`\`\``;
}

export function renderCardBlocks(card: Card): SlackMessageBody {
  const mark = STATUS_MARK[card.status];
  const title = `${mark} *${escapeMrkdwn(card.title)}*`;
  const blocks: types.KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: truncate(card.text ? `${title}\n${escapeMrkdwn(card.text)}` : title, SECTION_TEXT_MAX),
      },
    },
  ];
  const fields = card.fields ?? [];
  for (let i = 0; i < fields.length; i += FIELDS_PER_SECTION) {
    blocks.push({
      type: 'section',
      fields: fields.slice(i, i + FIELDS_PER_SECTION).map((field) => ({
        type: 'mrkdwn' as const,
        text: truncate(`*${escapeMrkdwn(field.label)}*\n${escapeMrkdwn(field.value)}`, FIELD_TEXT_MAX),
      })),
    });
  }
  if (card.progress) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: progressLine(card.progress) } });
  }
  const logLines = (card.logLines ?? []).slice(-LOG_LINES_SHOWN);
  if (logLines.length > 0) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: truncate(logBlock(logLines), SECTION_TEXT_MAX) },
    });
  }
  if (card.buttons && card.buttons.length > 0) {
    blocks.push({
      type: 'actions',
      elements: card.buttons.map((button, index) => ({
        type: 'button' as const,
        action_id: uniqueActionId(card.buttons ?? [], index),
        value: button.value,
        text: { type: 'plain_text' as const, text: truncate(button.label, BUTTON_LABEL_MAX), emoji: true },
        ...(button.style ? { style: button.style } : {}),
      })),
    });
  }
  if (card.footer) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: escapeMrkdwn(card.footer) }] });
  }
  return { text: renderCardFallback(card), blocks };
}

/** The notification and accessibility text: the status, the title and the one most useful line. */
export function renderCardFallback(card: Card): string {
  const parts = [`${STATUS_MARK[card.status]} ${card.title}`];
  if (card.text) parts.push(card.text);
  if (card.progress) {
    const percent = card.progress.percent === undefined ? '' : ` ${card.progress.percent.toFixed(0)}%`;
    parts.push(`${card.progress.phase}${percent}`);
  }
  const error = card.fields?.find((field) => field.label === 'Error');
  if (error) parts.push(`Error: ${error.value}`);
  return truncate(escapeMrkdwn(parts.join(' · ')), SECTION_TEXT_MAX);
}

/**
 * Slack refuses a block whose buttons share an action_id, and a result may offer several of one
 * action (the safety net's "Roll back" per guest): the second and later get `#<n>` after it, which
 * actionOfActionId() takes off again when the press comes back.
 */
function uniqueActionId(buttons: readonly { action: string }[], index: number): string {
  const action = buttons[index]?.action ?? '';
  const earlier = buttons.slice(0, index).filter((b) => b.action === action).length;
  return earlier === 0 ? action : `${action}#${earlier}`;
}

/** The card action a pressed button's action_id stands for (see uniqueActionId). */
export function actionOfActionId(actionId: string): string {
  return actionId.replace(/#\d+$/, '');
}
