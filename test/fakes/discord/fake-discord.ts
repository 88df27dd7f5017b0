// A fake Discord that speaks the real wire protocols, for the real discord.js Client to talk to:
// REST at /api/v10 (bot-token routes, interaction callbacks and webhooks) and the gateway at
// /gateway (HELLO, IDENTIFY/RESUME, heartbeats, dispatches). Point the client at it with
// `new Client({ intents, rest: { api: fake.apiUrl } })`; GET /gateway/bot hands out gatewayUrl.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  autocompleteJson,
  buttonJson,
  type InteractionContext,
  slashCommandJson,
} from './build-interactions.js';
import {
  APP_PERMISSIONS,
  guildCreateJson,
  type Identity,
  messageJson,
  readyJson,
  roleJson,
  textChannelJson,
} from './build-payloads.js';
import { commandData } from './command-options.js';
import { DiscordStore, snapshot } from './discord-store.js';
import { buttonIds, findButton } from './find-button.js';
import { GatewayServer } from './gateway-server.js';
import { type InteractionKind, InteractionRegistry } from './interaction-registry.js';
import { RestServer } from './rest-server.js';
import type {
  AutocompleteChoice,
  AutocompleteInput,
  ButtonClickInput,
  DispatchTarget,
  FakeCall,
  FakeDiscordUser,
  FakeInteraction,
  FakeMessage,
  FakeThread,
  RestFault,
  SlashCommandInput,
} from './types.js';

export { InteractionTimeoutError } from './interaction-timeout-error.js';
export type {
  AutocompleteChoice,
  AutocompleteInput,
  ButtonClickInput,
  DispatchTarget,
  FakeAttachment,
  FakeAuth,
  FakeCall,
  FakeDiscordUser,
  FakeInteraction,
  FakeMessage,
  FakeThread,
  RestFault,
  SlashCommandInput,
} from './types.js';

export const FAKE_DISCORD_DEFAULTS = {
  token: 'fake-discord-bot-token',
  applicationId: '100000000000000001',
  botUserId: '100000000000000002',
  guildId: '100000000000000003',
  /** Discord's limit is 3 s; lower it to test the timeout path quickly. */
  ackTimeoutMs: 3000,
  /** Discord's usual value; discord.js sends its first heartbeat after a random part of it. */
  heartbeatIntervalMs: 41250,
} as const;

export type FakeDiscordOptions = {
  [K in keyof typeof FAKE_DISCORD_DEFAULTS]: (typeof FAKE_DISCORD_DEFAULTS)[K] extends string
    ? string
    : number;
};

const GUILDS_INTENT = 1;
/** PermissionFlagsBits.CreatePublicThreads. */
const CREATE_PUBLIC_THREADS = 1n << 35n;

export class FakeDiscord {
  readonly token: string;
  readonly applicationId: string;
  readonly botUserId: string;
  readonly guildId: string;
  readonly ackTimeoutMs: number;
  /** http://127.0.0.1:P/api — for `rest.api` / DISCORD_API_URL (discord.js appends /v10). */
  readonly apiUrl: string;
  /** ws://127.0.0.1:P/gateway — what GET /gateway/bot returns. */
  readonly gatewayUrl: string;

  private readonly server: Server;
  private readonly store = new DiscordStore();
  private readonly identity: Identity;
  private readonly gateway: GatewayServer;
  private readonly interactions: InteractionRegistry;
  private readonly rest: RestServer;
  /** Stable command ids for commands the bot never registered. */
  private readonly unregisteredIds = new Map<string, string>();
  /** Each interaction's INTERACTION_CREATE payload and sessions, for redeliver(). */
  private readonly payloads = new Map<string, { payload: unknown; deliverTo: DispatchTarget }>();
  private readonly startedAt = Date.now();

  private constructor(server: Server, options: FakeDiscordOptions) {
    this.server = server;
    this.token = options.token;
    this.applicationId = options.applicationId;
    this.botUserId = options.botUserId;
    this.guildId = options.guildId;
    this.ackTimeoutMs = options.ackTimeoutMs;
    const { port } = server.address() as AddressInfo;
    this.apiUrl = `http://127.0.0.1:${port}/api`;
    this.gatewayUrl = `ws://127.0.0.1:${port}/gateway`;
    this.identity = {
      token: this.token,
      applicationId: this.applicationId,
      botUserId: this.botUserId,
      guildId: this.guildId,
      gatewayUrl: this.gatewayUrl,
    };
    this.interactions = new InteractionRegistry(this.store, this.ackTimeoutMs);
    this.gateway = new GatewayServer({
      token: this.token,
      heartbeatIntervalMs: options.heartbeatIntervalMs,
      // Discord's session ids are 32 hex characters.
      newSessionId: () => randomBytes(16).toString('hex'),
      ready: (sessionId) => readyJson(this.identity, sessionId),
      guildCreate: () => guildCreateJson(this.identity, this.store, this.startedAt),
      changed: () => this.store.changed(),
    });
    this.rest = new RestServer(this.token, this.store, {
      store: this.store,
      id: this.identity,
      interactions: this.interactions,
      dispatch: (t, d) => this.gateway.dispatch(t, d),
      intents: () => this.gateway.intents,
    });
    this.gateway.attach(server);
    server.on('request', (req, res) => this.rest.handle(req, res));
  }

  static async start(options: Partial<FakeDiscordOptions> = {}): Promise<FakeDiscord> {
    const settings = { ...FAKE_DISCORD_DEFAULTS, ...dropUndefined(options) };
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return new FakeDiscord(server, settings);
  }

  async stop(): Promise<void> {
    this.interactions.close();
    await this.gateway.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- setup ---------------------------------------------------------------------------------

  /** A guild text channel (type 0), listed in GUILD_CREATE (and sent as CHANNEL_CREATE if a client is on). */
  addChannel(id: string, name = `channel-${id}`): void {
    const channel = { id, name, type: 0 as const, autoArchiveDuration: 1440, createdAt: Date.now() };
    this.store.channels.set(id, channel);
    if ((this.gateway.intents & GUILDS_INTENT) !== 0) {
      this.gateway.dispatch('CHANNEL_CREATE', textChannelJson(channel, this.guildId));
    }
    this.store.changed();
  }

  /** A guild role, listed in GUILD_CREATE (and sent as GUILD_ROLE_CREATE if a client is on). */
  addRole(id: string, name: string): void {
    const role = { id, name, position: this.store.roles.size + 1 };
    this.store.roles.set(id, role);
    if ((this.gateway.intents & GUILDS_INTENT) !== 0) {
      this.gateway.dispatch('GUILD_ROLE_CREATE', { guild_id: this.guildId, role: roleJson(role) });
    }
    this.store.changed();
  }

  /**
   * The bot loses (or, with `refused` false, gets back) Create Public Threads in this channel:
   * starting a thread there answers 403 with code 50013 "Missing Permissions", and interactions
   * from it carry app_permissions without that bit, as on Discord.
   */
  refuseThreads(channelId: string, refused = true): void {
    if (refused) this.store.threadsRefused.add(channelId);
    else this.store.threadsRefused.delete(channelId);
  }

  // ---- gateway -------------------------------------------------------------------------------

  /** Resolves once the newest client has completed IDENTIFY→READY (or RESUME→RESUMED) and is connected. */
  ready(): Promise<void> {
    return this.store.waitFor(() => this.gateway.connected, 10_000).then(() => undefined);
  }

  /** Gateway sessions whose client is connected now (one per bot replica). */
  get connectedSessions(): number {
    return this.gateway.connectedSessions;
  }

  get identifies(): number {
    return this.gateway.identifies;
  }

  get resumes(): number {
    return this.gateway.resumes;
  }

  /** op 7 RECONNECT; resolves once the client has resumed its session (RESUMED sent). */
  async reconnect(): Promise<void> {
    const identifies = this.gateway.identifies;
    const resumes = this.gateway.resumes;
    this.gateway.reconnect();
    await this.store.waitFor(
      () =>
        this.gateway.connected && (this.gateway.resumes > resumes || this.gateway.identifies > identifies),
      10_000,
    );
    if (this.gateway.resumes === resumes) {
      throw new Error('FakeDiscord.reconnect: the client identified anew instead of resuming its session');
    }
  }

  /** op 9 INVALID_SESSION; resolves once the client is ready again (resumed, or identified anew). */
  async invalidateSession(resumable: boolean): Promise<void> {
    const identifies = this.gateway.identifies;
    const resumes = this.gateway.resumes;
    this.gateway.invalidateSession(resumable);
    await this.store.waitFor(
      () =>
        this.gateway.connected && (this.gateway.resumes > resumes || this.gateway.identifies > identifies),
      15_000,
    );
  }

  // ---- interactions --------------------------------------------------------------------------

  /** A person runs /<name> <subcommand> with these options; dispatched as INTERACTION_CREATE. */
  slashCommand(input: SlashCommandInput): FakeInteraction {
    const name = input.name ?? 'pve';
    const data = commandData(this.store, this.guildId, this.unregisteredIds, {
      name,
      subcommand: input.subcommand,
      options: input.options ?? {},
    });
    return this.issue(2, name, input, undefined, (ctx) => slashCommandJson(ctx, data), input.deliverTo);
  }

  /** A person types into `focused`; resolves with the choices the bot answered (callback type 8). */
  async autocomplete(input: AutocompleteInput): Promise<AutocompleteChoice[]> {
    const name = input.name ?? 'pve';
    const data = commandData(this.store, this.guildId, this.unregisteredIds, {
      name,
      subcommand: input.subcommand,
      options: input.options ?? {},
      focused: input.focused,
    });
    const interaction = this.issue(
      4,
      name,
      input,
      undefined,
      (ctx) => autocompleteJson(ctx, data),
      input.deliverTo,
    );
    const answer = await interaction.acknowledged;
    const choices = (answer.data as { choices?: AutocompleteChoice[] } | undefined)?.choices ?? [];
    return choices.map(({ name: choiceName, value }) => ({ name: choiceName, value }));
  }

  /** A person clicks a button on the current version of `message`. */
  clickButton(input: ButtonClickInput): FakeInteraction {
    const message = this.store.messages.get(input.message.id);
    if (message === undefined || message.deleted) {
      throw new Error(`FakeDiscord.clickButton: message ${input.message.id} does not exist (any more)`);
    }
    if (message.ephemeralTo !== undefined && message.ephemeralTo !== input.user.id) {
      throw new Error(
        `FakeDiscord.clickButton: message ${message.id} is ephemeral to ${message.ephemeralTo}`,
      );
    }
    const button = findButton(message.components, input.customId);
    if (button === undefined) {
      throw new Error(
        `FakeDiscord.clickButton: message ${message.id} has no button '${input.customId}' (has: ${buttonIds(message.components).join(', ') || 'none'})`,
      );
    }
    if (button.disabled === true) {
      throw new Error(`FakeDiscord.clickButton: button '${input.customId}' on ${message.id} is disabled`);
    }
    const json = messageJson(message, this.identity, this.store);
    const from = { user: input.user, channelId: message.channelId, guildId: input.guildId };
    return this.issue(
      3,
      input.customId,
      from,
      message.id,
      (ctx) => buttonJson(ctx, json, input.customId),
      input.deliverTo,
    );
  }

  /**
   * Discord sends the same INTERACTION_CREATE again (same id, same token), as a gateway replay
   * after a resume or a second session of the bot may: its callback is then already answered.
   * It goes to the sessions the first delivery went to, unless `deliverTo` says otherwise.
   */
  redeliver(interaction: FakeInteraction, deliverTo?: DispatchTarget): void {
    const issued = this.payloads.get(interaction.id);
    if (issued === undefined) throw new Error(`FakeDiscord.redeliver: unknown interaction ${interaction.id}`);
    const to = deliverTo ?? issued.deliverTo;
    if (this.gateway.dispatch('INTERACTION_CREATE', issued.payload, to) === 'dropped') {
      throw new Error('FakeDiscord.redeliver: no gateway session could receive it');
    }
  }

  private issue(
    kind: InteractionKind,
    name: string,
    from: { user: FakeDiscordUser; channelId: string; guildId?: string | null | undefined },
    sourceMessageId: string | undefined,
    build: (ctx: InteractionContext) => unknown,
    deliverTo: DispatchTarget = 'every-session',
  ): FakeInteraction {
    const { user, channelId } = from;
    if (from.guildId === null && !this.store.channels.has(channelId)) {
      this.store.channels.set(channelId, {
        id: channelId,
        name: `dm-${user.username}`,
        type: 1,
        autoArchiveDuration: 1440,
        createdAt: Date.now(),
      });
    }
    const channel = this.store.channels.get(channelId);
    if (channel === undefined) {
      throw new Error(`FakeDiscord: unknown channel ${channelId}; call addChannel(${channelId}) first`);
    }
    if ((from.guildId === null) !== (channel.type === 1)) {
      throw new Error(
        `FakeDiscord: channel ${channelId} is ${channel.type === 1 ? 'a DM' : 'a guild channel'}; pass guildId ${channel.type === 1 ? 'null' : 'a guild id or nothing'}`,
      );
    }
    for (const role of user.roles ?? []) {
      if (!this.store.roles.has(role) && role !== this.guildId) {
        throw new Error(
          `FakeDiscord: ${user.username} holds role ${role}, which is not a guild role; call addRole first`,
        );
      }
    }
    const { interaction, handle } = this.interactions.create({
      type: kind,
      name,
      user,
      channelId,
      ...(sourceMessageId !== undefined ? { sourceMessageId } : {}),
    });
    const refused = this.store.threadsRefused.has(channel.parentId ?? channel.id);
    const payload = build({
      id: this.identity,
      interactionId: interaction.id,
      token: interaction.token,
      user,
      channel,
      ...(from.guildId !== undefined ? { guildId: from.guildId } : {}),
      ...(refused ? { appPermissions: String(BigInt(APP_PERMISSIONS) & ~CREATE_PUBLIC_THREADS) } : {}),
    });
    this.payloads.set(interaction.id, { payload, deliverTo });
    if (this.gateway.dispatch('INTERACTION_CREATE', payload, deliverTo) === 'dropped') {
      interaction.undeliveredReason =
        'no gateway session could receive it: no client had identified, or its session ended';
    }
    return handle;
  }

  // ---- state ---------------------------------------------------------------------------------

  /** Non-ephemeral messages (current version), oldest first, excluding deleted ones. */
  messages(channelId?: string): FakeMessage[] {
    return [...this.store.messages.values()]
      .filter((m) => !m.deleted && m.ephemeralTo === undefined)
      .filter((m) => channelId === undefined || m.channelId === channelId)
      .map(snapshot);
  }

  /** Ephemeral messages (flags & 64), to that user or to anyone. */
  ephemerals(userId?: string): FakeMessage[] {
    return [...this.store.messages.values()]
      .filter((m) => !m.deleted && m.ephemeralTo !== undefined)
      .filter((m) => userId === undefined || m.ephemeralTo === userId)
      .map(snapshot);
  }

  threads(): FakeThread[] {
    return this.store.threads();
  }

  /** The accepted bodies of PUT .../commands, in order. */
  commandRegistrations(): Array<{ guildId?: string; commands: unknown[] }> {
    return structuredClone(this.store.registrations);
  }

  /** Every REST request, faulted ones too, oldest first. */
  calls(): FakeCall[] {
    return [...this.store.calls];
  }

  /** Resolves with find()'s first value that is not undefined/false/null; re-checked on every change. */
  waitFor<T>(find: () => T | undefined | false | null, timeoutMs = 10_000): Promise<T> {
    return this.store.waitFor(find, timeoutMs);
  }

  /** Every interaction token issued so far stops working, as after Discord's 15 minutes. */
  expireInteractionTokens(): void {
    this.interactions.expireAll();
  }

  /** The next REST call matching method and path (without /api/v10) gets this fault instead. */
  failNext(method: string, pathPattern: RegExp, fault: RestFault): void {
    this.rest.failNext(method, pathPattern, fault);
  }
}

function dropUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
