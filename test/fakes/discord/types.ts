// What the fake Discord records and what tests pass to it. Payload fields keep Discord's
// snake_case JSON as the bot sent it (embeds, components); the fake's own fields are camelCase.

/** A member of the fake guild who types commands and clicks buttons. */
export interface FakeDiscordUser {
  id: string;
  username: string;
  /** Discord role ids the member holds in the guild (each must be added with addRole first). */
  roles?: string[];
}

/** A message as the fake stores it now (after edits). */
export interface FakeMessage {
  id: string;
  /** The channel or thread it was posted in. */
  channelId: string;
  authorId: string;
  content: string;
  /** As the API JSON the bot sent (APIEmbed[]). */
  embeds: unknown[];
  /** As the API JSON the bot sent (APIActionRowComponent[]). */
  components: unknown[];
  /** The files on it, in the order of the bot's `attachments` list. */
  attachments: FakeAttachment[];
  /** MessageFlags: 64 ephemeral, 128 loading (a deferred "thinking" response), 32 has thread. */
  flags: number;
  /** How many times its content was changed after it was created. */
  edits: number;
  /** Set for interaction responses and follow-ups. */
  interactionId?: string;
  /** The user who sees it, for ephemeral messages. */
  ephemeralTo?: string;
  /** The thread started from this message, if any (its id equals the message id). */
  threadId?: string;
  /** The message this one replies to (its `message_reference`), in the same channel. */
  replyTo?: string;
}

/** A file on a message, from a multipart request's `files[n]` part and its `attachments` entry. */
export interface FakeAttachment {
  /** Discord's snowflake for it (the request's `id` only pairs an entry with its file part). */
  id: string;
  filename: string;
  /** The alt text (`description`). */
  description?: string;
  /** The file part's Content-Type. */
  contentType?: string;
  size: number;
  bytes: Buffer;
}

export interface FakeThread {
  id: string;
  parentId: string;
  name: string;
  /** The message the thread was started from; undefined for a thread made with POST /channels/:id/threads. */
  messageId?: string;
}

export type FakeAuth = 'bot' | 'none' | 'bad';

/**
 * Which gateway sessions an interaction is dispatched to: every live one (Discord's way, when
 * several bot replicas each hold a session), or only the newest identified, so a test decides
 * which replica receives it.
 */
export type DispatchTarget = 'every-session' | 'newest-session';

/** One REST request, as the fake answered it. */
export interface FakeCall {
  method: string;
  /** The path without /api/v10, e.g. /channels/1/messages. */
  path: string;
  query: Record<string, string>;
  /** The JSON body (for multipart, the payload_json part); undefined without a body. */
  body: unknown;
  auth: FakeAuth;
  status: number;
  /** Date.now() when it was answered. */
  at: number;
}

export interface FakeInteraction {
  readonly id: string;
  readonly token: string;
  /** Resolves with the first callback's body ({type, data}); rejects if none came within ackTimeoutMs (Discord shows "The application did not respond"). */
  readonly acknowledged: Promise<{ type: number; data?: unknown }>;
}

export type RestFault =
  | { status: 429; retryAfterMs: number }
  | { status: number; code?: number; message?: string };

export type OptionValue = string | number | boolean;

export interface SlashCommandInput {
  user: FakeDiscordUser;
  channelId: string;
  /**
   * The guild it comes from. By default the fake's own; another id: as from a guild the bot was
   * also invited to (the channel taken as that guild's); null: from a DM with the bot (channelId
   * then names the DM channel, made on first use).
   */
  guildId?: string | null;
  /** Default 'pve'. */
  name?: string;
  subcommand: string;
  options?: Record<string, OptionValue>;
  /** Which gateway sessions get it; every live one by default, as on Discord. */
  deliverTo?: DispatchTarget;
}

export interface AutocompleteInput extends SlashCommandInput {
  /** The option the user is typing in; its value in `options` is the partial text (default ''). */
  focused: string;
}

export interface ButtonClickInput {
  user: FakeDiscordUser;
  /** As for SlashCommandInput: the fake's guild by default, another guild's id, or null for a DM. */
  guildId?: string | null;
  /** The message carrying the button; the fake looks up its current version by id. */
  message: FakeMessage;
  customId: string;
  /** As for SlashCommandInput: every live gateway session by default. */
  deliverTo?: DispatchTarget;
}

export interface AutocompleteChoice {
  name: string;
  value: string | number;
}
