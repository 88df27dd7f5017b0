// The fake Discord against the real discord.js v14 Client: REST over HTTP at fake.apiUrl, the
// gateway over a WebSocket. Each test logs a fresh client in and waits on events, never sleeps.
import { once } from 'node:events';
import {
  ActionRowBuilder,
  type AutocompleteInteraction,
  ButtonBuilder,
  type ButtonInteraction,
  ButtonStyle,
  type ChatInputCommandInteraction,
  Client,
  type ClientOptions,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  type Interaction,
  MessageFlags,
  PermissionFlagsBits,
  Routes,
  type TextChannel,
} from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { FakeDiscord, type FakeDiscordUser } from './discord/fake-discord.js';

const CHANNEL = '200000000000000001';
const ONCALL = '300000000000000001';
const ALICE: FakeDiscordUser = { id: '400000000000000001', username: 'alice', roles: [ONCALL] };
const BOB: FakeDiscordUser = { id: '400000000000000002', username: 'bob' };

let fake: FakeDiscord;
let client: Client | undefined;

async function startFake(options: Parameters<typeof FakeDiscord.start>[0] = {}): Promise<void> {
  fake = await FakeDiscord.start(options);
  fake.addChannel(CHANNEL, 'ops');
  fake.addRole(ONCALL, 'on-call');
}

beforeEach(() => startFake());

afterEach(async () => {
  await client?.destroy();
  client = undefined;
  await fake.stop();
});

/** A logged-in client, after discord.js emitted clientReady. */
async function login(options: Partial<ClientOptions> = {}): Promise<Client> {
  const c = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiUrl }, ...options });
  client = c;
  const ready = once(c, Events.ClientReady);
  await c.login(fake.token);
  await ready;
  return c;
}

/** The next interaction the client emits. */
async function nextInteraction<T extends Interaction>(c: Client): Promise<T> {
  const [interaction] = (await once(c, Events.InteractionCreate)) as [T];
  return interaction;
}

async function channel(c: Client): Promise<TextChannel> {
  return (await c.channels.fetch(CHANNEL)) as TextChannel;
}

/** The DiscordAPIError a promise rejects with. */
async function apiError(promise: Promise<unknown>): Promise<DiscordAPIError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DiscordAPIError);
  return error as DiscordAPIError;
}

describe('FakeDiscord gateway', () => {
  it('gets a client ready at once, with the guild, its channels and roles cached', async () => {
    const c = await login();
    await fake.ready();
    const guild = c.guilds.cache.get(fake.guildId);
    expect(guild?.available).toBe(true);
    expect(guild?.channels.cache.get(CHANNEL)?.name).toBe('ops');
    expect(guild?.roles.everyone.id).toBe(fake.guildId);
    expect(guild?.roles.cache.get(ONCALL)?.name).toBe('on-call');
    expect(c.user?.id).toBe(fake.botUserId);
    expect(c.application?.id).toBe(fake.applicationId);
    expect(fake.identifies).toBe(1);
    expect(fake.calls()[0]).toMatchObject({ method: 'GET', path: '/gateway/bot', auth: 'bot', status: 200 });
  });

  it('answers a wrong token with 401, which discord.js reports as an invalid token', async () => {
    const c = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiUrl } });
    client = c;
    await expect(c.login('not-the-token')).rejects.toMatchObject({ code: 'TokenInvalid' });
    expect(fake.calls()[0]).toMatchObject({ path: '/gateway/bot', auth: 'bad', status: 401 });
  });

  it('on RECONNECT the client resumes, and an interaction created meanwhile is replayed to it', async () => {
    const c = await login();
    const received = nextInteraction<ChatInputCommandInteraction>(c);
    const reconnected = fake.reconnect();
    // The client is away now: Discord keeps the dispatch for the session and replays it on RESUME.
    const interaction = fake.slashCommand({ user: ALICE, channelId: CHANNEL, subcommand: 'status' });
    await reconnected;
    expect({ identifies: fake.identifies, resumes: fake.resumes }).toEqual({ identifies: 1, resumes: 1 });
    const arrived = await received;
    expect(arrived.id).toBe(interaction.id);
    await arrived.reply('ok');
    expect((await interaction.acknowledged).type).toBe(4);
  });

  it('on INVALID_SESSION the client resumes if it may, else identifies anew', async () => {
    // discord.js waits 5 s between IDENTIFYs of one client; a no-op throttler skips that wait.
    const c = await login({
      ws: { buildIdentifyThrottler: () => ({ waitForIdentify: async () => undefined }) },
    });
    // The fake resolves once it sent RESUMED; the client handles it a moment later.
    const resumed = once(c, Events.ShardResume);
    await fake.invalidateSession(true);
    await resumed;
    expect({ identifies: fake.identifies, resumes: fake.resumes }).toEqual({ identifies: 1, resumes: 1 });
    await fake.invalidateSession(false);
    expect({ identifies: fake.identifies, resumes: fake.resumes }).toEqual({ identifies: 2, resumes: 1 });
    const received = nextInteraction(c);
    const interaction = fake.slashCommand({ user: ALICE, channelId: CHANNEL, subcommand: 'status' });
    expect((await received).id).toBe(interaction.id);
  });

  it('speaks the raw protocol: HELLO, heartbeat ACK, INVALID_SESSION for an unknown session, 4004 for a bad token', async () => {
    const ws = new WebSocket(`${fake.gatewayUrl}?v=10&encoding=json`);
    const frames: Array<{ op: number; d: unknown }> = [];
    const frame = (): Promise<{ op: number; d: unknown }> =>
      new Promise((resolve) => {
        const take = (): void => {
          const next = frames.shift();
          if (next !== undefined) resolve(next);
          else ws.once('message', take);
        };
        take();
      });
    ws.on('message', (data) => frames.push(JSON.parse(String(data))));
    const closed = once(ws, 'close');
    expect(await frame()).toEqual({ op: 10, d: { heartbeat_interval: 41250 }, s: null, t: null });
    ws.send(JSON.stringify({ op: 1, d: null }));
    expect(await frame()).toMatchObject({ op: 11 });
    ws.send(JSON.stringify({ op: 6, d: { token: fake.token, session_id: 'gone', seq: 3 } }));
    expect(await frame()).toMatchObject({ op: 9, d: false });
    ws.send(JSON.stringify({ op: 2, d: { token: 'wrong', intents: 1, properties: {} } }));
    const [code] = (await closed) as [number];
    expect(code).toBe(4004);
    expect(fake.identifies).toBe(0);
  });
});

describe('FakeDiscord interactions', () => {
  it('delivers a slash command with typed options to a cached guild member holding their roles', async () => {
    const c = await login();
    const received = nextInteraction<ChatInputCommandInteraction>(c);
    fake.slashCommand({
      user: ALICE,
      channelId: CHANNEL,
      subcommand: 'migrate',
      options: { vm: 'TestVM', node: 'node03', vmid: 100, online: true },
    });
    const interaction = await received;
    expect(interaction.isChatInputCommand()).toBe(true);
    expect(interaction.inCachedGuild()).toBe(true);
    expect(interaction.commandName).toBe('pve');
    expect(interaction.options.getSubcommand()).toBe('migrate');
    expect(interaction.options.getString('vm')).toBe('TestVM');
    expect(interaction.options.getInteger('vmid')).toBe(100);
    expect(interaction.options.getBoolean('online')).toBe(true);
    expect(interaction.channelId).toBe(CHANNEL);
    expect(interaction.user.username).toBe('alice');
    if (!interaction.inCachedGuild()) throw new Error('not cached');
    expect(interaction.member.roles.cache.has(ONCALL)).toBe(true);
    expect([...interaction.member.roles.cache.keys()].sort()).toEqual([ONCALL, fake.guildId].sort());
  });

  it('records an ephemeral reply for that user only', async () => {
    const c = await login();
    const received = nextInteraction<ChatInputCommandInteraction>(c);
    const interaction = fake.slashCommand({ user: BOB, channelId: CHANNEL, subcommand: 'help' });
    await (await received).reply({ content: 'only you', flags: MessageFlags.Ephemeral });
    expect(await interaction.acknowledged).toEqual({ type: 4, data: expect.objectContaining({ flags: 64 }) });
    expect(fake.ephemerals(BOB.id).map((m) => [m.content, m.ephemeralTo, m.interactionId])).toEqual([
      ['only you', BOB.id, interaction.id],
    ]);
    expect(fake.ephemerals(ALICE.id)).toEqual([]);
    expect(fake.messages(CHANNEL)).toEqual([]);
  });

  it('defers, then editReply resolves the thinking message and followUp adds another', async () => {
    const c = await login();
    const received = nextInteraction<ChatInputCommandInteraction>(c);
    const interaction = fake.slashCommand({ user: ALICE, channelId: CHANNEL, subcommand: 'status' });
    const command = await received;
    await command.deferReply();
    expect(await interaction.acknowledged).toEqual({ type: 5, data: { flags: 0 } });
    // The deferral is a real message: "pve-chatops is thinking…" (flags 128 LOADING).
    expect(fake.messages(CHANNEL).map((m) => [m.content, m.flags])).toEqual([['', 128]]);
    const edited = await command.editReply('3 nodes online');
    await command.followUp('and one more thing');
    const [original, followUp] = fake.messages(CHANNEL);
    expect(original).toMatchObject({ id: edited.id, content: '3 nodes online', flags: 0, edits: 1 });
    expect(followUp).toMatchObject({
      content: 'and one more thing',
      edits: 0,
      interactionId: interaction.id,
    });
  });

  it('turns the first follow-up after a deferral into the deferred response, keeping its visibility', async () => {
    const c = await login();
    const received = nextInteraction<ChatInputCommandInteraction>(c);
    fake.slashCommand({ user: ALICE, channelId: CHANNEL, subcommand: 'status' });
    const command = await received;
    const deferred = await command.deferReply({ withResponse: true });
    expect(deferred.interaction.responseMessageLoading).toBe(true);
    const first = await command.followUp({ content: 'asked to be ephemeral', flags: MessageFlags.Ephemeral });
    const second = await command.followUp({ content: 'really ephemeral', flags: MessageFlags.Ephemeral });
    const original = await command.fetchReply();
    expect(first.id).toBe(original.id);
    expect(deferred.resource?.message?.id).toBe(original.id);
    expect(fake.messages(CHANNEL).map((m) => [m.id, m.content, m.flags])).toEqual([
      [original.id, 'asked to be ephemeral', 0],
    ]);
    expect(fake.ephemerals(ALICE.id).map((m) => [m.id, m.content])).toEqual([
      [second.id, 'really ephemeral'],
    ]);
  });

  it('delivers a button click with the message it was on, and update() edits that message', async () => {
    const c = await login();
    const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder().setCustomId('pve:approve:1').setLabel('Approve').setStyle(ButtonStyle.Success),
      new ButtonBuilder().setCustomId('pve:deny:1').setLabel('Deny').setStyle(ButtonStyle.Danger),
    );
    const sent = await (await channel(c)).send({ content: 'approve?', components: [row] });
    const [message] = fake.messages(CHANNEL);
    const received = nextInteraction<ButtonInteraction>(c);
    const click = fake.clickButton({ user: ALICE, message: message!, customId: 'pve:approve:1' });
    const button = await received;
    expect(button.isButton()).toBe(true);
    expect(button.inCachedGuild()).toBe(true);
    expect(button.customId).toBe('pve:approve:1');
    expect(button.message.id).toBe(sent.id);
    expect(button.message.components).toHaveLength(1);
    await button.update({ content: 'approved by alice', components: [] });
    expect((await click.acknowledged).type).toBe(7);
    expect(fake.messages(CHANNEL)).toEqual([
      expect.objectContaining({ id: sent.id, content: 'approved by alice', components: [], edits: 1 }),
    ]);
    expect(() => fake.clickButton({ user: ALICE, message: message!, customId: 'pve:approve:1' })).toThrow(
      /no button/,
    );
  });

  it('returns the choices the bot answers to autocomplete', async () => {
    const c = await login();
    c.on(Events.InteractionCreate, (interaction) => {
      if (!interaction.isAutocomplete()) return;
      const typed = (interaction as AutocompleteInteraction).options.getFocused();
      const names = ['TestVM', 'TestCT', 'web01'].filter((n) => n.startsWith(typed));
      void interaction.respond(names.map((name) => ({ name: `${name} (running)`, value: name })));
    });
    const choices = await fake.autocomplete({
      user: ALICE,
      channelId: CHANNEL,
      subcommand: 'migrate',
      options: { vm: 'Test', node: 'node03' },
      focused: 'vm',
    });
    expect(choices).toEqual([
      { name: 'TestVM (running)', value: 'TestVM' },
      { name: 'TestCT (running)', value: 'TestCT' },
    ]);
  });

  it('refuses a second acknowledgement with 40060', async () => {
    const c = await login();
    const received = nextInteraction<ChatInputCommandInteraction>(c);
    fake.slashCommand({ user: ALICE, channelId: CHANNEL, subcommand: 'status' });
    const command = await received;
    await command.deferReply();
    const again = c.rest.post(Routes.interactionCallback(command.id, command.token), {
      body: { type: 4, data: { content: 'again' } },
      auth: false,
    });
    expect(await apiError(again)).toMatchObject({ status: 400, code: 40060 });
  });

  it('refuses a callback after the ack window and the webhook after the token expired', async () => {
    await fake.stop();
    await startFake({ ackTimeoutMs: 200 });
    const c = await login();
    const received = nextInteraction<ChatInputCommandInteraction>(c);
    const late = fake.slashCommand({ user: ALICE, channelId: CHANNEL, subcommand: 'status' });
    const lateCommand = await received;
    await expect(late.acknowledged).rejects.toMatchObject({ name: 'InteractionTimeoutError' });
    expect(await apiError(lateCommand.reply('too late'))).toMatchObject({ status: 404, code: 10062 });

    const next = nextInteraction<ChatInputCommandInteraction>(c);
    fake.slashCommand({ user: ALICE, channelId: CHANNEL, subcommand: 'status' });
    const command = await next;
    await command.reply('in time');
    fake.expireInteractionTokens();
    expect(await apiError(command.editReply('after 15 minutes'))).toMatchObject({ status: 404, code: 10015 });
    // The bot can still edit its public response with its own token.
    const [response] = fake.messages(CHANNEL);
    await c.rest.patch(Routes.channelMessage(CHANNEL, response!.id), {
      body: { content: 'edited by the bot' },
    });
    expect(fake.messages(CHANNEL)[0]).toMatchObject({ content: 'edited by the bot', edits: 1 });
  });
});

describe('FakeDiscord REST', () => {
  it('posts and edits channel messages with the bot token; unknown ids get 10008 and 10003', async () => {
    const c = await login();
    const sent = await (await channel(c)).send('hello');
    await c.rest.patch(Routes.channelMessage(CHANNEL, sent.id), { body: { content: 'hello, edited' } });
    expect(fake.messages(CHANNEL)).toEqual([
      expect.objectContaining({ id: sent.id, authorId: fake.botUserId, content: 'hello, edited', edits: 1 }),
    ]);
    expect(
      fake
        .calls()
        .filter((call) => call.path.startsWith('/channels/'))
        .map((call) => call.auth),
    ).toEqual(['bot', 'bot']);
    expect(await apiError(c.rest.get(Routes.channelMessage(CHANNEL, '1234567890123456789')))).toMatchObject({
      status: 404,
      code: 10008,
    });
    expect(await apiError(c.rest.get(Routes.channel('999999999999999999')))).toMatchObject({ code: 10003 });
  });

  it('starts a thread on a message with the message’s id, once', async () => {
    const c = await login();
    const sent = await (await channel(c)).send('migrate TestVM node03');
    const thread = await sent.startThread({ name: 'migrate TestVM' });
    expect(thread.id).toBe(sent.id);
    expect(thread.parentId).toBe(CHANNEL);
    await thread.send('step 1');
    expect(fake.threads()).toEqual([
      { id: sent.id, parentId: CHANNEL, name: 'migrate TestVM', messageId: sent.id },
    ]);
    expect(fake.messages(thread.id).map((m) => m.content)).toEqual(['step 1']);
    expect(fake.messages(CHANNEL)[0]).toMatchObject({ threadId: sent.id });
    const again = c.rest.post(Routes.threads(CHANNEL, sent.id), { body: { name: 'again' } });
    expect(await apiError(again)).toMatchObject({ status: 400, code: 160004 });
  });

  it('refuses a thread where the bot lacks Create Public Threads (403, 50013), and says so in app_permissions', async () => {
    const c = await login();
    fake.refuseThreads(CHANNEL);
    const sent = await (await channel(c)).send('migrate TestVM node03');
    const refused = await apiError(
      c.rest.post(Routes.threads(CHANNEL, sent.id), { body: { name: 'migrate' } }),
    );
    expect(refused).toMatchObject({ status: 403, code: 50013, message: 'Missing Permissions' });
    expect(fake.threads()).toEqual([]);
    const received = nextInteraction<ChatInputCommandInteraction>(c);
    fake.slashCommand({ user: ALICE, channelId: CHANNEL, subcommand: 'status' });
    const command = await received;
    expect(command.appPermissions.has(PermissionFlagsBits.CreatePublicThreads, false)).toBe(false);
    expect(command.appPermissions.has(PermissionFlagsBits.SendMessages, false)).toBe(true);
    await command.reply('ok');

    fake.refuseThreads(CHANNEL, false);
    await sent.startThread({ name: 'migrate' });
    expect(fake.threads()).toHaveLength(1);
  });

  it('posts a reply to a message of the channel (message_reference), and refuses one to an unknown message unless told not to fail', async () => {
    const c = await login();
    const request = await (await channel(c)).send('request');
    const reply = await (await channel(c)).send({
      content: 'result',
      reply: { messageReference: request.id },
    });
    expect(reply.reference?.messageId).toBe(request.id);
    expect(fake.messages(CHANNEL).find((m) => m.id === reply.id)).toMatchObject({ replyTo: request.id });
    const unknown = { message_id: '1234567890123456789' };
    const refused = await apiError(
      c.rest.post(Routes.channelMessages(CHANNEL), { body: { content: 'x', message_reference: unknown } }),
    );
    expect(refused).toMatchObject({ status: 400, code: 50035 });
    expect(JSON.stringify(refused.rawError)).toContain('REPLIES_UNKNOWN_MESSAGE');
    const plain = (await c.rest.post(Routes.channelMessages(CHANNEL), {
      body: { content: 'y', message_reference: { ...unknown, fail_if_not_exists: false } },
    })) as { id: string };
    expect(fake.messages(CHANNEL).find((m) => m.id === plain.id)?.replyTo).toBeUndefined();
  });

  it('sends interactions from another guild and from a DM as Discord does', async () => {
    const c = await login();
    const other = '100000000000000099';
    const fromOther = nextInteraction<ChatInputCommandInteraction>(c);
    fake.slashCommand({ user: ALICE, channelId: CHANNEL, subcommand: 'status', guildId: other });
    const guildCommand = await fromOther;
    expect(guildCommand.guildId).toBe(other);
    await guildCommand.reply({ content: 'not here', flags: MessageFlags.Ephemeral });

    const fromDm = nextInteraction<ChatInputCommandInteraction>(c);
    const dm = fake.slashCommand({
      user: BOB,
      channelId: '200000000000000099',
      subcommand: 'status',
      guildId: null,
    });
    const dmCommand = await fromDm;
    expect(dmCommand.guildId).toBeNull();
    expect(dmCommand.inGuild()).toBe(false);
    expect(dmCommand.member).toBeNull();
    expect(dmCommand.user.id).toBe(BOB.id);
    await dmCommand.reply({ content: 'not in DMs', flags: MessageFlags.Ephemeral });
    expect((await dm.acknowledged).type).toBe(4);
    expect(fake.ephemerals(BOB.id).map((m) => m.content)).toEqual(['not in DMs']);
  });

  it('redelivers an interaction with its id and token; its callback is then already answered (40060)', async () => {
    const c = await login();
    const first = nextInteraction<ChatInputCommandInteraction>(c);
    const interaction = fake.slashCommand({ user: ALICE, channelId: CHANNEL, subcommand: 'status' });
    await (await first).deferReply();
    const second = nextInteraction<ChatInputCommandInteraction>(c);
    fake.redeliver(interaction);
    const again = await second;
    expect([again.id, again.token]).toEqual([interaction.id, interaction.token]);
    expect(await apiError(again.deferReply())).toMatchObject({ status: 400, code: 40060 });
  });

  it('answers failNext’s 429 with rate-limit headers, and discord.js waits and retries', async () => {
    const c = await login();
    fake.failNext('POST', /^\/channels\/\d+\/messages$/, { status: 429, retryAfterMs: 150 });
    await (await channel(c)).send('after the limit');
    const posts = fake.calls().filter((call) => call.method === 'POST');
    expect(posts.map((call) => call.status)).toEqual([429, 200]);
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(140);
    expect(fake.messages(CHANNEL).map((m) => m.content)).toEqual(['after the limit']);
  });

  it('refuses invalid message bodies with 50035 naming the field, and an empty one with 50006', async () => {
    const c = await login();
    const post = (body: unknown) => apiError(c.rest.post(Routes.channelMessages(CHANNEL), { body }));
    const button = (id?: string) => ({ type: 2, style: 1, label: 'x', ...(id ? { custom_id: id } : {}) });
    const row = (...components: unknown[]) => ({ type: 1, components });
    const cases: Array<[unknown, string]> = [
      [{ content: 'x'.repeat(2001) }, 'content'],
      [{ embeds: [{ title: 't'.repeat(257) }] }, 'embeds.0.title'],
      [{ embeds: Array.from({ length: 11 }, () => ({ title: 't' })) }, 'embeds'],
      [{ embeds: [{ fields: [{ name: 'n', value: 'v'.repeat(1025) }] }] }, 'embeds.0.fields.0.value'],
      [{ components: Array.from({ length: 6 }, (_, i) => row(button(`b${i}`))) }, 'components'],
      [{ components: [row(button('same'), button('same'))] }, 'components.0.components.1.custom_id'],
      [{ components: [row(button())] }, 'components.0.components.0.custom_id'],
    ];
    for (const [body, path] of cases) {
      const error = await post(body);
      expect(error, path).toMatchObject({ status: 400, code: 50035 });
      const errors = (error.rawError as { errors: Record<string, unknown> }).errors;
      const node = path
        .split('.')
        .reduce<unknown>((at, key) => (at as Record<string, unknown>)?.[key], errors);
      expect(node, path).toHaveProperty('_errors');
    }
    expect(await post({ content: '' })).toMatchObject({ status: 400, code: 50006 });
    expect(fake.messages()).toEqual([]);
  });

  it('registers guild commands, refuses a bad name, and checks slash commands against what is registered', async () => {
    const c = await login();
    const pve = {
      name: 'pve',
      description: 'Proxmox VE',
      options: [
        {
          type: 1,
          name: 'start',
          description: 'Start a guest',
          options: [{ type: 3, name: 'vm', description: 'Guest', required: true, autocomplete: true }],
        },
      ],
    };
    const bad = c.application!.commands.set([{ ...pve, name: 'PVE' }], fake.guildId);
    const error = await apiError(bad);
    expect(error).toMatchObject({ status: 400, code: 50035 });
    expect((error.rawError as { errors: unknown }).errors).toMatchObject({ 0: { name: { _errors: [{}] } } });

    const registered = await c.application!.commands.set([pve], fake.guildId);
    expect([...registered.values()].map((command) => command.name)).toEqual(['pve']);
    expect(fake.commandRegistrations()).toEqual([
      { guildId: fake.guildId, commands: [expect.objectContaining({ name: 'pve' })] },
    ]);
    expect(() => fake.slashCommand({ user: ALICE, channelId: CHANNEL, subcommand: 'stop' })).toThrow(
      /no registered subcommand/,
    );
    expect(() => fake.slashCommand({ user: ALICE, channelId: CHANNEL, subcommand: 'start' })).toThrow(
      /needs vm/,
    );
    const received = nextInteraction<ChatInputCommandInteraction>(c);
    fake.slashCommand({ user: ALICE, channelId: CHANNEL, subcommand: 'start', options: { vm: 'TestVM' } });
    expect((await received).commandId).toBe(registered.first()!.id);
  });
});
