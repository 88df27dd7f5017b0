// Files on messages, as discord.js sends them: a multipart body whose `payload_json` part holds
// the message with `attachments: [{ id: 0, filename, description }]`, and one part per file named
// `files[<id>]`. Every attachment entry must have its file part and every file part its entry
// (stricter than Discord, which attaches an unnamed file anyway: a bot that forgets the entry
// loses its description), at most 10 files. An edit keeps the message's attachments unless the
// body lists the ones to keep (by their snowflake) in `attachments`, and may add new files.
import type { APIAttachment } from 'discord-api-types/v10';
import { FormErrors, type RestReply } from './api-errors.js';
import type { DiscordStore } from './discord-store.js';
import type { FakeAttachment } from './types.js';

/** A file part of a multipart request. */
export interface UploadedFile {
  /** The form field: `files[0]`. */
  key: string;
  filename: string;
  contentType?: string;
  bytes: Buffer;
}

const MAX_FILES = 10;
const DESCRIPTION_MAX = 1024;
const FILE_KEY = /^files\[(\d+)\]$/;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export type AttachmentsResult = { attachments: FakeAttachment[]; error?: undefined } | { error: RestReply };

/**
 * The attachments a message ends with. `existing` are the message's own before an edit (none for a
 * new message); they stay when the body has no `attachments` field.
 */
export function resolveAttachments(
  store: DiscordStore,
  body: Json,
  files: readonly UploadedFile[],
  existing: readonly FakeAttachment[] = [],
): AttachmentsResult {
  const errors = new FormErrors();
  const listed = body.attachments;
  if (listed !== undefined && listed !== null && !Array.isArray(listed)) {
    errors.add(['attachments'], 'BASE_TYPE_ARRAY', 'Must be an array.');
    return { error: errors.reply() };
  }
  const entries = Array.isArray(listed) ? listed : [];
  const parts = new Map<string, UploadedFile>();
  files.forEach((file, i) => {
    const index = FILE_KEY.exec(file.key)?.[1];
    if (index === undefined) {
      errors.add(
        ['files', i],
        'FILE_KEY_INVALID',
        `The fake knows file parts named files[n], not ${file.key}`,
      );
    } else {
      parts.set(index, file);
    }
  });
  const referenced = new Set<string>();
  const kept: FakeAttachment[] = [];
  const added: FakeAttachment[] = [];
  entries.forEach((entry: unknown, i) => {
    if (!isObject(entry) || (typeof entry.id !== 'number' && typeof entry.id !== 'string')) {
      errors.add(['attachments', i, 'id'], 'BASE_TYPE_REQUIRED', 'This field is required');
      return;
    }
    errors.maxLength(['attachments', i, 'description'], entry.description, DESCRIPTION_MAX);
    const id = String(entry.id);
    const old = existing.find((a) => a.id === id);
    if (old) {
      kept.push(old);
      return;
    }
    const part = parts.get(id);
    if (part === undefined) {
      errors.add(
        ['attachments', i, 'id'],
        'ATTACHMENT_FILE_MISSING',
        `No file part files[${id}] for this attachment`,
      );
      return;
    }
    referenced.add(id);
    const description = typeof entry.description === 'string' ? entry.description : undefined;
    added.push({
      id: store.ids.next(),
      filename: typeof entry.filename === 'string' && entry.filename !== '' ? entry.filename : part.filename,
      ...(description !== undefined ? { description } : {}),
      ...(part.contentType !== undefined ? { contentType: part.contentType } : {}),
      size: part.bytes.length,
      bytes: part.bytes,
    });
  });
  for (const [index, part] of parts) {
    if (!referenced.has(index)) {
      errors.add(
        ['files', index],
        'ATTACHMENT_ENTRY_MISSING',
        `The file part ${part.key} has no entry with id ${index} in attachments`,
      );
    }
  }
  const attachments = [...(Array.isArray(listed) ? kept : existing), ...added];
  errors.maxLength(['attachments'], attachments, MAX_FILES);
  return errors.empty ? { attachments } : { error: errors.reply() };
}

/** Where the fake says an attachment can be downloaded (nothing serves it: no one fetches it). */
function attachmentUrl(channelId: string, attachment: FakeAttachment): string {
  return `https://cdn.discordapp.com/attachments/${channelId}/${attachment.id}/${encodeURIComponent(attachment.filename)}`;
}

export function attachmentJson(channelId: string, attachment: FakeAttachment): APIAttachment {
  const url = attachmentUrl(channelId, attachment);
  return {
    id: attachment.id,
    filename: attachment.filename,
    size: attachment.size,
    url,
    proxy_url: url.replace('cdn.discordapp.com', 'media.discordapp.net'),
    ...(attachment.contentType !== undefined ? { content_type: attachment.contentType } : {}),
    ...(attachment.description !== undefined ? { description: attachment.description } : {}),
  };
}

/** Embeds as Discord answers them: an `attachment://name` image becomes that attachment's URL. */
export function resolveEmbedImages(
  embeds: unknown[],
  channelId: string,
  attachments: readonly FakeAttachment[],
): unknown[] {
  return embeds.map((embed) => {
    if (!isObject(embed) || !isObject(embed.image) || typeof embed.image.url !== 'string') return embed;
    const name = embed.image.url.startsWith('attachment://')
      ? embed.image.url.slice('attachment://'.length)
      : '';
    const attachment = attachments.find((a) => a.filename === name);
    return attachment
      ? { ...embed, image: { ...embed.image, url: attachmentUrl(channelId, attachment) } }
      : embed;
  });
}
