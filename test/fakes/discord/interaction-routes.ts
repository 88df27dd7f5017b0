// The routes an interaction token opens, without bot auth: the one callback (within the ack
// window, never twice) and the interaction webhook (@original, follow-ups, edits, deletes) until
// the token expires. Callback types: 4 reply, 5 deferred reply ("thinking", flags 128), 6 deferred
// update, 7 update the component's message, 8 autocomplete choices, 9 modal.
import {
  alreadyAcknowledged,
  FormErrors,
  noContent,
  ok,
  type RestReply,
  unknownInteraction,
  unknownMessage,
  unknownWebhook,
} from './api-errors.js';
import { messageJson } from './build-payloads.js';
import type { MessageOrigin, StoredMessage } from './discord-store.js';
import type { CallbackBody, StoredInteraction } from './interaction-registry.js';
import type { UploadedFile } from './message-attachments.js';
import { createMessage, editMessage, Flags, replaceLoading } from './message-ops.js';
import { bodyObject, isObject, type RestContext, type RestRequest, type Route } from './rest-router.js';

const Callback = {
  Reply: 4,
  DeferredReply: 5,
  DeferredUpdate: 6,
  Update: 7,
  AutocompleteResult: 8,
  Modal: 9,
} as const;

/** Callback types Discord accepts for each interaction type (2 command, 3 component, 4 autocomplete). */
const ALLOWED_CALLBACKS: Record<number, number[]> = {
  2: [Callback.Reply, Callback.DeferredReply, Callback.Modal],
  3: [Callback.Reply, Callback.DeferredReply, Callback.DeferredUpdate, Callback.Update, Callback.Modal],
  4: [Callback.AutocompleteResult],
};

const TOKEN = '([^/]+)';

export const INTERACTION_ROUTES: Route[] = [
  {
    method: 'POST',
    pattern: new RegExp(`^/interactions/(\\d+)/${TOKEN}/callback$`),
    auth: 'none',
    handle: callback,
  },
  webhookRoute('POST', '', followUp),
  webhookRoute('GET', '/messages/([^/]+)', (_req, interaction, [messageId], ctx) => {
    const message = webhookMessage(ctx, interaction, messageId!);
    return message === undefined ? unknownMessage() : ok(messageJson(message, ctx.id, ctx.store));
  }),
  webhookRoute('PATCH', '/messages/([^/]+)', (req, interaction, [messageId], ctx) => {
    const message = webhookMessage(ctx, interaction, messageId!);
    if (message === undefined) return unknownMessage();
    const error = editMessage(ctx.store, message, bodyObject(req), req.files);
    return error ?? ok(messageJson(message, ctx.id, ctx.store));
  }),
  webhookRoute('DELETE', '/messages/([^/]+)', (_req, interaction, [messageId], ctx) => {
    const message = webhookMessage(ctx, interaction, messageId!);
    if (message === undefined) return unknownMessage();
    message.deleted = true;
    ctx.store.changed();
    return noContent();
  }),
];

type WebhookHandler = (
  req: RestRequest,
  interaction: StoredInteraction,
  params: string[],
  ctx: RestContext,
) => RestReply;

/** /webhooks/:application/:token…, valid while the interaction's token is. */
function webhookRoute(method: Route['method'], suffix: string, handle: WebhookHandler): Route {
  return {
    method,
    pattern: new RegExp(`^/webhooks/(\\d+)/${TOKEN}${suffix}$`),
    auth: 'none',
    handle: (req, [applicationId, token, ...rest], ctx) => {
      const interaction = ctx.interactions.byToken(token!);
      const valid =
        applicationId === ctx.id.applicationId &&
        interaction !== undefined &&
        !interaction.expired &&
        // The webhook exists once the interaction was answered; before that (or if never) it is unknown.
        interaction.callback !== undefined;
      return valid ? handle(req, interaction, rest, ctx) : unknownWebhook();
    },
  };
}

/** @original or a message this interaction sent; other messages are not the token's to touch. */
function webhookMessage(
  ctx: RestContext,
  interaction: StoredInteraction,
  ref: string,
): StoredMessage | undefined {
  const id = ref === '@original' ? interaction.originalMessageId : ref;
  if (id === undefined) return undefined;
  const message = ctx.store.messages.get(id);
  if (message === undefined || message.deleted) return undefined;
  const owned = id === interaction.originalMessageId || message.origin?.interactionId === interaction.id;
  return owned ? message : undefined;
}

function callback(req: RestRequest, [interactionId, token]: string[], ctx: RestContext): RestReply {
  const interaction = ctx.interactions.get(interactionId!);
  if (interaction === undefined || interaction.token !== token || interaction.expired)
    return unknownInteraction();
  if (interaction.callback !== undefined) return alreadyAcknowledged();
  if (ctx.interactions.ackWindowClosed(interaction)) return unknownInteraction();
  const body = bodyObject(req);
  const type = body.type;
  if (typeof type !== 'number' || !(ALLOWED_CALLBACKS[interaction.type] ?? []).includes(type)) {
    const errors = new FormErrors();
    errors.add(
      ['type'],
      'INTERACTION_RESPONSE_TYPE_INVALID',
      `Interaction response type ${String(type)} is not valid here`,
    );
    return errors.reply();
  }
  const data = isObject(body.data) ? body.data : {};
  const error = applyCallback(ctx, interaction, type, data, req.files);
  if (error !== undefined) return underData(error);
  const accepted: CallbackBody = body.data === undefined ? { type } : { type, data: body.data };
  ctx.interactions.acknowledge(interaction, accepted);
  if (req.query.get('with_response') !== 'true') return noContent();
  return ok(callbackResponse(ctx, interaction, type));
}

function applyCallback(
  ctx: RestContext,
  interaction: StoredInteraction,
  type: number,
  data: Record<string, unknown>,
  files: readonly UploadedFile[],
): RestReply | undefined {
  switch (type) {
    case Callback.Reply: {
      const result = createMessage(
        ctx.store,
        data,
        responseFields(ctx, interaction),
        interaction.user.id,
        files,
      );
      if (result.error !== undefined) return result.error;
      interaction.originalMessageId = result.message.id;
      return undefined;
    }
    case Callback.DeferredReply: {
      const ephemeral = typeof data.flags === 'number' && (data.flags & Flags.Ephemeral) !== 0;
      const thinking = ctx.store.addMessage({
        ...responseFields(ctx, interaction),
        content: '',
        embeds: [],
        components: [],
        flags: Flags.Loading | (ephemeral ? Flags.Ephemeral : 0),
        ...(ephemeral ? { ephemeralTo: interaction.user.id } : {}),
      });
      interaction.originalMessageId = thinking.id;
      return undefined;
    }
    case Callback.DeferredUpdate:
      interaction.originalMessageId = interaction.sourceMessageId;
      return undefined;
    case Callback.Update: {
      const source = ctx.store.messages.get(interaction.sourceMessageId ?? '');
      if (source === undefined || source.deleted) return unknownMessage();
      const error = editMessage(ctx.store, source, data, files);
      if (error !== undefined) return error;
      interaction.originalMessageId = source.id;
      return undefined;
    }
    case Callback.AutocompleteResult:
      return choicesError(data.choices);
    default:
      return modalError(data);
  }
}

/** POST /webhooks/:app/:token: a follow-up, or the deferred response itself if still thinking. */
function followUp(
  req: RestRequest,
  interaction: StoredInteraction,
  _params: string[],
  ctx: RestContext,
): RestReply {
  const body = bodyObject(req);
  const original = ctx.store.messages.get(interaction.originalMessageId ?? '');
  let message: StoredMessage;
  if (original !== undefined && !original.deleted && (original.flags & Flags.Loading) !== 0) {
    const error = replaceLoading(ctx.store, original, body, req.files);
    if (error !== undefined) return error;
    message = original;
  } else {
    const result = createMessage(
      ctx.store,
      body,
      responseFields(ctx, interaction),
      interaction.user.id,
      req.files,
    );
    if (result.error !== undefined) return result.error;
    message = result.message;
  }
  return req.query.get('wait') === 'true' ? ok(messageJson(message, ctx.id, ctx.store)) : noContent();
}

function responseFields(ctx: RestContext, interaction: StoredInteraction) {
  const origin: MessageOrigin = {
    interactionId: interaction.id,
    interactionType: interaction.type,
    name: interaction.name,
    user: interaction.user,
    ...(interaction.sourceMessageId !== undefined
      ? { interactedMessageId: interaction.sourceMessageId }
      : {}),
  };
  return {
    channelId: interaction.channelId,
    authorId: ctx.id.botUserId,
    // 20 is a chat input command's response; a component's reply is an ordinary message.
    type: interaction.type === 2 ? 20 : 0,
    webhookId: ctx.id.applicationId,
    origin,
  };
}

function callbackResponse(ctx: RestContext, interaction: StoredInteraction, type: number) {
  const message = ctx.store.messages.get(interaction.originalMessageId ?? '');
  const withMessage = message !== undefined && type !== Callback.DeferredUpdate;
  return {
    interaction: {
      id: interaction.id,
      type: interaction.type,
      ...(withMessage
        ? {
            response_message_id: message.id,
            response_message_loading: (message.flags & Flags.Loading) !== 0,
            response_message_ephemeral: (message.flags & Flags.Ephemeral) !== 0,
          }
        : {}),
    },
    resource: { type, ...(withMessage ? { message: messageJson(message, ctx.id, ctx.store) } : {}) },
  };
}

/** A callback's message errors are reported under its `data`: errors.data.content, errors.data.embeds… */
function underData(reply: RestReply): RestReply {
  const body = reply.body as { code?: number; errors?: Record<string, unknown> } | undefined;
  if (body?.code !== 50035 || body.errors === undefined || 'data' in body.errors) return reply;
  return { ...reply, body: { ...body, errors: { data: body.errors } } };
}

function choicesError(choices: unknown): RestReply | undefined {
  const errors = new FormErrors();
  if (!Array.isArray(choices)) {
    errors.add(['data', 'choices'], 'BASE_TYPE_REQUIRED', 'This field is required');
    return errors.reply();
  }
  errors.maxLength(['data', 'choices'], choices, 25);
  choices.forEach((choice: unknown, i) => {
    const c = isObject(choice) ? choice : {};
    errors.lengthBetween(['data', 'choices', i, 'name'], c.name, 1, 100);
    if (typeof c.value === 'string') errors.maxLength(['data', 'choices', i, 'value'], c.value, 100);
    else if (typeof c.value !== 'number') errors.required(['data', 'choices', i, 'value'], undefined);
  });
  return errors.empty ? undefined : errors.reply();
}

function modalError(data: Record<string, unknown>): RestReply | undefined {
  const errors = new FormErrors();
  errors.lengthBetween(['data', 'custom_id'], data.custom_id, 1, 100);
  errors.lengthBetween(['data', 'title'], data.title, 1, 45);
  if (!Array.isArray(data.components) || data.components.length === 0) {
    errors.add(['data', 'components'], 'BASE_TYPE_REQUIRED', 'This field is required');
  }
  return errors.empty ? undefined : errors.reply();
}
