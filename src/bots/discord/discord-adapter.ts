// Discord through discord.js on the gateway. Only the servers (guilds) the operator named are
// served: an interaction from any other server, or a DM, is answered privately and nothing runs.
// `/pve <subcommand>` (or `/pve <group> <subcommand>`: discord-layout.ts) is acknowledged at
// once, privately (Discord allows 3 seconds), its options written as the command line the
// grammar parses, and submitted to the core with the interaction's id, which the core handles
// once however often Discord delivers it. The handling
// runs later, from the intake, in this replica or another: so the interaction is recorded first
// in the interaction registry (interaction-registry.ts, shared through Redis), and every private
// answer goes through the interaction's webhook with the token found there, from any replica.
// Until the core has checked the grammar and the policy, whatever it says goes to the person
// alone (the private "thinking" reply replaced, then ephemeral follow-ups), so a mistyped or
// refused command leaves no public trace. Once accepted, the core asks for the public record
// (openRequestThread): a message in the channel saying who ran what, which then carries the
// resolved plan and its approval buttons; an unused "thinking" reply is withdrawn then.
// Everything after goes into a thread started on it (or, where the bot may not start threads,
// replies to it in the channel: request-threads.ts): progress as one message edited in place,
// the result as a new message that mentions the requester. A click is acknowledged without a
// visible change and submitted the same way; what it says to the clicker alone is a follow-up
// of the click's own interaction. A click on a command a result offers (Roll back) is a request
// of its own, as if typed where the result is: a new request message, the result left as it is.
//
// Every public write uses the bot token and the ids in the ThreadRef, so a request approved an
// hour later, or after a restart, still lands where it belongs; interaction tokens (15 minutes)
// only answer the person who interacted.
//
// Each replica holds a gateway session, and Discord may deliver one interaction to several: the
// first acknowledgement wins, the others are refused (40060) and that arrival does nothing
// (acknowledge-interaction.ts).
//
// A message's files (the digest's chart) are attached to the message that carries its card, the
// first picture drawn inside the card's embed; an edited message gets them with its first post.
import {
  ApplicationCommandOptionType,
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
import type { ChatEvent, ChatUser } from '../../core/chat-event.js';
import type { SuggestionKind } from '../../core/cluster-directory.js';
import type { CoreApi } from '../../core/core-api.js';
import { commandDefinitions, valueKindOf } from '../../core/grammar/index.js';
import type { Attachment, Card, CardStatus, OutgoingMessage } from '../../core/message.js';
import { quoteCommandText } from '../../core/quote-command-text.js';
import { RUN_COMMAND_ACTION } from '../../core/render-job-event.js';
import type { ThreadRef } from '../../jobs/job-events.js';
import type { Logger } from '../../logger.js';
import type { Metrics } from '../../metrics.js';
import type { ChatAdapter } from '../adapter.js';
import { truncate } from '../card-marks.js';
import { EditCoalescer } from '../edit-coalescer.js';
import { MemoryMessageRefs, type MessageRefs, rememberingWrite } from '../message-refs.js';
import { acknowledgeInteraction } from './acknowledge-interaction.js';
import { parseButtonCustomId } from './button-custom-id.js';
import { findDiscordSubcommand } from './discord-layout.js';
import { createDiscordRestRequest, type DiscordRestRequest } from './discord-rest-request.js';
import { type DiscordThread, discordThreadOf, discordUserId } from './discord-thread.js';
import {
  DISCORD_MAX_FILES,
  type DiscordUploads,
  discordUploads,
  withAttachedImage,
} from './discord-uploads.js';
import {
  type AnsweredInteraction,
  type InteractionRegistry,
  MemoryInteractionRegistry,
} from './interaction-registry.js';
import { interactionToText, type OptionValue } from './interaction-to-text.js';
import { type DiscordMessageBody, renderCardMessage, renderRequestLine } from './render-card-message.js';
import { MISSING_ACCESS, MISSING_PERMISSIONS, RequestThreads } from './request-threads.js';
import { NOT_SERVED_ANSWER, servedGuilds } from './served-guilds.js';
import { CLUSTER_OPTION, DISCORD_COMMAND } from './slash-command-definitions.js';

export interface DiscordAdapterOptions {
  /** The bot token (Developer Portal → Bot). */
  token: string;
  /**
   * The servers (guild ids) the bot serves (DISCORD_GUILD_IDS); required: interactions from any
   * other server or a DM are refused. (The configuration folds DISCORD_GUILD_ID into it.)
   */
  guildIds?: readonly string[] | undefined;
  /** REST base URL (`https://discord.com/api` by default); gateway discovery follows it. Tests: the fake. */
  apiUrl?: string | undefined;
  logger: Logger;
  /** Where keyed messages' ids are kept across restarts (RedisMessageRefs); in memory by default. */
  messageRefs?: MessageRefs;
  /** At most one edit per message this often (Discord allows about 5 edits per 5 s per channel). */
  editIntervalMs?: number;
  /** Counts failed REST calls (`pve_chatops_chat_api_errors_total{platform="discord"}`). */
  metrics?: Metrics | undefined;
  /**
   * Where acknowledged interactions (their tokens) are found by the replica that handles them:
   * RedisInteractionRegistry on the intake connection (a write Redis cannot take fails at once,
   * and this replica still answers from its own memory); in memory by default (one process).
   */
  interactions?: InteractionRegistry;
}

/** Statuses after which a message may still change; any other is final. */
const OPEN_STATUSES: ReadonlySet<CardStatus> = new Set(['running', 'pending']);
const CHOICE_MAX = 100;
/** Discord shows at most 25 autocomplete choices. */
const CHOICES_SHOWN = 25;
const NO_MENTIONS = { parse: [] as never[] };

interface EditContent {
  channel: string;
  body: Partial<DiscordMessageBody>;
  final: boolean;
  /** Sent with the first post only; edits keep the message's attachments as they are. */
  uploads?: DiscordUploads;
  /** The first post replies to this message (a request message, where threads are refused). */
  replyTo?: string;
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

/** The command names `help` offers as they are typed: those starting so first, then those containing it. */
function commandSuggestions(typed: string): Array<{ label: string; value: string }> {
  const text = typed.trim().toLowerCase();
  const names = commandDefinitions.map((c) => c.name);
  const ranked = [
    ...names.filter((n) => n.startsWith(text)),
    ...names.filter((n) => !n.startsWith(text) && n.includes(text)),
  ];
  return ranked.slice(0, CHOICES_SHOWN).map((name) => ({ label: name, value: name }));
}

/** A reply pointing at the request message; posted plainly should that message be gone. */
function replyReference(replyTo: string | undefined): object {
  return replyTo ? { message_reference: { message_id: replyTo, fail_if_not_exists: false } } : {};
}

export class DiscordAdapter implements ChatAdapter {
  readonly platform = 'discord';
  readonly #o: DiscordAdapterOptions;
  readonly #logger: Logger;
  readonly #guilds: ReadonlySet<string>;
  readonly #client: Client;
  /** discord.js's REST requests go through our own undici Agent (discord-rest-request.ts says why). */
  readonly #request: DiscordRestRequest;
  readonly #edits: EditCoalescer<EditContent, string>;
  readonly #threads: RequestThreads;
  /** Which message a key became, shared by the replicas (message-refs.ts). */
  readonly #refs: MessageRefs;
  /** The interactions being answered, as every replica finds them. */
  readonly #interactions: InteractionRegistry;
  /**
   * The ones this replica acknowledged, kept here too: while Redis is down the registry cannot
   * record them, and the person must still hear, privately, that their request was not accepted.
   */
  readonly #received = new MemoryInteractionRegistry();
  #core: CoreApi | undefined;
  #started = false;

  constructor(options: DiscordAdapterOptions) {
    if (!options.token) throw new Error('DiscordAdapter needs a bot token');
    this.#guilds = servedGuilds(options.guildIds ?? []);
    this.#o = options;
    this.#logger = options.logger;
    this.#interactions = options.interactions ?? new MemoryInteractionRegistry();
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
    const refs = options.messageRefs ?? new MemoryMessageRefs();
    this.#refs = refs;
    this.#threads = new RequestThreads({
      post: (route, body) => this.#client.rest.post(route, { body }),
      refs,
      logger: options.logger,
    });
    this.#edits = new EditCoalescer<EditContent, string>({
      // At most one edit per 2 s per message, as the platform sees it (docs/architecture.md,
      // "Performance targets"): 2.1 s here leaves room for network jitter between two edits.
      intervalMs: options.editIntervalMs ?? 2_100,
      isFinal: (content) => content.final,
      retryable: isRetryable,
      write: rememberingWrite(refs, options.logger, (_key, content, id) => this.#write(content, id)),
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
    this.#logger.info({ user: this.#client.user?.tag, guilds: [...this.#guilds] }, 'Discord adapter started');
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

  /**
   * The public record of a command the core accepted: "<@user> ran `/pve …`" in the channel it
   * was typed in. Its message is the request message: the plan and its buttons are drawn on it,
   * and the replies hang off it. The text shown is what will run, on one line and shortened.
   */
  async openRequestThread(event: ChatEvent): Promise<ThreadRef> {
    const thread = discordThreadOf(event.thread);
    if (thread.message !== undefined) return thread;
    const user = thread.user ?? discordUserId(event.user.id) ?? '';
    const command = quoteCommandText(event.text);
    // A replica taking over a request from one that died after posting its request message goes
    // on in that message's thread instead of posting a second (the id is kept once posted).
    const refKey = event.requestId === undefined ? undefined : `request:${event.requestId}`;
    const known = refKey === undefined ? undefined : await this.#refs.get(refKey);
    if (known !== undefined) return { ...thread, message: known, user, command };
    let posted: { id: string };
    try {
      posted = (await this.#client.rest.post(Routes.channelMessages(thread.channel), {
        body: { content: renderRequestLine(user, command), allowed_mentions: NO_MENTIONS },
      })) as { id: string };
    } catch (error) {
      if (
        error instanceof DiscordAPIError &&
        (error.code === MISSING_ACCESS || error.code === MISSING_PERMISSIONS)
      ) {
        // The core tells the person this, privately; nothing has run.
        throw new Error(
          `I may not post in this channel (Discord: ${error.message}), so I cannot run commands here. ` +
            'A server admin can give me View Channel and Send Messages in it.',
        );
      }
      throw error;
    }
    // The command went public: its private "thinking" reply, if nothing replaced it, goes now
    // (rather than turning into "the application did not respond"). Awaited, so a private answer
    // that follows cannot reach Discord first and be taken for the deferred reply.
    if (refKey !== undefined)
      await this.#refs
        .set(refKey, posted.id)
        .catch((error: unknown) =>
          this.#logger.warn({ error: errorText(error) }, 'cannot remember a request message'),
        );
    if (thread.interaction !== undefined) await this.#withdrawDeferredReply(thread.interaction);
    return { ...thread, message: posted.id, user, command };
  }

  async send(message: OutgoingMessage): Promise<void> {
    const thread = discordThreadOf(message.thread);
    const attachments = this.#attachable(message, thread);
    if (message.ephemeralTo) {
      await this.#sendEphemeral(message.ephemeralTo.id, message.card, thread);
      return;
    }
    if (message.describesRequest && thread.message !== undefined) {
      this.#drawRequest(thread, message.card);
      return;
    }
    const target = await this.#threads.replyTarget(thread);
    const body = withAttachedImage(renderCardMessage(message.card), attachments);
    const uploads = attachments.length > 0 ? discordUploads(attachments) : undefined;
    if (message.key) {
      await this.#edits.submit(`${target.channel}/${message.key}`, {
        channel: target.channel,
        body,
        final: !OPEN_STATUSES.has(message.card.status),
        ...(uploads ? { uploads } : {}),
        ...(target.replyTo ? { replyTo: target.replyTo } : {}),
      });
    } else {
      // A result pings its requester; nothing else pings anyone.
      const ping = message.notify ? thread.user : undefined;
      await this.#rest(
        'post',
        Routes.channelMessages(target.channel),
        {
          ...body,
          ...(uploads ? { attachments: uploads.attachments } : {}),
          ...replyReference(target.replyTo),
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
        {
          ...body,
          ...(uploads ? { attachments: uploads.attachments } : {}),
          ...replyReference(content.replyTo),
        },
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

  /** The request message with its card (the plan, the approval state), edited in place. */
  #drawRequest(thread: DiscordThread, card: Card): void {
    void this.#edits.submit(
      `${thread.channel}/${thread.message}/card`,
      { channel: thread.channel, body: renderCardMessage(card), final: !OPEN_STATUSES.has(card.status) },
      thread.message,
    );
  }

  /**
   * A message for one person: an answer to their own interaction (ephemeral messages exist only
   * as such), the one the thread names (a command, or the click being handled) while its token
   * works, through the interaction's webhook: no live interaction object, so any replica can.
   */
  async #sendEphemeral(identity: string, card: Card, thread: DiscordThread): Promise<void> {
    const userId = discordUserId(identity);
    const found = thread.interaction === undefined ? undefined : await this.#answerable(thread.interaction);
    if (!found || found.interaction.userId !== userId) {
      this.#logger.warn(
        { to: identity, title: card.title, interaction: thread.interaction },
        'no interaction of theirs to answer (or its 15 minutes are over); private message dropped',
      );
      return;
    }
    const { interaction } = found;
    const { embeds } = renderCardMessage(card);
    if (await this.#claimDeferredReply(found)) {
      // The first private answer replaces the private "thinking" reply.
      await this.#webhook('patch', interaction, {
        content: '',
        embeds,
        components: [],
        allowed_mentions: NO_MENTIONS,
      });
      return;
    }
    await this.#webhook('post', interaction, {
      embeds,
      flags: MessageFlags.Ephemeral,
      allowed_mentions: NO_MENTIONS,
    });
  }

  /**
   * The interaction's webhook, with its token (no bot authorization): `patch` replaces the
   * deferred reply (@original), `post` sends a follow-up, `delete` withdraws the deferred reply.
   */
  async #webhook(
    method: 'patch' | 'post' | 'delete',
    interaction: AnsweredInteraction,
    body?: object,
  ): Promise<void> {
    const { applicationId, token } = interaction;
    const route =
      method === 'post'
        ? Routes.webhook(applicationId, token)
        : Routes.webhookMessage(applicationId, token, '@original');
    await this.#client.rest[method](route, { auth: false, ...(body ? { body } : {}) });
  }

  /** Records an interaction this replica acknowledged, for whichever replica answers it. */
  async #remember(
    interaction: ChatInputCommandInteraction | ButtonInteraction,
    deferredReply: boolean,
  ): Promise<void> {
    const answered: AnsweredInteraction = {
      id: interaction.id,
      token: interaction.token,
      applicationId: interaction.applicationId,
      userId: interaction.user.id,
    };
    await this.#received.remember(answered, { deferredReply });
    await this.#interactions
      .remember(answered, { deferredReply })
      .catch((error: unknown) =>
        this.#logger.warn(
          { interaction: interaction.id, error: errorText(error) },
          'cannot record a Discord interaction for the other replicas; only this one can answer it privately',
        ),
      );
  }

  /** The interaction and where it was found: the shared registry, else this replica's own memory. */
  async #answerable(id: string): Promise<{ interaction: AnsweredInteraction; shared: boolean } | undefined> {
    try {
      const interaction = await this.#interactions.get(id);
      if (interaction) return { interaction, shared: true };
    } catch (error) {
      this.#logger.warn(
        { interaction: id, error: errorText(error) },
        'cannot read the interaction registry; looking in this replica only',
      );
    }
    const interaction = await this.#received.get(id);
    return interaction ? { interaction, shared: false } : undefined;
  }

  /** Whether this caller, alone, answers the deferred reply (replaces or withdraws it). */
  async #claimDeferredReply(found: { interaction: AnsweredInteraction; shared: boolean }): Promise<boolean> {
    // This replica's copy is claimed too, so a Redis failure later cannot make it claim twice.
    const here = await this.#received.claimDeferredReply(found.interaction.id);
    if (!found.shared) return here;
    try {
      return await this.#interactions.claimDeferredReply(found.interaction.id);
    } catch (error) {
      this.#logger.warn(
        { interaction: found.interaction.id, error: errorText(error) },
        'cannot claim the private deferred reply in the registry; deciding from this replica only',
      );
      return here;
    }
  }

  /** A command's private "thinking" reply that nothing replaced is deleted; failures only logged. */
  async #withdrawDeferredReply(id: string): Promise<void> {
    try {
      const found = await this.#answerable(id);
      if (found && (await this.#claimDeferredReply(found))) await this.#webhook('delete', found.interaction);
    } catch (error) {
      this.#logger.warn({ error: errorText(error) }, 'cannot withdraw the private deferred reply');
    }
  }

  // ---- receiving -----------------------------------------------------------------------------

  async #onInteraction(interaction: Interaction): Promise<void> {
    const ours =
      interaction.isAutocomplete() ||
      (interaction.isChatInputCommand() && interaction.commandName === DISCORD_COMMAND) ||
      (interaction.isButton() && parseButtonCustomId(interaction.customId) !== undefined);
    if (!ours) return;
    if (!this.#serves(interaction)) return this.#refuseOutside(interaction);
    if (interaction.isAutocomplete()) return this.#onAutocomplete(interaction);
    if (interaction.isChatInputCommand()) return this.#onCommand(interaction);
    if (interaction.isButton()) return this.#onButton(interaction);
  }

  #serves(interaction: Interaction): boolean {
    return interaction.guildId !== null && this.#guilds.has(interaction.guildId);
  }

  /** Another server, or a DM: told so privately, and nothing runs. */
  async #refuseOutside(interaction: Interaction): Promise<void> {
    this.#logger.warn(
      { guild: interaction.guildId ?? 'DM', user: interaction.user.id, interaction: interaction.id },
      'Discord interaction from a server this bot does not serve; refused',
    );
    if (interaction.isAutocomplete()) {
      await interaction.respond([]);
      return;
    }
    if (!interaction.isRepliable()) return;
    await acknowledgeInteraction(
      () =>
        interaction.reply({
          content: NOT_SERVED_ANSWER,
          flags: MessageFlags.Ephemeral,
          allowedMentions: NO_MENTIONS,
        }),
      interaction,
      this.#logger,
    );
  }

  async #onCommand(interaction: ChatInputCommandInteraction): Promise<void> {
    const group = interaction.options.getSubcommandGroup(false);
    const subcommand = interaction.options.getSubcommand(false) ?? 'help';
    // The subcommand's options: under `/pve`, or one level deeper in a group.
    let invoked = interaction.options.data[0];
    if (invoked?.type === ApplicationCommandOptionType.SubcommandGroup) invoked = invoked.options?.[0];
    const options = new Map<string, OptionValue>();
    for (const option of invoked?.options ?? []) {
      if (option.value !== undefined) options.set(option.name, option.value);
    }
    const text = interactionToText({ group, subcommand }, options);
    // At once, before anything that may be slow (Discord forgets an interaction not answered in
    // 3 s), and privately: nothing is public before the core has accepted the command.
    const answered = await acknowledgeInteraction(
      () => interaction.deferReply({ flags: MessageFlags.Ephemeral }),
      interaction,
      this.#logger,
    );
    if (!answered) return;
    const thread: DiscordThread = {
      platform: 'discord',
      channel: interaction.channelId,
      // Inside a thread the request and its replies stay in that thread (no thread of a thread).
      ...(interaction.channel?.isThread() ? { replies: 'channel' as const } : {}),
      user: interaction.user.id,
      command: quoteCommandText(text),
      interaction: interaction.id,
    };
    // Recorded before the submit: the replica that handles it may be another, at once.
    await this.#remember(interaction, true);
    await this.#submit(interaction, thread, () =>
      this.#core!.handle({
        platform: 'discord',
        user: this.#chatUser(interaction),
        channel: `discord:${interaction.channelId}`,
        text,
        thread,
        requestId: `discord:interaction:${interaction.id}`,
      }),
    );
  }

  async #onButton(interaction: ButtonInteraction): Promise<void> {
    const { action, value } = parseButtonCustomId(interaction.customId)!;
    // Acknowledged at once and without a visible change: the card is redrawn by what follows.
    const answered = await acknowledgeInteraction(() => interaction.deferUpdate(), interaction, this.#logger);
    if (!answered) return;
    // The click's own interaction carries what is said to the clicker alone ("you may not").
    const thread: DiscordThread = {
      ...(action === RUN_COMMAND_ACTION
        ? this.#threadOfOffer(interaction, value)
        : this.#threadOfButton(interaction)),
      interaction: interaction.id,
    };
    await this.#remember(interaction, false);
    await this.#submit(interaction, thread, () =>
      this.#core!.press({
        action,
        value,
        user: this.#chatUser(interaction),
        platform: 'discord',
        channel: `discord:${interaction.channelId}`,
        thread,
        requestId: `discord:interaction:${interaction.id}`,
      }),
    );
  }

  /** Hands the core a request; should the core itself fail, the person hears it privately. */
  async #submit(
    interaction: ChatInputCommandInteraction | ButtonInteraction,
    thread: DiscordThread,
    submit: () => Promise<void>,
  ): Promise<void> {
    try {
      await submit();
    } catch (error) {
      this.#logger.error({ error: errorText(error) }, 'the core failed on a Discord interaction');
      await this.#sendEphemeral(
        `discord:${interaction.user.id}`,
        {
          title: 'Something went wrong on my side',
          status: 'failed',
          text: 'The details are in my log. Please try again.',
        },
        thread,
      ).catch((inner: unknown) => this.#logger.warn({ error: errorText(inner) }, 'cannot answer'));
    }
  }

  /**
   * The conversation a clicked message belongs to. In a thread: that thread. A reply in the
   * channel (where threads are refused): the request it replies to. Any other message in the
   * channel is a request message (the plan and its approval buttons are drawn there).
   */
  #threadOfButton(interaction: ButtonInteraction): DiscordThread {
    const message = interaction.message;
    const base = { platform: 'discord' as const, channel: message.channelId };
    if (interaction.channel?.isThread()) return { ...base, message: message.id, replies: 'channel' };
    const repliedTo = message.reference?.messageId;
    return { ...base, message: repliedTo ?? message.id };
  }

  /**
   * A command a result offered ("Roll back"): a request of its own, as if the presser had typed
   * it where the result is (that thread, or the channel), with a request message of its own. The
   * result's message is not a request message and is left as it is.
   */
  #threadOfOffer(interaction: ButtonInteraction, command: string): DiscordThread {
    return {
      platform: 'discord',
      channel: interaction.channelId,
      ...(interaction.channel?.isThread() ? { replies: 'channel' as const } : {}),
      user: interaction.user.id,
      command: quoteCommandText(command),
    };
  }

  async #onAutocomplete(interaction: AutocompleteInteraction): Promise<void> {
    const focused = interaction.options.getFocused(true);
    const subcommand = findDiscordSubcommand(
      interaction.options.getSubcommandGroup(false),
      interaction.options.getSubcommand(false) ?? '',
    );
    const option = subcommand?.options.find((o) => o.name === focused.name);
    const kind = option ? valueKindOf(option.definition.schema)?.kind : undefined;
    const typed = String(focused.value);
    const suggestions =
      focused.name === CLUSTER_OPTION
        ? await this.#core!.suggest('cluster', typed)
        : kind === 'guest' || kind === 'node' || kind === 'guest-or-node'
          ? await this.#core!.suggest(kind satisfies SuggestionKind, typed)
          : kind === 'command'
            ? commandSuggestions(typed)
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
