// The public record of a command (Slack's "<@user> ran `/pve …`", Discord's public reply) is made
// only once the command passed the grammar and the policy; a mistyped or refused command is
// answered to the person alone, and everything public about an accepted one goes to its thread.
import { afterEach, describe, expect, it } from 'vitest';
import {
  alice,
  approvalIdOf,
  bob,
  CHANNEL_THREAD,
  type CoreHarness,
  startCoreHarness,
} from './helpers/core-harness.js';

let harness: CoreHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

describe('the public record of a command', () => {
  it('is never made for a mistyped, refused, unresolvable or private command', async () => {
    const h = await startCoreHarness();
    harness = h;
    await h.say('stpo TestVM');
    await h.say('migrate TestVM node03', { user: bob });
    await h.say('migrate TestVN node03');
    await h.say('node reboot node01 --force');
    await h.say('help');
    await h.say('whoami');
    await h.say('jobs');
    expect(h.opened).toEqual([]);
    expect(h.sent.length).toBe(7);
    for (const message of h.sent) {
      expect(message.ephemeralTo).toBeDefined();
      expect(message.thread).toEqual(CHANNEL_THREAD);
    }
    expect(h.sent[1]!.card).toMatchObject({ title: 'You may not run migrate here', status: 'denied' });
    expect(await h.queue.list()).toEqual([]);
  });

  it('is made once the command is accepted, and the request, approval and job all go to its thread', async () => {
    const h = await startCoreHarness();
    harness = h;
    await h.say('migrate TestVM node03');
    expect(h.opened.map((event) => event.text)).toEqual(['migrate TestVM node03']);
    const card = await h.message((m) => m.key?.startsWith('approval:') === true);
    expect(card.thread).toEqual({ ...CHANNEL_THREAD, thread: 'R1' });
    expect(card.ephemeralTo).toBeUndefined();
    const request = await h.approvals.get(approvalIdOf(card));
    expect(request?.thread).toEqual({ ...CHANNEL_THREAD, thread: 'R1' });

    await h.say('stop TestVM');
    expect(h.opened.map((event) => event.text)).toEqual(['migrate TestVM node03', 'stop TestVM']);
    const [job] = await h.queue.list();
    expect(job?.kind).toBe('stop');
    expect(job?.thread).toEqual({ ...CHANNEL_THREAD, thread: 'R2' });
    const publicMessages = h.sent.filter((m) => m.ephemeralTo === undefined);
    expect(publicMessages.map((m) => m.thread.thread)).toEqual(['R1', 'R2', 'R2']);

    await h.say('status');
    const status = (await h.queue.list()).find((j) => j.kind === 'status');
    expect(status?.thread).toEqual({ ...CHANNEL_THREAD, thread: 'R3' });
  });

  it('tells the person privately, and runs nothing, when the chat cannot make it', async () => {
    const h = await startCoreHarness({
      requestThreads: async () => {
        throw new Error('I cannot post in this channel (not_in_channel). Invite me to it.');
      },
    });
    harness = h;
    await h.say('stop TestVM');
    expect(h.sent).toEqual([
      {
        thread: CHANNEL_THREAD,
        ephemeralTo: alice,
        card: {
          title: 'Nothing ran',
          status: 'failed',
          text: 'I cannot post in this channel (not_in_channel). Invite me to it.',
        },
      },
    ]);
    expect(await h.queue.list()).toEqual([]);
    expect((await h.audit.latest(10)).filter((r) => r.action === 'request')).toEqual([]);
  });

  it('is not asked of a sink that has none (the console): the event’s thread is used', async () => {
    const h = await startCoreHarness({ requestThreads: 'absent' });
    harness = h;
    await h.say('stop TestVM');
    const [job] = await h.queue.list();
    expect(job?.thread).toEqual(CHANNEL_THREAD);
  });
});
