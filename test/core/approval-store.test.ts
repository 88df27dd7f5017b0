// Approval requests against a real Redis: single use, distinct approvers, no self-approval, one
// Deny closes, only the requester cancels, expiry on the injected clock, and exactly one
// 'approved' however many clicks arrive at once.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApprovalNotFoundError } from '../../src/core/approvals/approval-not-found-error.js';
import { type ApprovalRequest, ApprovalStore } from '../../src/core/approvals/approval-store.js';
import type { ChatUser } from '../../src/core/chat-event.js';
import type { ApprovalRule } from '../../src/core/policy/index.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = new Redis(REDIS_URL);

const user = (name: string): ChatUser => ({ id: `console:${name}`, name: `@${name}`, groups: [] });
const alice = user('alice');
const bob = user('bob');
const dave = user('dave');
const erin = user('erin');

let prefix: string;
let now: number;
let store: ApprovalStore;

beforeEach(() => {
  prefix = `test-${randomUUID()}`;
  now = Date.UTC(2025, 0, 6, 9, 0, 0);
  store = new ApprovalStore(redis, { prefix, clock: () => now });
});

afterEach(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
});

afterAll(async () => {
  await redis.quit();
});

function open(rule: Partial<ApprovalRule> = {}, requester = alice, into = store): Promise<ApprovalRequest> {
  return into.open({
    command: 'migrate',
    summary: 'migrate TestVM (qemu/100) from node01 to node03, live',
    payload: { vmid: 100, target: 'node03', online: true, tags: [] },
    jobKind: 'migrate',
    requester,
    rule: { approvers: ['on-call'], count: 1, ttlMs: 30 * 60_000, allowSelf: false, ...rule },
    thread: { platform: 'console', line: 7 },
    approverDescription: '1 approval from on-call (console:dave, console:bob)',
  });
}

describe('ApprovalStore', () => {
  it('opens a pending request with a short URL-safe id, readable back as it was written', async () => {
    const request = await open();
    expect(request.id).toMatch(/^[a-z2-7]{8}$/);
    expect(request).toMatchObject({
      status: 'pending',
      createdAt: now,
      expiresAt: now + 30 * 60_000,
      approvals: [],
    });
    expect(await store.get(request.id)).toEqual(request);
    expect(await redis.pttl(`${prefix}:approval:${request.id}`)).toBeGreaterThan(30 * 60_000);
    expect(await store.get('nope0000')).toBeUndefined();
  });

  it('approves with one approval by someone else and records who and when', async () => {
    const request = await open();
    now += 60_000;
    const result = await store.decide(request.id, dave, 'approve', true);
    expect(result.outcome).toBe('approved');
    expect(result.request.status).toBe('approved');
    expect(result.request.approvals).toEqual([{ by: dave, at: now }]);
    expect(result.request.decidedBy).toEqual({ by: dave, at: now, decision: 'approve' });
    expect(result.request.payload).toEqual({ vmid: 100, target: 'node03', online: true, tags: [] });
    expect(await store.get(request.id)).toEqual(result.request);
  });

  it('refuses self-approval unless the rule allows it', async () => {
    const request = await open();
    const result = await store.decide(request.id, alice, 'approve', true);
    expect(result.outcome).toBe('refused');
    expect(result.reason).toMatch(
      /you may not approve your own request: it needs 1 approval from on-call .* from someone else/,
    );
    expect(result.request.status).toBe('pending');

    const allowed = await open({ allowSelf: true });
    expect((await store.decide(allowed.id, alice, 'approve', true)).outcome).toBe('approved');
  });

  it('refuses someone the policy does not let approve, and says who may', async () => {
    const request = await open();
    const result = await store.decide(request.id, erin, 'approve', false);
    expect(result).toMatchObject({
      outcome: 'refused',
      reason: 'you may not approve this: it needs 1 approval from on-call (console:dave, console:bob)',
    });
    expect((await store.decide(request.id, erin, 'deny', false)).outcome).toBe('refused');
    expect((await store.get(request.id))?.status).toBe('pending');
  });

  it('needs N distinct approvers: the same approver twice is refused', async () => {
    const request = await open({ count: 2 });
    expect((await store.decide(request.id, dave, 'approve', true)).outcome).toBe('recorded');
    const again = await store.decide(request.id, dave, 'approve', true);
    expect(again.outcome).toBe('refused');
    expect(again.reason).toContain('you already approved this; it needs 1 more approval from other people');
    now += 1_000;
    const second = await store.decide(request.id, bob, 'approve', true);
    expect(second.outcome).toBe('approved');
    expect(second.request.approvals.map((a) => a.by.id)).toEqual(['console:dave', 'console:bob']);
    expect(second.request.decidedBy?.by).toEqual(bob);
  });

  it('closes on one Deny, even after an approval, and later clicks are told who closed it', async () => {
    const request = await open({ count: 2 });
    await store.decide(request.id, dave, 'approve', true);
    const denied = await store.decide(request.id, bob, 'deny', true);
    expect(denied.outcome).toBe('denied');
    expect(denied.request.decidedBy).toEqual({ by: bob, at: now, decision: 'deny' });
    const late = await store.decide(request.id, erin, 'approve', true);
    expect(late.outcome).toBe('closed');
    expect(late.reason).toBe('this request was already denied by @bob at 2025-01-06T09:00:00Z');
  });

  it('is single use: an approved request cannot be approved again', async () => {
    const request = await open();
    await store.decide(request.id, dave, 'approve', true);
    const again = await store.decide(request.id, bob, 'approve', true);
    expect(again).toMatchObject({
      outcome: 'closed',
      reason: expect.stringContaining('already approved by @dave'),
    });
  });

  it('expires at expiresAt on the injected clock', async () => {
    const request = await open({ ttlMs: 60_000 });
    now += 59_999;
    expect((await store.get(request.id))?.status).toBe('pending');
    now += 1;
    expect((await store.get(request.id))?.status).toBe('expired');
    const late = await store.decide(request.id, dave, 'approve', true);
    expect(late.outcome).toBe('closed');
    expect(late.reason).toBe('this request expired at 2025-01-06T09:01:00Z with 0 of 1 approvals; ask again');
    expect((await store.cancel(request.id, alice)).outcome).toBe('closed');
  });

  it('lets only the requester cancel', async () => {
    const request = await open();
    const refused = await store.cancel(request.id, dave);
    expect(refused).toMatchObject({
      outcome: 'refused',
      reason: 'only the requester, @alice, may cancel this request',
    });
    const cancelled = await store.cancel(request.id, alice);
    expect(cancelled.outcome).toBe('cancelled');
    expect(cancelled.request.decidedBy).toEqual({ by: alice, at: now, decision: 'cancel' });
    expect((await store.decide(request.id, dave, 'approve', true)).outcome).toBe('closed');
  });

  it('gives exactly one approved among 20 simultaneous approvals of a 1-of-N request', async () => {
    const request = await open();
    const approvers = Array.from({ length: 20 }, (_, i) => user(`approver${i}`));
    const results = await Promise.all(approvers.map((a) => store.decide(request.id, a, 'approve', true)));
    const outcomes = results.map((r) => r.outcome);
    expect(outcomes.filter((o) => o === 'approved')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'closed')).toHaveLength(19);
    expect((await store.get(request.id))?.approvals).toHaveLength(1);
  });

  it('gives exactly one approved when 20 separate connections approve a 3-of-N request at once', async () => {
    const request = await open({ count: 3 });
    const connections = Array.from({ length: 20 }, () => new Redis(REDIS_URL));
    try {
      const results = await Promise.all(
        connections.map((connection, i) =>
          new ApprovalStore(connection, { prefix, clock: () => now }).decide(
            request.id,
            user(`approver${i}`),
            'approve',
            true,
          ),
        ),
      );
      const count = (outcome: string) => results.filter((r) => r.outcome === outcome).length;
      expect([count('recorded'), count('approved'), count('closed')]).toEqual([2, 1, 17]);
      expect((await store.get(request.id))?.approvals).toHaveLength(3);
    } finally {
      await Promise.all(connections.map((c) => c.quit()));
    }
  });

  it('throws a coded error for a request that does not exist', async () => {
    await expect(store.decide('aaaaaaaa', dave, 'approve', true)).rejects.toBeInstanceOf(
      ApprovalNotFoundError,
    );
    await expect(store.cancel('aaaaaaaa', alice)).rejects.toMatchObject({ code: 'APPROVAL_NOT_FOUND' });
  });

  it('never reuses an id that is taken', async () => {
    const ids = ['aaaaaaaa', 'aaaaaaaa', 'bbbbbbbb'];
    const fixed = new ApprovalStore(redis, { prefix, clock: () => now, newId: () => ids.shift()! });
    const first = await open({}, alice, fixed);
    const second = await open({}, bob, fixed);
    expect([first.id, second.id]).toEqual(['aaaaaaaa', 'bbbbbbbb']);
    expect((await fixed.get('aaaaaaaa'))?.requester).toEqual(alice);
  });
});
