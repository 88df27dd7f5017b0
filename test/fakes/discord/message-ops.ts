// Creating and editing messages, shared by the channel routes (bot token) and the interaction
// routes (callbacks and webhooks): validation, the flags a sender may set, edit semantics
// (fields present replace, fields absent stay, null clears), and the files a multipart request
// attaches.
import type { RestReply } from './api-errors.js';
import type { DiscordStore, StoredMessage } from './discord-store.js';
import { resolveAttachments, type UploadedFile } from './message-attachments.js';
import { emptyMessageError, validateMessageBody } from './validate-message.js';

export const Flags = {
  SuppressEmbeds: 1 << 2,
  HasThread: 1 << 5,
  Ephemeral: 1 << 6,
  Loading: 1 << 7,
  SuppressNotifications: 1 << 12,
  ComponentsV2: 1 << 15,
} as const;

/** Flags a sender may set on a new message (Ephemeral only through an interaction). */
const CREATE_FLAGS = Flags.SuppressEmbeds | Flags.SuppressNotifications | Flags.ComponentsV2;
/** Flags an edit may change; the rest (ephemeral, has-thread) belong to the message. */
const EDIT_FLAGS = Flags.SuppressEmbeds | Flags.ComponentsV2;

type Json = Record<string, unknown>;
type NewMessageFields = Pick<
  StoredMessage,
  'channelId' | 'authorId' | 'type' | 'webhookId' | 'origin' | 'replyTo'
>;

export type MessageResult =
  | { message: StoredMessage; error?: undefined }
  | { error: RestReply; message?: undefined };

/**
 * Validates a create body and stores the message. `ephemeralViewer` (interactions only) is the
 * person who sees it when the body asks for flags 64; channel messages cannot be ephemeral.
 */
export function createMessage(
  store: DiscordStore,
  body: Json,
  fields: NewMessageFields,
  ephemeralViewer?: string,
  files: readonly UploadedFile[] = [],
): MessageResult {
  const invalid = validateMessageBody(body);
  if (invalid !== undefined) return { error: invalid };
  const attached = resolveAttachments(store, body, files);
  if (attached.error !== undefined) return { error: attached.error };
  const { attachments } = attached;
  const content = typeof body.content === 'string' ? body.content : '';
  const embeds = Array.isArray(body.embeds) ? (structuredClone(body.embeds) as unknown[]) : [];
  const components = Array.isArray(body.components) ? (structuredClone(body.components) as unknown[]) : [];
  const empty = emptyMessageError({ content, embeds, components, attachments });
  if (empty !== undefined) return { error: empty };
  const requested = typeof body.flags === 'number' ? body.flags : 0;
  const flags = requested & (CREATE_FLAGS | (ephemeralViewer !== undefined ? Flags.Ephemeral : 0));
  const ephemeral = (flags & Flags.Ephemeral) !== 0 ? { ephemeralTo: ephemeralViewer } : {};
  return {
    message: store.addMessage({ ...fields, content, embeds, components, attachments, flags, ...ephemeral }),
  };
}

/** PATCH semantics. A deferred "thinking" message stops loading on its first edit. */
export function editMessage(
  store: DiscordStore,
  message: StoredMessage,
  body: Json,
  files: readonly UploadedFile[] = [],
): RestReply | undefined {
  const invalid = validateMessageBody(body);
  if (invalid !== undefined) return invalid;
  const attached = resolveAttachments(store, body, files, message.attachments);
  if (attached.error !== undefined) return attached.error;
  const next = {
    content: 'content' in body ? (typeof body.content === 'string' ? body.content : '') : message.content,
    embeds:
      'embeds' in body ? (Array.isArray(body.embeds) ? structuredClone(body.embeds) : []) : message.embeds,
    components:
      'components' in body
        ? Array.isArray(body.components)
          ? structuredClone(body.components)
          : []
        : message.components,
    attachments: attached.attachments,
  };
  const empty = emptyMessageError(next);
  if (empty !== undefined) return empty;
  Object.assign(message, next);
  if (typeof body.flags === 'number') {
    message.flags = (message.flags & ~EDIT_FLAGS) | (body.flags & EDIT_FLAGS);
  }
  message.flags &= ~Flags.Loading;
  touch(store, message);
  return undefined;
}

/**
 * Discord's follow-up quirk: the first follow-up after a deferral becomes the deferred response.
 * It keeps the deferral's ephemeral state whatever flags the follow-up asked for.
 */
export function replaceLoading(
  store: DiscordStore,
  message: StoredMessage,
  body: Json,
  files: readonly UploadedFile[] = [],
): RestReply | undefined {
  const invalid = validateMessageBody(body);
  if (invalid !== undefined) return invalid;
  const attached = resolveAttachments(store, body, files);
  if (attached.error !== undefined) return attached.error;
  const next = {
    content: typeof body.content === 'string' ? body.content : '',
    embeds: Array.isArray(body.embeds) ? (structuredClone(body.embeds) as unknown[]) : [],
    components: Array.isArray(body.components) ? (structuredClone(body.components) as unknown[]) : [],
    attachments: attached.attachments,
  };
  const empty = emptyMessageError(next);
  if (empty !== undefined) return empty;
  Object.assign(message, next);
  const requested = typeof body.flags === 'number' ? body.flags : 0;
  message.flags = (message.flags & (Flags.Ephemeral | Flags.HasThread)) | (requested & CREATE_FLAGS);
  touch(store, message);
  return undefined;
}

function touch(store: DiscordStore, message: StoredMessage): void {
  message.edits += 1;
  message.editedAt = Date.now();
  store.changed();
}
