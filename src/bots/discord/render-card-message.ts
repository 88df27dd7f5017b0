// A Card as a Discord message: an embed coloured by status (title with its mark, text, progress
// bar, the newest log lines in a code block, fields, footer) and the buttons in one action row.
// Every body names `components`, empty when there are no buttons, so an edit removes old ones.
// Discord's limits (embed title 256, description 4096, field 256/1024, 25 fields, label 80) are
// kept here, so an edit is never refused for its size.
import {
  type APIActionRowComponent,
  type APIButtonComponentWithCustomId,
  type APIComponentInMessageActionRow,
  type APIEmbed,
  ButtonStyle,
  ComponentType,
  escapeMarkdown,
} from 'discord.js';
import type { Card, CardButton, CardStatus } from '../../core/message.js';
import { LOG_LINES_SHOWN, progressBar, STATUS_MARK, truncate } from '../card-marks.js';
import { buttonCustomId } from './button-custom-id.js';

export interface DiscordMessageBody {
  content?: string;
  embeds: APIEmbed[];
  components: APIActionRowComponent<APIComponentInMessageActionRow>[];
}

const COLOR: Record<CardStatus, number> = {
  info: 0x5865f2,
  pending: 0xfee75c,
  running: 0x3498db,
  succeeded: 0x57f287,
  failed: 0xed4245,
  denied: 0xed4245,
  cancelled: 0x99aab5,
  expired: 0x99aab5,
  warning: 0xe67e22,
};

const TITLE_MAX = 256;
const DESCRIPTION_MAX = 4096;
const FIELD_NAME_MAX = 256;
const FIELD_VALUE_MAX = 1024;
const FIELDS_MAX = 25;
const FOOTER_MAX = 2048;
const LABEL_MAX = 80;
const BUTTONS_PER_ROW = 5;

const STYLE: Record<NonNullable<CardButton['style']> | 'default', APIButtonComponentWithCustomId['style']> = {
  primary: ButtonStyle.Success,
  danger: ButtonStyle.Danger,
  default: ButtonStyle.Secondary,
};

/** Text with `code spans` kept as code and everything else shown literally (no stray markdown). */
export function escapeText(text: string): string {
  return text
    .split(/(`[^`\n]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : escapeMarkdown(part)))
    .join('');
}

function logBlock(lines: string[]): string {
  // Three backticks inside a line would end the code block early.
  return `\`\`\`\n${lines.map((line) => line.replace(/```/g, '`\u200b``')).join('\n')}\n\`\`\``;
}

function description(card: Card): string | undefined {
  const parts: string[] = [];
  if (card.text) parts.push(escapeText(card.text));
  if (card.progress) {
    const bar = card.progress.percent === undefined ? '' : ` ${progressBar(card.progress.percent)}`;
    parts.push(`${escapeText(card.progress.phase)}${bar}`);
  }
  const log = (card.logLines ?? []).slice(-LOG_LINES_SHOWN);
  // The log goes last and is what gets cut, from its start, so the newest lines stay.
  const head = parts.join('\n');
  if (log.length === 0) return head === '' ? undefined : truncate(head, DESCRIPTION_MAX);
  let block = logBlock(log);
  const room = DESCRIPTION_MAX - head.length - 1;
  while (block.length > room && log.length > 1) {
    log.shift();
    block = logBlock(log);
  }
  return truncate(head === '' ? block : `${head}\n${block}`, DESCRIPTION_MAX);
}

export function renderCardEmbed(card: Card): APIEmbed {
  const text = description(card);
  const fields = (card.fields ?? []).slice(0, FIELDS_MAX).map((field) => ({
    name: truncate(field.label, FIELD_NAME_MAX),
    value: truncate(escapeText(field.value) || '—', FIELD_VALUE_MAX),
    inline: field.value.length <= 40,
  }));
  return {
    title: truncate(`${STATUS_MARK[card.status]} ${card.title}`, TITLE_MAX),
    color: COLOR[card.status],
    ...(text ? { description: text } : {}),
    ...(fields.length > 0 ? { fields } : {}),
    ...(card.footer ? { footer: { text: truncate(card.footer, FOOTER_MAX) } } : {}),
  };
}

export function renderCardButtons(card: Card): APIActionRowComponent<APIComponentInMessageActionRow>[] {
  const buttons: APIButtonComponentWithCustomId[] = (card.buttons ?? []).map((button) => ({
    type: ComponentType.Button,
    style: STYLE[button.style ?? 'default'],
    label: truncate(button.label, LABEL_MAX),
    custom_id: buttonCustomId(button.action, button.value),
  }));
  const rows: APIActionRowComponent<APIComponentInMessageActionRow>[] = [];
  for (let i = 0; i < buttons.length; i += BUTTONS_PER_ROW) {
    rows.push({ type: ComponentType.ActionRow, components: buttons.slice(i, i + BUTTONS_PER_ROW) });
  }
  return rows;
}

export function renderCardMessage(card: Card): DiscordMessageBody {
  return { embeds: [renderCardEmbed(card)], components: renderCardButtons(card) };
}

/**
 * The request message's first line: who ran what, and once a result is in, its mark. The user id
 * comes from Discord's payload, never from typed text; the mention renders but never pings
 * (every message is sent with `allowed_mentions: { parse: [] }`).
 */
export function renderRequestLine(userId: string, command: string, status?: CardStatus): string {
  const who = `<@${userId.replace(/\D/g, '')}>`;
  const typed = `\`/pve${command.trim() ? ` ${command.trim().replace(/`/g, "'")}` : ''}\``;
  return status ? `${STATUS_MARK[status]} ${who} ran ${typed}: ${status}` : `${who} ran ${typed}`;
}
