// How the Discord adapter takes requests, against FakeDiscord with a core that records what it is
// handed: each command and click carries its interaction's id (the core handles each once); only
// the configured servers are served; an interaction Discord delivers twice reaches the core once;
// commands are acknowledged privately, so nothing is public until the core asks for the request's
// public record (openRequestThread), whose text is what will run, on one line; private answers
// reach the person before that, and after the command was handled while its token works; what
// a click says to the clicker alone is a follow-up of the click's own interaction; with the
// shared interaction registry unreachable (Redis down), the receiving replica still answers.
import { afterEach, describe, expect, it } from 'vitest';
import { DiscordAdapter } from '../../src/bots/discord/discord-adapter.js';
import type { DiscordThread } from '../../src/bots/discord/discord-thread.js';
import type { InteractionRegistry } from '../../src/bots/discord/interaction-registry.js';
import { NOT_SERVED_ANSWER } from '../../src/bots/discord/served-guilds.js';
import { ConfigError } from '../../src/config-error.js';
import type { ChatEvent } from '../../src/core/chat-event.js';
import type { ButtonPress, CoreApi } from '../../src/core/core-api.js';
import type { Card } from '../../src/core/message.js';
import { type Logger, silentLogger } from '../../src/logger.js';
import { FakeDiscord, type FakeDiscordUser, type FakeMessage } from '../fakes/discord/fake-discord.js';

const CHANNEL = '200000000000000001';
const OTHER_GUILD = '100000000000000099';
const ALICE: FakeDiscordUser = { id: '400000000000000001', username: 'alice' };
const BOB: FakeDiscordUser = { id: '400000000000000002', username: 'bob' };

const info = (title: string): Card => ({ title, status: 'info' });
const embedText = (message: FakeMessage | undefined) => JSON.stringify(message?.embeds ?? []);

/** A core that records what it is handed and does what the test says with each command. */
class RecordingCore implements CoreApi {
  readonly events: ChatEvent[] = [];
  readonly presses: ButtonPress[] = [];
  readonly suggested: string[] = [];
  onCommand: (event: ChatEvent) => Promise<void> = async () => {};
  #waiters: Array<() => boolean> = [];

  async handle(event: ChatEvent): Promise<void> {
    this.events.push(event);
    this.#changed();
    await this.onCommand(event);
  }

  onPress: (press: ButtonPress) => Promise<void> = async () => {};

  async press(press: ButtonPress): Promise<void> {
    this.presses.push(press);
    this.#changed();
    await this.onPress(press);
  }

  async suggest(_kind: string, typed: string) {
    this.suggested.push(typed);
    return [{ label: 'TestVM', value: 'TestVM' }];
  }

  /** Resolves once `met()` holds, re-checked on every record (the test's timeout bounds it). */
  until(met: () => boolean): Promise<void> {
    if (met()) return Promise.resolve();
    return new Promise((resolve) =>
      this.#waiters.push(() => {
        if (!met()) return false;
        resolve();
        return true;
      }),
    );
  }

  #changed(): void {
    this.#waiters = this.#waiters.filter((check) => !check());
  }
}

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** A registry whose Redis is down: every call fails. */
const unreachableRegistry: InteractionRegistry = {
  remember: () => Promise.reject(new Error('Connection is closed.')),
  get: () => Promise.reject(new Error('Connection is closed.')),
  claimDeferredReply: () => Promise.reject(new Error('Connection is closed.')),
};

async function start(interactions?: InteractionRegistry) {
  const fake = await FakeDiscord.start();
  stops.push(() => fake.stop());
  fake.addChannel(CHANNEL, 'ops');
  const errors: string[] = [];
  const lines: string[] = [];
  /** Every log line whole, its fields included. */
  const written: string[] = [];
  let waiters: Array<() => boolean> = [];
  const record = (message: string) => {
    lines.push(message);
    waiters = waiters.filter((check) => !check());
  };
  /** Resolves once the adapter logged a line matching `pattern`, at any level. */
  const logged = (pattern: RegExp) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (!lines.some((line) => pattern.test(line))) return false;
        resolve();
        return true;
      };
      if (!check()) waiters.push(check);
    });
  const write = (fields: object, message: string) => written.push(`${message} ${JSON.stringify(fields)}`);
  const logger: Logger = {
    debug: write,
    info: (fields, message) => {
      write(fields, message);
      record(message);
    },
    warn: (fields, message) => {
      write(fields, message);
      record(message);
    },
    error: (fields, message) => {
      write(fields, message);
      errors.push(message);
      record(message);
    },
  };
  const adapter = new DiscordAdapter({
    token: fake.token,
    guildIds: [fake.guildId],
    apiUrl: fake.apiUrl,
    logger,
    editIntervalMs: 20,
    ...(interactions ? { interactions } : {}),
  });
  const core = new RecordingCore();
  await adapter.start(core);
  stops.push(() => adapter.stop());
  return { fake, adapter, core, errors, lines, written, logged };
}

describe('Discord requests', () => {
  it('hands the core each command and click with its interaction id, platform-qualified', async () => {
    const { fake, adapter, core } = await start();
    core.onCommand = async (event) => {
      const thread = await adapter.openRequestThread(event);
      await adapter.send({
        thread,
        describesRequest: true,
        card: {
          title: 'migrate TestVM',
          status: 'pending',
          buttons: [{ action: 'approve', label: 'Approve', value: 'a1' }],
        },
      });
    };
    const command = fake.slashCommand({
      user: ALICE,
      channelId: CHANNEL,
      subcommand: 'migrate',
      options: { vm: 'TestVM', node: 'node03' },
    });
    await command.acknowledged;
    const request = await fake.waitFor(() =>
      fake.messages(CHANNEL).find((m) => m.components.length > 0 && /ran/.test(m.content)),
    );
    expect(core.events).toEqual([
      expect.objectContaining({
        text: 'migrate TestVM node03',
        requestId: `discord:interaction:${command.id}`,
      }),
    ]);
    const click = fake.clickButton({ user: BOB, message: request, customId: 'pve:approve:a1' });
    await click.acknowledged;
    await core.until(() => core.presses.length === 1);
    expect(core.presses[0]).toMatchObject({
      action: 'approve',
      value: 'a1',
      requestId: `discord:interaction:${click.id}`,
      thread: { platform: 'discord', channel: CHANNEL, message: request.id, interaction: click.id },
    });
  });

  it('posts one request message per request: a second opening (a replica taking over) goes on in it', async () => {
    const { fake, adapter, core } = await start();
    const opened: DiscordThread[] = [];
    let bothOpened!: () => void;
    const done = new Promise<void>((resolve) => {
      bothOpened = resolve;
    });
    core.onCommand = async (event) => {
      opened.push((await adapter.openRequestThread(event)) as DiscordThread);
      // The same delivery opened again, as a replica does that took it over from one that died.
      opened.push((await adapter.openRequestThread(event)) as DiscordThread);
      bothOpened();
    };
    const command = fake.slashCommand({ user: ALICE, channelId: CHANNEL, subcommand: 'status' });
    await command.acknowledged;
    await done;
    expect(opened[1]!.message).toBe(opened[0]!.message);
    expect(fake.messages(CHANNEL).filter((m) => /ran/.test(m.content))).toHaveLength(1);
  });

  it("answers a click privately through the click's own interaction, as a follow-up", async () => {
    const { fake, adapter, core } = await start();
    core.onCommand = async (event) => {
      const thread = await adapter.openRequestThread(event);
      await adapter.send({
        thread,
        describesRequest: true,
        card: {
          title: 'migrate TestVM',
          status: 'pending',
          buttons: [{ action: 'approve', label: 'Approve', value: 'a1' }],
        },
      });
    };
    core.onPress = (press) =>
      adapter.send({
        thread: press.thread,
        ephemeralTo: press.user,
        card: info('Your click changed nothing'),
      });
    const command = fake.slashCommand({ user: ALICE, channelId: CHANNEL, subcommand: 'status' });
    await command.acknowledged;
    const request = await fake.waitFor(() => fake.messages(CHANNEL).find((m) => m.components.length > 0));
    const click = fake.clickButton({ user: BOB, message: request, customId: 'pve:approve:a1' });
    expect(await click.acknowledged).toEqual({ type: 6 });
    const answer = await fake.waitFor(() =>
      fake.ephemerals(BOB.id).find((m) => /changed nothing/.test(embedText(m))),
    );
    expect(answer).toMatchObject({ interactionId: click.id, flags: 64 });
    // The card it was clicked on is as it was: the answer was not taken for an edit of it.
    expect(fake.messages(CHANNEL).find((m) => m.id === request.id)?.components).toEqual(request.components);
    expect(fake.ephemerals(ALICE.id)).toEqual([]);
  });

  it('answers a command, a click or a keystroke from another server or a DM privately, and hands the core nothing', async () => {
    const { fake, core } = await start();
    const fromOther = fake.slashCommand({
      user: ALICE,
      channelId: CHANNEL,
      subcommand: 'status',
      guildId: OTHER_GUILD,
    });
    expect(await fromOther.acknowledged).toEqual({
      type: 4,
      data: expect.objectContaining({ content: NOT_SERVED_ANSWER, flags: 64 }),
    });
    const fromDm = fake.slashCommand({
      user: BOB,
      channelId: '200000000000000077',
      subcommand: 'status',
      guildId: null,
    });
    expect(await fromDm.acknowledged).toMatchObject({
      type: 4,
      data: { content: NOT_SERVED_ANSWER, flags: 64 },
    });
    const choices = await fake.autocomplete({
      user: ALICE,
      channelId: CHANNEL,
      subcommand: 'migrate',
      options: { vm: 'Te' },
      focused: 'vm',
      guildId: OTHER_GUILD,
    });
    expect(choices).toEqual([]);
    expect(fake.ephemerals(ALICE.id).map((m) => m.content)).toEqual([NOT_SERVED_ANSWER]);
    expect(core.events).toEqual([]);
    expect(core.suggested).toEqual([]);
    expect(fake.messages(CHANNEL)).toEqual([]);
  });

  it('hands the core an interaction Discord delivers twice only once, and takes the repeat calmly', async () => {
    const { fake, core, errors, logged } = await start();
    const command = fake.slashCommand({ user: ALICE, channelId: CHANNEL, subcommand: 'status' });
    await command.acknowledged;
    await core.until(() => core.events.length === 1);
    fake.redeliver(command);
    // The second arrival's acknowledgement is refused (40060); the adapter then says what it did.
    await logged(/interaction/i);
    expect(
      fake
        .calls()
        .filter((c) => c.path.startsWith(`/interactions/${command.id}/`))
        .map((c) => c.status),
    ).toEqual([204, 400]);
    expect(core.events).toHaveLength(1);
    // A repeat is expected (a gateway replay, a second session): no error for the operator.
    expect(errors).toEqual([]);
  });

  it('acknowledges privately: a refused command leaves nothing public, its answer goes to the person alone', async () => {
    const { fake, adapter, core } = await start();
    core.onCommand = (event) =>
      adapter.send({
        thread: event.thread,
        ephemeralTo: event.user,
        card: info('You may not run migrate here'),
      });
    const command = fake.slashCommand({
      user: BOB,
      channelId: CHANNEL,
      subcommand: 'migrate',
      options: { vm: 'TestVM', node: 'node03' },
    });
    expect(await command.acknowledged).toEqual({ type: 5, data: { flags: 64 } });
    const answer = await fake.waitFor(() =>
      fake.ephemerals(BOB.id).find((m) => /may not run migrate/.test(embedText(m))),
    );
    expect(answer.interactionId).toBe(command.id);
    expect(fake.messages()).toEqual([]);
    // Nothing public was ever posted, not even for a moment.
    expect(fake.calls().filter((c) => c.method === 'POST' && c.path.startsWith('/channels/'))).toEqual([]);
  });

  it('posts the public record only when the core asks, showing what will run on one line; private answers reach the person before and after', async () => {
    const { fake, adapter, core } = await start();
    let opened: DiscordThread | undefined;
    let event: ChatEvent | undefined;
    core.onCommand = async (e) => {
      event = e;
      await adapter.send({ thread: e.thread, ephemeralTo: e.user, card: info('Checking the policy') });
      expect(fake.messages()).toEqual([]);
      opened = (await adapter.openRequestThread(e)) as DiscordThread;
      await adapter.send({ thread: opened, card: info('status · job 1') });
    };
    // A target pasted with a newline and a right-to-left override: the echo shows neither.
    const command = fake.slashCommand({
      user: ALICE,
      channelId: CHANNEL,
      subcommand: 'status',
      options: { target: 'Test\u202eVM\nnode01' },
    });
    await command.acknowledged;
    await fake.waitFor(() => fake.messages(opened?.message ?? 'none').length === 1);

    const [record] = fake.messages(CHANNEL);
    expect(record!.content).toBe(`<@${ALICE.id}> ran \`/pve status "Test VM node01"\``);
    expect(opened).toMatchObject({ channel: CHANNEL, message: record!.id, user: ALICE.id });
    expect(fake.threads()).toEqual([expect.objectContaining({ id: record!.id, parentId: CHANNEL })]);
    expect(fake.messages(record!.id).map(embedText)).toEqual([expect.stringContaining('status · job 1')]);
    // Before the record existed, the answer replaced the private "thinking" reply.
    const [early] = fake.ephemerals(ALICE.id);
    expect(embedText(early)).toContain('Checking the policy');

    // Later (a private job result), outside the interaction: still to alice alone, while the token works.
    await adapter.send({ thread: event!.thread, ephemeralTo: event!.user, card: info('join information') });
    expect(fake.ephemerals(ALICE.id).map(embedText)).toEqual([
      expect.stringContaining('Checking the policy'),
      expect.stringContaining('join information'),
    ]);
    // Nobody else's private answer can ride on alice's interaction.
    await adapter.send({
      thread: event!.thread,
      ephemeralTo: { id: `discord:${BOB.id}`, name: 'bob', groups: [] },
      card: info('for bob'),
    });
    expect(fake.ephemerals(BOB.id)).toEqual([]);
  });

  it('answers privately from its own memory when the shared interaction registry is unreachable', async () => {
    const { fake, adapter, core, lines, written } = await start(unreachableRegistry);
    core.onCommand = (event) =>
      adapter.send({
        thread: event.thread,
        ephemeralTo: event.user,
        card: info('Not accepted: Redis is unavailable; nothing will run'),
      });
    const command = fake.slashCommand({ user: ALICE, channelId: CHANNEL, subcommand: 'status' });
    await command.acknowledged;
    const answer = await fake.waitFor(() =>
      fake.ephemerals(ALICE.id).find((m) => /Not accepted/.test(embedText(m))),
    );
    // It replaced the "thinking" reply (no second message), and the log says why it looked locally.
    expect(answer).toMatchObject({ interactionId: command.id, flags: 64 });
    expect(fake.ephemerals(ALICE.id)).toHaveLength(1);
    expect(lines).toContain(
      'cannot record a Discord interaction for the other replicas; only this one can answer it privately',
    );
    // Nothing of the token reaches the log.
    expect(written.join('\n')).toContain(command.id);
    expect(written.join('\n')).not.toContain(command.token);
  });

  it('withdraws the private "thinking" reply when the command said nothing privately', async () => {
    const { fake, adapter, core } = await start();
    core.onCommand = async (event) => {
      await adapter.openRequestThread(event);
    };
    const command = fake.slashCommand({ user: ALICE, channelId: CHANNEL, subcommand: 'status' });
    await command.acknowledged;
    await fake.waitFor(() => fake.calls().find((c) => c.method === 'DELETE' && c.path.includes('@original')));
    expect(fake.ephemerals(ALICE.id)).toEqual([]);
    expect(fake.messages(CHANNEL)).toHaveLength(1);
  });

  it('will not start without the servers it serves (DISCORD_GUILD_IDS)', () => {
    const create = () => new DiscordAdapter({ token: 'token', logger: silentLogger });
    expect(create).toThrow(ConfigError);
    expect(create).toThrow(/DISCORD_GUILD_IDS: is required for Discord/);
    expect(() => new DiscordAdapter({ token: 'token', guildIds: [' '], logger: silentLogger })).toThrow(
      ConfigError,
    );
  });
});
