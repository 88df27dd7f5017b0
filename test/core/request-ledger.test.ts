// Exactly once from the request on: a replayed or redelivered platform request (same Slack
// trigger_id, same Discord interaction id) does nothing the second time, whatever it was.
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_REQUEST_TTL_MS, RequestLedger } from '../../src/core/request-ledger.js';
import { approvalIdOf, bob, type CoreHarness, PLATFORM, startCoreHarness } from './helpers/core-harness.js';

let harness: CoreHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

describe('a replayed request', () => {
  it('stop TestVM replayed: one job, one audit record, nothing said the second time', async () => {
    const h = await startCoreHarness();
    harness = h;
    const requestId = 'slack:trigger:13345224609.738474920.8088930838d88f008e0';
    await h.say('stop TestVM', { requestId });
    const said = h.sent.length;
    expect(said).toBeGreaterThan(0);
    await h.say('stop TestVM', { requestId });
    await h.say('stop TestVM', { requestId });
    expect(h.sent.length).toBe(said);
    expect(h.opened.length).toBe(1);
    expect((await h.queue.list()).map((job) => job.kind)).toEqual(['stop']);
    const requests = (await h.audit.latest(100)).filter((record) => record.action === 'request');
    expect(requests.map((record) => [record.actor, record.command])).toEqual([['console:alice', 'stop']]);
    expect(await h.redis.pttl(`${h.prefix}:request:${requestId}`)).toBeGreaterThan(
      DEFAULT_REQUEST_TTL_MS - 60_000,
    );
  });

  it('migrate replayed: one approval request', async () => {
    const h = await startCoreHarness();
    harness = h;
    const requestId = 'discord:interaction:1234567890123456789';
    await h.say('migrate TestVM node03', { requestId });
    await h.say('migrate TestVM node03', { requestId });
    const cards = h.sent.filter((m) => m.key?.startsWith('approval:'));
    expect(cards.length).toBe(1);
    expect(await h.redis.keys(`${h.prefix}:approval:*`)).toHaveLength(1);
    expect((await h.audit.latest(100)).filter((r) => r.action === 'request')).toHaveLength(1);
  });

  it('an Approve press replayed is handled once; a new request with the same text runs again', async () => {
    const h = await startCoreHarness();
    harness = h;
    await h.say('migrate TestVM node03', { requestId: 'slack:trigger:1' });
    const card = await h.message((m) => m.key?.startsWith('approval:') === true);
    const press = {
      action: 'approve',
      value: approvalIdOf(card),
      user: bob,
      platform: PLATFORM,
      channel: 'console:terminal',
      thread: card.thread,
      requestId: 'slack:trigger:2',
    };
    await h.core.press(press);
    const said = h.sent.length;
    await h.core.press(press);
    // Without the ledger the second press would be told "This request is already closed".
    expect(h.sent.length).toBe(said);
    expect((await h.audit.latest(100)).filter((r) => r.action === 'approve')).toHaveLength(1);

    await h.say('stop TestVM', { requestId: 'slack:trigger:3' });
    await h.say('stop TestVM', { requestId: 'slack:trigger:4' });
    expect((await h.queue.list()).filter((job) => job.kind === 'stop')).toHaveLength(2);
  });

  it('is remembered for a day under <prefix>:request:<id>, once per id', async () => {
    const h = await startCoreHarness();
    harness = h;
    const ledger = new RequestLedger(h.redis, { prefix: h.prefix, clock: () => 1_700_000_000_000 });
    expect(await ledger.claim('discord:interaction:42')).toBe(true);
    expect(await ledger.claim('discord:interaction:42')).toBe(false);
    expect(await ledger.claim('discord:interaction:43')).toBe(true);
    expect(await h.redis.get(`${h.prefix}:request:discord:interaction:42`)).toBe('1700000000000');
    expect(DEFAULT_REQUEST_TTL_MS).toBe(24 * 3_600_000);
    expect(() => new RequestLedger(h.redis, { prefix: h.prefix, ttlMs: 0 })).toThrow(RangeError);
  });
});
