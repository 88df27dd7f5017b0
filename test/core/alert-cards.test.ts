// Alert cards through the real core and the real AlertStore on Redis: one card per alert key,
// edited in place; the long text attached as a file; Acknowledge (whoever may run status) shows
// who and when on the same card, once; Snooze 4h (policy entry `alerts`) holds back new alerts of
// that type while updates of cards already posted still come; beyond 10 new cards of a type in a
// minute, one "N more" card counts the rest.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Core } from '../../src/core/core.js';
import type { OutgoingMessage } from '../../src/core/message.js';
import { parsePolicy } from '../../src/core/policy/index.js';
import type { AlertInput } from '../../src/jobs/alerts/alert.js';
import { AlertPublisher } from '../../src/jobs/alerts/alert-publisher.js';
import { AlertStore } from '../../src/jobs/alerts/alert-store.js';
import { alertOfNotification } from '../../src/jobs/alerts/pve-notification-alert.js';
import type { AlertEvent, ThreadRef } from '../../src/jobs/job-events.js';
import { createRedis } from '../../src/jobs/redis-connection.js';
import { silentLogger } from '../../src/logger.js';
import { delivery } from '../jobs/alerts/delivery-fixtures.js';
import {
  alice,
  bob,
  CHANNEL,
  carol,
  dave,
  MEMORY_SNAPSHOT,
  MEMORY_START,
  MemoryApprovals,
  MemoryAudit,
  MemoryJobs,
  ROLES_YAML,
} from './helpers/memory-ports.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ALERTS: ThreadRef = { platform: 'test', channel: 'C-ALERTS' };
const COPY: ThreadRef = { platform: 'test', channel: 'C-COPY' };
// Acknowledge needs what status needs (ops); snoozing needs the alerts entry (leads).
const POLICY = `${ROLES_YAML}
  night:
    members: [console:carol]
commands:
  status:
    allow: [ops, leads]
  alerts:
    allow: [leads]
    approval: none
`;

const redis = createRedis(REDIS_URL, silentLogger, 'test');
let prefix: string;
let now: number;
let sent: OutgoingMessage[];
let store: AlertStore;
let audit: MemoryAudit;
let core: Core;
let publisher: AlertPublisher;

beforeEach(() => {
  prefix = `test-${randomUUID()}`;
  now = MEMORY_START;
  sent = [];
  const clock = () => now;
  store = new AlertStore(redis, { prefix });
  audit = new MemoryAudit({ clock });
  core = new Core({
    queue: new MemoryJobs({ clock }),
    approvals: new MemoryApprovals({ clock }),
    audit,
    alerts: store,
    policy: parsePolicy(POLICY, 'test'),
    sink: { send: async (message) => void sent.push(message) },
    clock,
    logger: silentLogger,
    readCluster: async () => structuredClone(MEMORY_SNAPSHOT),
  });
  // What the worker does for ctx.alert(), delivered straight to the core as the outbox would.
  publisher = new AlertPublisher({
    store,
    clock,
    publish: (thread: ThreadRef, event: AlertEvent) => core.onJobEvent(thread, event),
  });
});

afterAll(() => redis.disconnect());

afterEach(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.unlink(...keys);
});

const source = { jobId: 'j1', kind: 'pve-notification', threads: [ALERTS, COPY] };
const press = (action: string, value: string, user = alice) =>
  core.press({
    action,
    value,
    user,
    platform: 'test',
    channel: CHANNEL,
    thread: { ...ALERTS, thread: 'T-card' },
  });
const cardsOf = (key: string) => sent.filter((m) => m.key === `alert:${key}`);

function alertNo(n: number, overrides: Partial<AlertInput> = {}): AlertInput {
  return {
    key: `node-offline:node${n}`,
    source: 'watch',
    type: 'node',
    severity: 'error',
    title: `node${n} is offline`,
    state: 'open',
    at: now,
    ...overrides,
  };
}

describe('alert cards', () => {
  it('a failed backup: one card per channel with its fields, the full message as a text file and its buttons', async () => {
    const body = delivery('vzdump-failure-guest').parsed;
    expect(await publisher.publish(source, alertOfNotification(body))).toBe('shown');
    const [card, copy] = cardsOf('pve:vzdump:node01:1776200442');
    expect(card?.thread).toEqual(ALERTS);
    expect(copy?.thread).toEqual(COPY);
    expect(card?.card).toMatchObject({
      title: 'vzdump backup status (node01.example.com): backup failed',
      status: 'failed',
      fields: expect.arrayContaining([{ label: 'Failed', value: 'TestVM (100)' }]),
    });
    expect(card?.card.buttons?.map((b) => [b.label, b.action, b.value])).toEqual([
      ['Retry backup', 'run-command', 'backup 100 --storage local'],
      ['Show log', 'run-command', 'tasks node01 --failed'],
      ['Acknowledge', 'ack-alert', 'pve:vzdump:node01:1776200442'],
      ['Snooze 4h', 'snooze-alert', 'vzdump'],
    ]);
    const [file] = card?.attachments ?? [];
    expect(file).toMatchObject({ name: 'vzdump-node01-20260414-210042.txt', contentType: 'text/plain' });
    expect(new TextDecoder().decode(file?.data)).toBe(body.message);
  });

  it('Acknowledge shows who and when on the same card in every channel, once', async () => {
    await publisher.publish(source, alertNo(1));
    sent.length = 0;
    now += 90_000;
    await press('ack-alert', 'node-offline:node1', alice);
    const redrawn = cardsOf('node-offline:node1');
    // Redrawn where the card is (the channel), not in the thread the press came from.
    expect(redrawn.map((m) => m.thread)).toEqual([ALERTS, COPY]);
    expect(redrawn[0]?.card.text).toContain('Acknowledged by alice at 2026-01-05 09:01:30 UTC.');
    expect(redrawn[0]?.card.buttons?.map((b) => b.label)).toEqual(['Snooze 4h']);
    expect(audit.records.at(-1)).toMatchObject({ actor: alice.id, action: 'ack-alert' });

    // A second acknowledgement changes nothing; the presser hears who was first.
    sent.length = 0;
    await press('ack-alert', 'node-offline:node1', bob);
    expect(cardsOf('node-offline:node1')).toEqual([]);
    expect(sent.at(-1)).toMatchObject({ ephemeralTo: bob, card: { title: 'Already acknowledged' } });

    // The incident ends: the same card says so, and still who acknowledged it.
    await publisher.publish(source, alertNo(1, { state: 'resolved', at: now }));
    const resolved = cardsOf('node-offline:node1').at(-1)!;
    expect(resolved.card).toMatchObject({ title: 'Resolved: node1 is offline', status: 'succeeded' });
    expect(resolved.card.text).toContain('Acknowledged by alice');
  });

  it('Acknowledge needs what status needs', async () => {
    await publisher.publish(source, alertNo(1));
    sent.length = 0;
    await press('ack-alert', 'node-offline:node1', carol);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ ephemeralTo: carol, card: { status: 'denied' } });
    expect(await store.ackOf('node-offline:node1')).toBeUndefined();
  });

  it('Snooze 4h: only whom the alerts entry names; then new alerts of that type wait, updates do not', async () => {
    await publisher.publish(source, alertNo(1));
    await press('snooze-alert', 'node', dave);
    expect(sent.at(-1)).toMatchObject({ ephemeralTo: dave, card: { status: 'denied' } });
    expect(sent.at(-1)?.card.text).toContain("'alerts'");
    expect(await store.snoozeOf('node', now)).toBeUndefined();

    await press('snooze-alert', 'node', bob);
    expect(sent.at(-1)?.card.title).toBe('node alerts snoozed for 4 hours by bob');
    expect(await store.snoozeOf('node', now)).toMatchObject({ by: 'bob', until: now + 4 * 3_600_000 });

    sent.length = 0;
    expect(await publisher.publish(source, alertNo(2))).toBe('snoozed');
    // Another type is not snoozed; the open card of node1 is still updated.
    expect(await publisher.publish(source, { ...alertNo(3), key: 'quorum', type: 'quorum' })).toBe('shown');
    expect(await publisher.publish(source, alertNo(1, { state: 'resolved' }))).toBe('updated');
    expect(sent.map((m) => m.key)).toEqual([
      'alert:quorum',
      'alert:quorum',
      'alert:node-offline:node1',
      'alert:node-offline:node1',
    ]);
    // node2's card never appears, not even when it resolves.
    expect(await publisher.publish(source, alertNo(2, { state: 'resolved' }))).toBe('not-shown');

    // Four hours later new node alerts are posted again.
    now += 4 * 3_600_000 + 1;
    expect(await publisher.publish(source, alertNo(4))).toBe('shown');
  });

  it('beyond 10 new cards of a type in a minute, the rest are counted on one card edited in place', async () => {
    const oneThread = { ...source, threads: [ALERTS] };
    const outcomes: string[] = [];
    for (let n = 1; n <= 13; n++) outcomes.push(await publisher.publish(oneThread, alertNo(n)));
    expect(outcomes).toEqual([...Array(10).fill('shown'), 'held-back', 'held-back', 'held-back']);
    const held = sent.filter((m) => m.key?.startsWith('alert:held-back:node:'));
    expect(new Set(held.map((m) => m.key)).size).toBe(1);
    expect(held.map((m) => m.card.title)).toEqual([
      '1 more node alert',
      '2 more node alerts',
      '3 more node alerts',
    ]);
    expect(held.at(-1)?.card.text).toContain('The latest: node13 is offline');
    // Another type has its own count.
    expect(await publisher.publish(oneThread, { ...alertNo(1), key: 'quorum', type: 'quorum' })).toBe(
      'shown',
    );
  });
});
