// `/pve` as registered, against FakeDiscord (which then refuses any subcommand or option the bot
// did not declare) and the real DiscordAdapter with a core that records what it is handed: a
// grouped subcommand (`/pve snapshot delete`) reaches the core as the line a person would type in
// Slack; autocomplete finds its option inside a group; `help` completes command names; and a
// click on a command a result offers (Roll back) is a request of its own, posted beside the
// result, which stays as it was.
import { afterEach, describe, expect, it } from 'vitest';
import { DiscordAdapter } from '../../src/bots/discord/discord-adapter.js';
import { registerCommands } from '../../src/bots/discord/register-commands.js';
import type { ChatEvent } from '../../src/core/chat-event.js';
import type { ButtonPress, CoreApi } from '../../src/core/core-api.js';
import { silentLogger } from '../../src/logger.js';
import { FakeDiscord, type FakeDiscordUser, type FakeMessage } from '../fakes/discord/fake-discord.js';

const CHANNEL = '200000000000000001';
const ALICE: FakeDiscordUser = { id: '400000000000000001', username: 'alice' };

const embedText = (message: FakeMessage | undefined) => JSON.stringify(message?.embeds ?? []);

/** A core that records what it is handed, and does what the test says with each. */
class RecordingCore implements CoreApi {
  readonly events: ChatEvent[] = [];
  readonly presses: ButtonPress[] = [];
  readonly suggested: Array<[string, string]> = [];
  onCommand: (event: ChatEvent) => Promise<void> = async () => {};
  onPress: (press: ButtonPress) => Promise<void> = async () => {};
  #waiters: Array<() => boolean> = [];

  async handle(event: ChatEvent): Promise<void> {
    this.events.push(event);
    this.#changed();
    await this.onCommand(event);
  }

  async press(press: ButtonPress): Promise<void> {
    this.presses.push(press);
    this.#changed();
    await this.onPress(press);
  }

  async suggest(kind: string, typed: string) {
    this.suggested.push([kind, typed]);
    return [{ label: 'TestVM (100) · node01 · running', value: 'TestVM' }];
  }

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

async function start() {
  const fake = await FakeDiscord.start();
  stops.push(() => fake.stop());
  fake.addChannel(CHANNEL, 'ops');
  await registerCommands({
    token: fake.token,
    applicationId: fake.applicationId,
    guildIds: [fake.guildId],
    apiUrl: fake.apiUrl,
  });
  const adapter = new DiscordAdapter({
    token: fake.token,
    guildIds: [fake.guildId],
    apiUrl: fake.apiUrl,
    logger: silentLogger,
    editIntervalMs: 20,
  });
  const core = new RecordingCore();
  await adapter.start(core);
  stops.push(() => adapter.stop());
  return { fake, adapter, core };
}

describe('grouped subcommands on Discord', () => {
  it('hands the core the line a person would type for each grouped subcommand', async () => {
    const { fake, core } = await start();
    const sent: Array<[string, Record<string, string | number | boolean>, string]> = [
      ['snapshot take', { vm: 'TestVM', vmstate: true }, 'snapshot TestVM --vmstate'],
      ['snapshot list', { vm: 'TestVM' }, 'snapshots TestVM'],
      ['snapshot rollback', { vm: 'TestVM', snapshot: 'before' }, 'rollback TestVM before'],
      ['snapshot delete', { vm: 'TestVM', snapshot: 'before' }, 'snapshot delete TestVM before'],
      ['backup run', { vms: 'TestVM' }, 'backup TestVM'],
      ['backup list', { vm: 'TestVM' }, 'backups TestVM'],
      ['replication list', {}, 'replication'],
      ['replication run', { id: '100-0' }, 'replication run 100-0'],
      ['replication create', { vm: 'TestVM', node: 'node02' }, 'replicate TestVM node02'],
      ['jobs list', {}, 'jobs'],
      ['jobs cancel', { job: '42' }, 'cancel 42'],
      ['migrate', { vm: 'TestVM', node: 'node03' }, 'migrate TestVM node03'],
    ];
    for (const [subcommand, options] of sent) {
      await fake.slashCommand({ user: ALICE, channelId: CHANNEL, subcommand, options }).acknowledged;
    }
    await core.until(() => core.events.length === sent.length);
    expect(core.events.map((e) => e.text).sort()).toEqual(sent.map(([, , text]) => text).sort());
  });

  it('completes a guest inside a group, and command names for help', async () => {
    const { fake, core } = await start();
    const guests = await fake.autocomplete({
      user: ALICE,
      channelId: CHANNEL,
      subcommand: 'snapshot rollback',
      options: { vm: 'Te' },
      focused: 'vm',
    });
    expect(guests).toEqual([{ name: 'TestVM (100) · node01 · running', value: 'TestVM' }]);
    expect(core.suggested).toEqual([['guest', 'Te']]);
    const commands = await fake.autocomplete({
      user: ALICE,
      channelId: CHANNEL,
      subcommand: 'help',
      options: { command: 'sn' },
      focused: 'command',
    });
    expect(commands.map((c) => c.value)).toEqual(['snapshots', 'snapshot']);
    const all = await fake.autocomplete({
      user: ALICE,
      channelId: CHANNEL,
      subcommand: 'help',
      options: {},
      focused: 'command',
    });
    // Every command would be more than Discord shows: the first 25, whoami and others by typing.
    expect(all).toHaveLength(25);
    const whoami = await fake.autocomplete({
      user: ALICE,
      channelId: CHANNEL,
      subcommand: 'help',
      options: { command: 'who' },
      focused: 'command',
    });
    expect(whoami).toEqual([{ name: 'whoami', value: 'whoami' }]);
  });

  it("opens a request of its own for an offered command's click, and leaves the result as it was", async () => {
    const { fake, adapter, core } = await start();
    core.onCommand = async (event) => {
      const thread = await adapter.openRequestThread(event);
      if (event.text.startsWith('rollback')) {
        await adapter.send({
          thread,
          describesRequest: true,
          card: { title: event.text, status: 'pending', text: 'Waiting for an approver' },
        });
        return;
      }
      await adapter.send({
        thread,
        notify: true,
        card: {
          title: 'Snapshot `before` of TestVM taken',
          status: 'succeeded',
          buttons: [{ action: 'run-command', label: 'Roll back', value: 'rollback 100 before' }],
        },
      });
    };
    // As the core does: a run-command click is handled as the command typed in that thread.
    core.onPress = (press) =>
      core.handle({
        platform: 'discord',
        user: press.user,
        channel: press.channel,
        text: press.value,
        thread: press.thread,
      });
    await fake.slashCommand({
      user: ALICE,
      channelId: CHANNEL,
      subcommand: 'snapshot take',
      options: { vm: 'TestVM', name: 'before' },
    }).acknowledged;
    const request = await fake.waitFor(() => fake.messages(CHANNEL).find((m) => /ran/.test(m.content)));
    const result = await fake.waitFor(() => fake.messages(request.id).find((m) => m.components.length > 0));
    const before = structuredClone(result);

    const click = fake.clickButton({
      user: ALICE,
      message: result,
      customId: 'pve:run-command:rollback 100 before',
    });
    await click.acknowledged;
    await core.until(() => core.presses.length === 1);
    // No request message in the press's thread: the result is not one. Replies stay in the thread.
    expect(core.presses[0]!.thread).toEqual({
      platform: 'discord',
      channel: request.id,
      replies: 'channel',
      user: ALICE.id,
      command: 'rollback 100 before',
      interaction: click.id,
    });
    const rollback = await fake.waitFor(() =>
      fake.messages(request.id).find((m) => /waiting for an approver/i.test(embedText(m))),
    );
    expect(rollback.id).not.toBe(result.id);
    expect(rollback.content).toBe(`<@${ALICE.id}> ran \`/pve rollback 100 before\``);
    expect(fake.messages(request.id).find((m) => m.id === result.id)).toEqual(before);
  });
});
