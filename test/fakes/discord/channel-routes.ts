// Bot-token routes on channels: messages (post, list, fetch, edit, delete) and threads. Threads
// are channels of type 11 with a parent; a thread started on a message takes the message's id,
// and messages are posted to a thread id exactly as to a channel. Ephemeral messages exist only
// for their interaction's token, so these routes answer 404 for them, as Discord does. A reply
// (`message_reference`) must name a message of the same channel, unless it asks not to fail. In
// a channel where the bot lacks Create Public Threads (refuseThreads) starting a thread answers
// 403 with code 50013 "Missing Permissions", as Discord does.
import {
  apiError,
  FormErrors,
  missingPermissions,
  noContent,
  ok,
  type RestReply,
  unknownChannel,
  unknownMessage,
} from './api-errors.js';
import { channelJson, messageJson, threadJson } from './build-payloads.js';
import type { StoredChannel } from './discord-store.js';
import { createMessage, editMessage, Flags } from './message-ops.js';
import { bodyObject, isObject, type RestContext, type Route } from './rest-router.js';

const ID = '(\\d+)';
const route = (method: Route['method'], path: string, handle: Route['handle']): Route => ({
  method,
  pattern: new RegExp(`^${path}$`),
  auth: 'bot',
  handle,
});

const GUILDS_INTENT = 1;

export const CHANNEL_ROUTES: Route[] = [
  route('GET', `/channels/${ID}`, (_req, [channelId], ctx) => {
    const channel = ctx.store.channels.get(channelId!);
    return channel === undefined ? unknownChannel() : ok(channelJson(channel, ctx.id));
  }),

  route('POST', `/channels/${ID}/messages`, (req, [channelId], ctx) => {
    if (!ctx.store.channels.has(channelId!)) return unknownChannel();
    const body = bodyObject(req);
    const reply = replyReference(ctx, channelId!, body.message_reference);
    if (reply.error !== undefined) return reply.error;
    const result = createMessage(
      ctx.store,
      body,
      {
        channelId: channelId!,
        authorId: ctx.id.botUserId,
        type: reply.messageId !== undefined ? 19 : 0,
        ...(reply.messageId !== undefined ? { replyTo: reply.messageId } : {}),
      },
      undefined,
      req.files,
    );
    return result.error ?? ok(messageJson(result.message, ctx.id, ctx.store));
  }),

  route('GET', `/channels/${ID}/messages`, (req, [channelId], ctx) => {
    if (!ctx.store.channels.has(channelId!)) return unknownChannel();
    const limit = Math.min(Math.max(Number(req.query.get('limit') ?? 50) || 50, 1), 100);
    const before = req.query.get('before');
    const after = req.query.get('after');
    const list = [...ctx.store.messages.values()]
      .filter((m) => m.channelId === channelId && !m.deleted && m.ephemeralTo === undefined)
      .filter(
        (m) =>
          (before === null || BigInt(m.id) < BigInt(before)) &&
          (after === null || BigInt(m.id) > BigInt(after)),
      )
      .reverse()
      .slice(0, limit);
    return ok(list.map((m) => messageJson(m, ctx.id, ctx.store)));
  }),

  route('GET', `/channels/${ID}/messages/${ID}`, (_req, [channelId, messageId], ctx) => {
    if (!ctx.store.channels.has(channelId!)) return unknownChannel();
    const message = ctx.store.channelMessage(channelId!, messageId!);
    return message === undefined ? unknownMessage() : ok(messageJson(message, ctx.id, ctx.store));
  }),

  route('PATCH', `/channels/${ID}/messages/${ID}`, (req, [channelId, messageId], ctx) => {
    if (!ctx.store.channels.has(channelId!)) return unknownChannel();
    const message = ctx.store.channelMessage(channelId!, messageId!);
    if (message === undefined) return unknownMessage();
    if (message.authorId !== ctx.id.botUserId) {
      return apiError(403, 50005, 'Cannot edit a message authored by another user');
    }
    const error = editMessage(ctx.store, message, bodyObject(req), req.files);
    return error ?? ok(messageJson(message, ctx.id, ctx.store));
  }),

  route('DELETE', `/channels/${ID}/messages/${ID}`, (_req, [channelId, messageId], ctx) => {
    if (!ctx.store.channels.has(channelId!)) return unknownChannel();
    const message = ctx.store.channelMessage(channelId!, messageId!);
    if (message === undefined) return unknownMessage();
    if (message.authorId !== ctx.id.botUserId) return apiError(403, 50013, 'Missing Permissions');
    message.deleted = true;
    ctx.store.changed();
    return noContent();
  }),

  route('POST', `/channels/${ID}/messages/${ID}/threads`, (req, [channelId, messageId], ctx) => {
    const parent = ctx.store.channels.get(channelId!);
    if (parent === undefined) return unknownChannel();
    if (parent.type !== 0) return apiError(400, 50024, 'Cannot execute action on this channel type');
    if (ctx.store.threadsRefused.has(parent.id)) return missingPermissions();
    const message = ctx.store.channelMessage(channelId!, messageId!);
    if (message === undefined) return unknownMessage();
    if (message.threadId !== undefined) {
      return apiError(400, 160004, 'A thread has already been created for this message');
    }
    const body = bodyObject(req);
    const invalid = threadBodyError(body);
    if (invalid !== undefined) return invalid;
    // Discord gives a thread started on a message the message's own id.
    const thread = addThread(ctx, body, {
      id: message.id,
      type: 11,
      parentId: parent.id,
      messageId: message.id,
    });
    message.threadId = thread.id;
    message.flags |= Flags.HasThread;
    ctx.store.changed();
    return ok(threadJson(thread, ctx.id), 201);
  }),

  route('POST', `/channels/${ID}/threads`, (req, [channelId], ctx) => {
    const parent = ctx.store.channels.get(channelId!);
    if (parent === undefined) return unknownChannel();
    if (parent.type !== 0) return apiError(400, 50024, 'Cannot execute action on this channel type');
    if (ctx.store.threadsRefused.has(parent.id)) return missingPermissions();
    const body = bodyObject(req);
    const invalid = threadBodyError(body);
    if (invalid !== undefined) return invalid;
    const type = body.type === 12 ? 12 : 11;
    const thread = addThread(ctx, body, { id: ctx.store.ids.next(), type, parentId: parent.id });
    return ok(threadJson(thread, ctx.id), 201);
  }),
];

/**
 * The message a new message replies to. Discord refuses a reference to a message that is not in
 * the channel (400, 50035, REPLIES_UNKNOWN_MESSAGE under message_reference) unless the reference
 * says `fail_if_not_exists: false`; the message is then posted as an ordinary one.
 */
function replyReference(
  ctx: RestContext,
  channelId: string,
  reference: unknown,
): { messageId?: string; error?: RestReply } {
  if (reference === undefined || reference === null) return {};
  const ref = isObject(reference) ? reference : {};
  const messageId = typeof ref.message_id === 'string' ? ref.message_id : undefined;
  const sameChannel = ref.channel_id === undefined || ref.channel_id === channelId;
  if (messageId !== undefined && sameChannel && ctx.store.channelMessage(channelId, messageId)) {
    return { messageId };
  }
  if (ref.fail_if_not_exists === false) return {};
  const errors = new FormErrors();
  errors.add(['message_reference'], 'REPLIES_UNKNOWN_MESSAGE', 'Unknown message');
  return { error: errors.reply() };
}

function threadBodyError(body: Record<string, unknown>): RestReply | undefined {
  const errors = new FormErrors();
  errors.lengthBetween(['name'], body.name, 1, 100);
  const duration = body.auto_archive_duration;
  if (duration !== undefined && ![60, 1440, 4320, 10080].includes(duration as number)) {
    errors.add(
      ['auto_archive_duration'],
      'BASE_TYPE_CHOICES',
      'Value must be one of {60, 1440, 4320, 10080}.',
    );
  }
  if (body.type !== undefined && body.type !== 11 && body.type !== 12) {
    errors.add(['type'], 'BASE_TYPE_CHOICES', 'Value must be one of {11, 12}.');
  }
  return errors.empty ? undefined : errors.reply();
}

function addThread(
  ctx: RestContext,
  body: Record<string, unknown>,
  fields: Pick<StoredChannel, 'id' | 'type' | 'parentId' | 'messageId'>,
): StoredChannel {
  const thread: StoredChannel = {
    ...fields,
    name: String(body.name),
    ownerId: ctx.id.botUserId,
    autoArchiveDuration: typeof body.auto_archive_duration === 'number' ? body.auto_archive_duration : 4320,
    createdAt: Date.now(),
  };
  ctx.store.channels.set(thread.id, thread);
  ctx.store.changed();
  // With the Guilds intent Discord also announces the thread on the gateway.
  if ((ctx.intents() & GUILDS_INTENT) !== 0) {
    ctx.dispatch('THREAD_CREATE', { ...threadJson(thread, ctx.id), newly_created: true });
  }
  return thread;
}
