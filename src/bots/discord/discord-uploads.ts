// A message's files as Discord takes them: one multipart part per file (`files[n]`) and, in the
// JSON, an `attachments` entry with the same id n, its name and its alt text (`description`).
// The first picture is also drawn inside the card: the embed's image points at it with
// `attachment://<name>`, so the chart shows in the card instead of under it.
import type { APIEmbed, RawFile } from 'discord.js';
import type { Attachment } from '../../core/message.js';
import { truncate } from '../card-marks.js';
import type { DiscordMessageBody } from './render-card-message.js';

/** Discord's limits: files per message, and an attachment's description. */
export const DISCORD_MAX_FILES = 10;
const DESCRIPTION_MAX = 1024;

export interface DiscordUploads {
  /** For the JSON body. */
  attachments: Array<{ id: number; filename: string; description: string }>;
  /** For the request's multipart parts. */
  files: RawFile[];
}

/**
 * A name an `attachment://` reference finds: Discord rewrites other characters in file names
 * (spaces and the like become `_`), and a reference to the original name would show nothing.
 */
export function discordFileName(name: string): string {
  return name.replace(/[^\w.-]/g, '_') || 'file';
}

export function discordUploads(attachments: readonly Attachment[]): DiscordUploads {
  const sent = attachments.slice(0, DISCORD_MAX_FILES);
  return {
    attachments: sent.map((a, id) => ({
      id,
      filename: discordFileName(a.name),
      description: truncate(a.alt, DESCRIPTION_MAX),
    })),
    files: sent.map((a) => ({ name: discordFileName(a.name), data: a.data, contentType: a.contentType })),
  };
}

/** The card with its first picture inside: the embed's image is that attachment. */
export function withAttachedImage(
  body: DiscordMessageBody,
  attachments: readonly Attachment[],
): DiscordMessageBody {
  const picture = attachments.find((a) => a.contentType.startsWith('image/'));
  const [first, ...rest] = body.embeds;
  if (!picture || !first) return body;
  const embed: APIEmbed = { ...first, image: { url: `attachment://${discordFileName(picture.name)}` } };
  return { ...body, embeds: [embed, ...rest] };
}
