// Discord through discord.js on the gateway. `/pve <subcommand>` is deferred at once (Discord
// allows 3 seconds), its options written as the command line the grammar parses, and handed to
// the core. The deferred reply becomes the request message: who ran what, and the resolved plan
// with its approval buttons; everything after goes into a thread started on it, progress as one
// message edited in place, the result as a new message that mentions the requester.
//
// Only the first answer uses the interaction's token (valid 15 minutes); every later write (the
// approval card after a click, progress, results) uses the bot token and the ids in the
// ThreadRef, so a request approved an hour later, or after a restart, still lands where it
// belongs. Errors meant for one person are ephemeral follow-ups of their own interaction.
//
// A message's files (the digest's chart) are attached to the message that carries its card, the
// first picture drawn inside the card's embed; an edited message gets them with its first post.
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  type GuildMember,
  type Interaction,
  MessageFlags,
  type RawFile,
  type RESTOptions,
  Routes,
} from 'discord.js';
import type { ChatUser } from '../../core/chat-event.js';
import type { SuggestionKind } from '../../core/cluster-directory.js';
import type { CoreApi } from '../../core/core-api.js';
import { findCommand, valueKindOf } from '../../core/grammar/index.js';
import type { Attachment, Card, CardStatus, OutgoingMessage } from '../../core/message.js';
import type { Logger } from '../../logger.js';
import type { Metrics } from '../../metrics.js';
import type { ChatAdapter } from '../adapter.js';
import { truncate } from '../card-marks.js';
import { EditCoalescer } from '../edit-coalescer.js';
import { MemoryMessageRefs, type MessageRefs, rememberingWrite } from '../message-refs.js';
import { parseButtonCustomId } from './button-custom-id.js';
import { createDiscordRestRequest, type DiscordRestRequest } from './discord-rest-request.js';
import { type DiscordThread, discordThreadOf, discordUserId, replyChannelOf } from './discord-thread.js';
import {
  DISCORD_MAX_FILES,
  type DiscordUploads,
  discordUploads,
  withAttachedImage,
} from './discord-uploads.js';
import { interactionToText, type OptionValue } from './interaction-to-text.js';
import { type DiscordMessageBody, renderCardMessage, renderRequestLine } from './render-card-message.js';
import { DISCORD_COMMAND } from './slash-command-definitions.js';

export interface DiscordAdapterOptions {
  /** The bot token (Developer Portal → Bot). */
  token: string;
  /** REST base URL (`https://discord.com/api` by default); gateway discovery follows it. Tests: the fake. */
  apiUrl?: string | undefined;
  logger: Logger;
  /** Where keyed messages' ids are kept across restarts (RedisMessageRefs); in memory by default. */
  messageRefs?: MessageRefs;
  /** At most one edit per message this often (Discord allows about 5 edits per 5 s per channel). */
  editIntervalMs?: number;
  /** Counts failed REST calls (`pve_chatops_chat_api_errors_total{platform="discord"}`). */
  metrics?: Metrics | undefined;
}

/** Statuses after which a message may still change; any other is final. */
const OPEN_STATUSES: ReadonlySet<CardStatus> = new Set(['running', 'pending']);
/** Discord's code for "A thread has already been created for this message". */
const THREAD_ALREADY_CREATED = 160004;
const THREAD_NAME_MAX = 100;
const CHOICE_MAX = 100;
/** Threads are archived after a day without messages; a message unarchives them. */
const THREAD_ARCHIVE_MINUTES = 1440;
const NO_MENTIONS = { parse: [] as never[] };

/** The interaction being answered, for the messages the core sends while handling it. */
interface LiveInteraction {
  interaction: ChatInputCommandInteraction | ButtonInteraction;
  userId: string;
  /** The request message of a command: once drawn, the interaction's reply is no longer "thinking". */
  request?: { thread: DiscordThread; drawn: boolean; withdrawn: boolean };
}

interface EditContent {
  channel: string;
  body: Partial<DiscordMessageBody>;
  final: boolean;
  /** Sent with the first post only; edits keep the message's attachments as they are. */
  uploads?: DiscordUploads;
}

function errorText(error: unknown): string {
  if (error instanceof DiscordAPIError) return `${error.status} ${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** Worth another attempt one interval later: server errors and network failures (429s are waited out by discord.js). */
function isRetryable(error: unknown): boolean {
  if (error instanceof DiscordAPIError) return error.status >= 500;
  const status = (error as { status?: unknown }).status;
  return typeof status === 'number' ? status >= 500 : true;
}

export class DiscordAdapter implements ChatAdapter {
  readonly platform = 'discord';
  readonly #o: DiscordAdapterOptions;
  readonly #logger: Logger;
  readonly #client: Client;
  /** discord.js's REST requests go through our own undici Agent (discord-rest-request.ts says why). */
  readonly #request: DiscordRestRequest;
  readonly #edits: EditCoalescer<EditContent, string>;
  readonly #live = new AsyncLocalStorage<LiveInteraction>();
  /** Request messages whose thread exists (or is being made), so each is made once. */
  readonly #threads = new Map<string, Promise<void>>();
  #core: CoreApi | undefined;
  #started = false;

  constructor(options: DiscordAdapterOptions) {
    if (!options.token) throw new Error('DiscordAdapter needs a bot token');
    this.#o = options;
    this.#logger = options.logger;
    this.#request = createDiscordRestRequest();
    this.#client = new Client({
      // Guilds alone: interactions carry the member and their roles; no privileged intent needed.
      intents: [GatewayIntentBits.Guilds],
      rest: {
        ...(options.apiUrl ? { api: options.apiUrl } : {}),
        makeRequest: this.#request.makeRequest as unknown as RESTOptions['makeRequest'],
      },
      allowedMentions: NO_MENTIONS,
    });
    this.#client.on(Events.Error, (error) =>
      this.#logger.error({ error: errorText(error) }, 'Discord client error'),
    );
    this.#client.on(Events.ShardReconnecting, () => this.#logger.info({}, 'Discord gateway reconnecting'));
    this.#client.on(Events.ShardResume, () => this.#logger.info({}, 'Discord gateway resumed'));
    const metrics = options.metrics;
    if (metrics) {
      // Every REST call passes here, interaction replies included (429s too: they were refused).
      this.#client.rest.on('response', (_request, response) => {
        if (response.status >= 400) metrics.countChatApiError('discord');
      });
    }
    this.#edits = new EditCoalescer<EditContent, string>({
      // At most one edit per 2 s per message, as the platform sees it (docs/architecture.md,
      // "Performance targets"): 2.1 s here leaves room for network jitter between two edits.
      intervalMs: options.editIntervalMs ?? 2_100,
      isFinal: (content) => content.final,
      retryable: isRetryable,
      write: rememberingWrite(
        options.messageRefs ?? new MemoryMessageRefs(),
        options.logger,
        (_key, content, id) => this.#write(content, id),
      ),
      onError: (key, error) =>
        this.#logger.warn({ key, error: errorText(error) }, 'cannot write a Discord message'),
    });
  }

  async start(core: CoreApi): Promise<void> {
    if (this.#started) throw new Error('the Discord adapter is already started');
    this.#core = core;
    this.#client.on(Events.InteractionCreate, (interaction) => {
      this.#onInteraction(interaction).catch((error: unknown) =>
        this.#logger.error({ error: errorText(error) }, 'a Discord interaction failed'),
      );
    });
    const ready = new Promise<void>((resolve) => this.#client.once(Events.ClientReady, () => resolve()));
    await this.#client.login(this.#o.token);
    await ready;
    this.#started = true;
    this.#logger.info({ user: this.#client.user?.tag }, 'Discord adapter started');
  }

  async stop(): Promise<void> {
    await this.#edits.drain();
    if (!this.#started) return;
    this.#started = false;
    await this.#client.destroy();
    await this.#request.close();
  }

  /** Resolves when every queued edit is written (tests). */
  idle(): Promise<void> {
    return this.#edits.idle();
  }

  async send(message: OutgoingMessage): Promise<void> {
    const thread = discordThreadOf(message.thread);
    const live = this.#live.getStore();
    const attachments = this.#attachable(message, thread);
    if (message.ephemeralTo) {
      await this.#sendEphemeral(message.ephemeralTo.id, message.card, live);
      return;
    }
    if (message.describesRequest && thread.message !== undefined) {
      await this.#drawRequest(thread, message.card, live);
      return;
    }
    // The thread hangs on the request message: that must stop "thinking" before anything follows.
    if (live?.request && !live.request.drawn && live.request.thread.message === thread.message) {
      await this.#drawRequest(thread, undefined, live);
    }
    const channel = replyChannelOf(thread);
    if (channel !== thread.channel) await this.#ensureThread(thread);
    const body = withAttachedImage(renderCardMessage(message.card), attachments);
    const uploads = attachments.length > 0 ? discordUploads(attachments) : undefined;
    if (message.key) {
      await this.#edits.submit(`${channel}/${message.key}`, {
        channel,
        body,
        final: !OPEN_STATUSES.has(message.card.status),
        ...(uploads ? { uploads } : {}),
      });
    } else {
      // A result pings its requester; nothing else pings anyone.
      const ping = message.notify ? thread.user : undefined;
      await this.#rest(
        'post',
        Routes.channelMessages(channel),
        {
          ...body,
          ...(uploads ? { attachments: uploads.attachments } : {}),
          ...(ping
            ? { content: `<@${ping}>`, allowed_mentions: { users: [ping] } }
            : { allowed_mentions: NO_MENTIONS }),
        },
        uploads?.files,
      );
    }
    if (message.notify && thread.message !== undefined && thread.user !== undefined) {
      await this.#edits.submit(
        `${thread.channel}/${thread.message}/line`,
        {
          channel: thread.channel,
          body: { content: renderRequestLine(thread.user, thread.command ?? '', message.card.status) },
          final: true,
        },
        thread.message,
      );
    }
  }

  // ---- writing -------------------------------------------------------------------------------

  async #rest(
    method: 'post' | 'patch',
    route: `/${string}`,
    body: object,
    files?: RawFile[],
  ): Promise<{ id: string }> {
    // With files discord.js sends multipart: the body as payload_json, each file as files[n].
    try {
      return (await this.#client.rest[method](route, { body, ...(files ? { files } : {}) })) as {
        id: string;
      };
    } catch (error) {
      // Without Attach Files the whole message is refused (403, 50013): the card still goes.
      if (!files || !(error instanceof DiscordAPIError) || error.status !== 403) throw error;
      this.#logger.warn(
        { route, error: errorText(error) },
        'cannot attach files here (the bot needs Attach Files); posting the message without them',
      );
      const { attachments: _attachments, ...rest } = body as {
        attachments?: unknown;
        embeds?: Array<Record<string, unknown>>;
      };
      const embeds = rest.embeds?.map(({ image: _image, ...embed }) => embed);
      return (await this.#client.rest[method](route, {
        body: { ...rest, ...(embeds ? { embeds } : {}) },
      })) as {
        id: string;
      };
    }
  }

  async #write(content: EditContent, id: string | undefined): Promise<string> {
    const body = { ...content.body, allowed_mentions: NO_MENTIONS };
    if (id !== undefined) {
      await this.#rest('patch', Routes.channelMessage(content.channel, id), body);
      return id;
    }
    const { uploads } = content;
    return (
      await this.#rest(
        'post',
        Routes.channelMessages(content.channel),
        uploads ? { ...body, attachments: uploads.attachments } : body,
        uploads?.files,
      )
    ).id;
  }

  /** The message's files that can go with it; the rest are named in the log. */
  #attachable(message: OutgoingMessage, thread: DiscordThread): readonly Attachment[] {
    const attachments = message.attachments ?? [];
    if (attachments.length === 0) return attachments;
    // Ephemeral answers and the request message carry cards only.
    const cardOnly =
      message.ephemeralTo !== undefined ||
      (message.describesRequest === true && thread.message !== undefined);
    const kept = cardOnly ? [] : attachments.slice(0, DISCORD_MAX_FILES);
    if (kept.length < attachments.length) {
      this.#logger.warn(
        { files: attachments.slice(kept.length).map((a) => a.name), title: message.card.title },
        cardOnly
          ? 'files on an ephemeral or request card are not sent'
          : `Discord takes ${DISCORD_MAX_FILES} files per message; the others are not sent`,
      );
    }
    return kept;
  }

  /**
   * The request message with its card (the plan, the approval state). While the command's own
   * interaction is being answered this is its reply, edited through the interaction; afterwards
   * (an approval an hour later) the same message is edited with the bot token.
   */
  async #drawRequest(thread: DiscordThread, card: Card | undefined, live: LiveInteraction | undefined) {
    const request = live?.request;
    const body = card ? renderCardMessage(card) : { embeds: [], components: [] };
    if (request && !request.drawn && !request.withdrawn && request.thread.message === thread.message) {
      request.drawn = true;
      await (live!.interaction as ChatInputCommandInteraction).editReply({
        content: renderRequestLine(live!.userId, thread.command ?? '', undefined),
        ...body,
        allowedMentions: NO_MENTIONS,
      });
      return;
    }
    if (!card) return;
    await this.#edits.submit(
      `${thread.channel}/${thread.message}/card`,
      { channel: thread.channel, body, final: !OPEN_STATUSES.has(card.status) },
      thread.message,
    );
  }

  /** Starts the thread on the request message, once; a thread made before a restart is kept. */
  #ensureThread(thread: DiscordThread): Promise<void> {
    const id = thread.message!;
    let made = this.#threads.get(id);
    if (!made) {
      made = this.#rest('post', Routes.threads(thread.channel, id), {
        name: truncate(thread.command?.trim() || 'pve', THREAD_NAME_MAX),
        auto_archive_duration: THREAD_ARCHIVE_MINUTES,
      })
        .then(() => undefined)
        .catch((error: unknown) => {
          if (error instanceof DiscordAPIError && error.code === THREAD_ALREADY_CREATED) return;
          this.#threads.delete(id);
          throw error;
        });
      this.#threads.set(id, made);
    }
    return made;
  }

  async #sendEphemeral(identity: string, card: Card, live: LiveInteraction | undefined): Promise<void> {
    const userId = discordUserId(identity);
    if (!live || live.userId !== userId) {
      // Ephemeral messages exist only as answers to that person's own interaction.
      this.#logger.warn(
        { to: identity, title: card.title },
        'no interaction of theirs to answer; message dropped',
      );
      return;
    }
    const request = live.request;
    if (request && !request.drawn && !request.withdrawn) {
      // The command went no further: its public "thinking" reply goes, the answer is theirs alone.
      // (Deleted first: the first follow-up of a deferred reply would otherwise replace it, public.)
      request.withdrawn = true;
      await live.interaction
        .deleteReply()
        .catch((error: unknown) =>
          this.#logger.warn({ error: errorText(error) }, 'cannot delete the deferred reply'),
        );
    }
    const { embeds } = renderCardMessage(card);
    await live.interaction.followUp({ embeds, flags: MessageFlags.Ephemeral, allowedMentions: NO_MENTIONS });
  }

  // ---- receiving -----------------------------------------------------------------------------

  async #onInteraction(interaction: Interaction): Promise<void> {
    if (interaction.isAutocomplete()) return this.#onAutocomplete(interaction);
    if (interaction.isChatInputCommand() && interaction.commandName === DISCORD_COMMAND) {
      return this.#onCommand(interaction);
    }
    if (interaction.isButton() && parseButtonCustomId(interaction.customId))
      return this.#onButton(interaction);
  }

  async #onCommand(interaction: ChatInputCommandInteraction): Promise<void> {
    const subcommand = interaction.options.getSubcommand(false) ?? 'help';
    const options = new Map<string, OptionValue>();
    for (const option of interaction.options.data[0]?.options ?? []) {
      if (option.value !== undefined) options.set(option.name, option.value);
    }
    const text = interactionToText(subcommand, options);
    // Before anything that may be slow: Discord forgets an interaction not answered in 3 s.
    await interaction.deferReply();
    const reply = await interaction.fetchReply();
    const thread: DiscordThread = {
      platform: 'discord',
      channel: interaction.channelId,
      message: reply.id,
      ...(interaction.channel?.isThread() ? { replies: 'channel' as const } : {}),
      user: interaction.user.id,
      command: text,
    };
    const live: LiveInteraction = {
      interaction,
      userId: interaction.user.id,
      request: { thread, drawn: false, withdrawn: false },
    };
    try {
      await this.#live.run(live, () =>
        this.#core!.handle({
          platform: 'discord',
          user: this.#chatUser(interaction),
          channel: `discord:${interaction.channelId}`,
          text,
          thread,
        }),
      );
      // A command that said nothing public (`help` answers ephemerally) leaves no "thinking" behind.
      if (!live.request!.drawn && !live.request!.withdrawn)
        await this.#live.run(live, () => this.#drawRequest(thread, undefined, live));
    } catch (error) {
      this.#logger.error({ error: errorText(error) }, 'the core failed on a Discord command');
      // A first follow-up of a reply still "thinking" would replace it, publicly: withdraw it first.
      if (!live.request!.drawn && !live.request!.withdrawn) {
        live.request!.withdrawn = true;
        await interaction.deleteReply().catch(() => undefined);
      }
      await interaction
        .followUp({
          content: '❌ Something went wrong on my side; the details are in my log. Please try again.',
          flags: MessageFlags.Ephemeral,
        })
        .catch((inner: unknown) => this.#logger.warn({ error: errorText(inner) }, 'cannot answer'));
    }
  }

  async #onButton(interaction: ButtonInteraction): Promise<void> {
    const { action, value } = parseButtonCustomId(interaction.customId)!;
    // Acknowledged at once and without a visible change: the card is redrawn by what follows.
    await interaction.deferUpdate();
    const message = interaction.message;
    // A button on a slash command's reply belongs to that request; any other (a job's progress
    // message, inside the thread) answers in the channel it is in.
    const onRequest = message.interactionMetadata !== null && !interaction.channel?.isThread();
    const thread: DiscordThread = {
      platform: 'discord',
      channel: message.channelId,
      message: message.id,
      ...(onRequest ? {} : { replies: 'channel' as const }),
    };
    const live: LiveInteraction = { interaction, userId: interaction.user.id };
    await this.#live.run(live, () =>
      this.#core!.press({
        action,
        value,
        user: this.#chatUser(interaction),
        platform: 'discord',
        channel: `discord:${interaction.channelId}`,
        thread,
      }),
    );
  }

  async #onAutocomplete(interaction: AutocompleteInteraction): Promise<void> {
    const focused = interaction.options.getFocused(true);
    const command = findCommand(interaction.options.getSubcommand(false) ?? '');
    const definition =
      command?.positionals.find((p) => p.name === focused.name) ?? command?.flags[focused.name];
    const kind = definition ? valueKindOf(definition.schema)?.kind : undefined;
    const suggestions =
      kind === 'guest' || kind === 'node' || kind === 'guest-or-node'
        ? await this.#core!.suggest(kind satisfies SuggestionKind, String(focused.value))
        : [];
    await interaction.respond(
      suggestions.map((s) => ({ name: truncate(s.label, CHOICE_MAX), value: truncate(s.value, CHOICE_MAX) })),
    );
  }

  #chatUser(interaction: ChatInputCommandInteraction | ButtonInteraction): ChatUser {
    const member = interaction.member;
    const roles = !member
      ? []
      : Array.isArray(member.roles)
        ? member.roles
        : [...(member as GuildMember).roles.cache.keys()];
    const name =
      (member && 'displayName' in member ? (member as GuildMember).displayName : undefined) ??
      interaction.user.globalName ??
      interaction.user.username;
    return {
      id: `discord:${interaction.user.id}`,
      name,
      // @everyone is a role whose id is the guild's: everybody holds it, so it names nobody.
      groups: roles.filter((role) => role !== interaction.guildId).map((role) => `discord-role:${role}`),
    };
  }
}
