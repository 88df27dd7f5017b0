// The test, as people see it: a node taken offline in the simulator gives one card in the
// alert channel, and that same card (one message key, edited in place) says so when the node
// comes back. The cluster watch runs in the real worker; its alerts go through the outbox to the
// real core, which draws them (the cards the adapters post or edit by message key).
import { afterEach, describe, expect, it } from 'vitest';
import { Core } from '../../../src/core/core.js';
import type { OutgoingMessage } from '../../../src/core/message.js';
import { parsePolicy } from '../../../src/core/policy/index.js';
import { AlertStore } from '../../../src/jobs/alerts/alert-store.js';
import { silentLogger } from '../../../src/logger.js';
import {
  MEMORY_SNAPSHOT,
  MemoryApprovals,
  MemoryAudit,
  MemoryJobs,
  ROLES_YAML,
} from '../../core/helpers/memory-ports.js';
import { type JobHarness, startJobHarness, THREAD } from '../helpers/job-harness.js';

let harness: JobHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

describe('the cluster watch in the alert channel', () => {
  it('a node taken offline gives one card, updated when it comes back', async () => {
    const h = await startJobHarness({ speed: 100 });
    harness = h;
    await h.worker();
    const sent: OutgoingMessage[] = [];
    const clock = () => Date.now();
    const core = new Core({
      queue: new MemoryJobs({ clock }),
      approvals: new MemoryApprovals({ clock }),
      audit: new MemoryAudit({ clock }),
      alerts: new AlertStore(h.redis, { prefix: h.prefix }),
      policy: parsePolicy(`${ROLES_YAML}commands:\n  status:\n    allow: [ops]\n`, 'test'),
      sink: { send: async (message) => void sent.push(message) },
      clock,
      logger: silentLogger,
      readCluster: async () => structuredClone(MEMORY_SNAPSHOT),
    });
    // One look, its events handed to the core as the bot's outbox reader does.
    const look = async () => {
      const { jobId } = await h.queue.enqueue({
        kind: 'cluster-watch',
        payload: {},
        thread: THREAD,
        requestedBy: 'the cluster watch',
      });
      await h.result(jobId);
      for (const { thread, event } of h.deliveries.filter((d) => d.event.jobId === jobId))
        await core.onJobEvent(thread as typeof THREAD, event);
    };
    const alertCards = () => sent.filter((m) => m.key?.startsWith('alert:'));

    await look();
    expect(alertCards()).toEqual([]);

    await h.sim.faults.nodeDown('node03');
    await look();
    await look();
    expect(alertCards()).toHaveLength(1);
    const [card] = alertCards();
    expect(card!.key).toMatch(/^alert:node:node03:\d+$/);
    expect(card!.thread).toEqual(THREAD);
    expect(card!.card).toMatchObject({ title: 'node03 is offline', status: 'failed' });
    expect(card!.card.buttons?.map((b) => b.label)).toEqual(['Cluster status', 'Acknowledge', 'Snooze 4h']);

    await h.sim.faults.nodeUp('node03');
    await look();
    await look();
    // The same message key: the adapter edits the card it posted instead of posting another.
    expect(alertCards().map((m) => m.key)).toEqual([card!.key, card!.key]);
    const resolved = alertCards()[1]!;
    expect(resolved.card).toMatchObject({ title: 'Resolved: node03 is offline', status: 'succeeded' });
    expect(resolved.card.text).toMatch(/^node03 is back online after \d+ s/);
    expect(resolved.card.buttons ?? []).toEqual([]);
  });
});
