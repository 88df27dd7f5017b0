// 200 `/pve status` at once share a handful of cluster reads (docs/architecture.md, "Performance
// targets"): the status jobs of a worker, and the core's name resolution, use one snapshot while a
// read is under way and for 2 s after it. Counted by the simulator, which records every request
// it answers.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningChatOps, startChatOps } from '../../src/app/start-chatops.js';
import type { ChatAdapter } from '../../src/bots/adapter.js';
import { loadConfig } from '../../src/config.js';
import type { OutgoingMessage } from '../../src/core/message.js';
import { defaultPolicy } from '../../src/core/policy/index.js';
import type { ResultEvent } from '../../src/jobs/job-events.js';
import { createRedis } from '../../src/jobs/redis-connection.js';
import { silentLogger } from '../../src/logger.js';
import { ProxmoxClient } from '../../src/proxmox/proxmox-client.js';
import { type RunningSimulator, type SimCluster, startSimulator } from '../../src/sim/simulator.js';
import { type JobHarness, REDIS_URL, startJobHarness, THREAD } from './helpers/job-harness.js';

const COMMANDS = 200;
/** The acceptance bound: 200 simultaneous status commands, at most this many resource reads. */
const MAX_RESOURCE_READS = 5;
/** The worker's concurrency as the app configures it without WORKER_CONCURRENCY. */
const APP_CONCURRENCY = loadConfig({ env: {} }).worker.concurrency;
// A guest's status has its last backup on the next line (backup-kind.test.ts).
const READ_LINE = /^PVE data read at \d\d:\d\d:\d\dZ(\n.*)?$/;

const resourceReads = (sim: RunningSimulator<SimCluster>) =>
  sim.requests.filter((r) => r.method === 'GET' && r.path === '/cluster/resources').length;

let harness: JobHarness | undefined;
let product: { stop(): Promise<void> } | undefined;

afterEach(async () => {
  await harness?.stop();
  harness = undefined;
  await product?.stop();
  product = undefined;
});

describe('200 status jobs enqueued at once', () => {
  it(`make at most ${MAX_RESOURCE_READS} /cluster/resources reads, and every result arrives`, async () => {
    const h = await startJobHarness();
    harness = h;
    await h.worker({ concurrency: APP_CONCURRENCY });
    const before = resourceReads(h.sim);
    const jobs = await Promise.all(
      Array.from({ length: COMMANDS }, (_, i) =>
        h.queue.enqueue({
          kind: 'status',
          // Whole cluster, one node, one guest: all three answer from the same snapshot.
          payload: i % 3 === 0 ? {} : i % 3 === 1 ? { node: 'node02' } : { vmid: 100 },
          thread: THREAD,
          requestedBy: `user${i % 50}`,
        }),
      ),
    );
    const results = await Promise.all(jobs.map(({ jobId }) => h.result(jobId)));
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(new Set(results.map((r) => r.jobId)).size).toBe(COMMANDS);
    const reads = resourceReads(h.sim) - before;
    expect(reads).toBeGreaterThanOrEqual(1);
    expect(reads).toBeLessThanOrEqual(MAX_RESOURCE_READS);
    // Each answer says when its data was read, and that is one of the reads made.
    for (const result of results) {
      expect(result.text).toMatch(READ_LINE);
      expect(result.details?.readAt).toEqual(expect.any(Number));
    }
    expect(new Set(results.map((r) => r.details?.readAt)).size).toBeLessThanOrEqual(reads);
    const byScope = (r: ResultEvent) => r.summary;
    expect(results.map(byScope)).toContain('MonCluster: quorate, 3/3 nodes online, 4/6 guests running');
    expect(results.map(byScope)).toContain('TestVM (qemu/100): running on node01');
  });
});

/** A chat platform that keeps what the core says and lets the test wait for it. */
class RecordingAdapter implements ChatAdapter {
  readonly platform = 'test';
  readonly sent: OutgoingMessage[] = [];
  core: Parameters<ChatAdapter['start']>[0] | undefined;
  #waiters: Array<{ count: number; match: (m: OutgoingMessage) => boolean; resolve: () => void }> = [];

  async start(core: Parameters<ChatAdapter['start']>[0]): Promise<void> {
    this.core = core;
  }
  async stop(): Promise<void> {}
  async send(message: OutgoingMessage): Promise<void> {
    this.sent.push(message);
    for (const waiter of [...this.#waiters]) {
      if (this.sent.filter(waiter.match).length < waiter.count) continue;
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }
  /** Resolves once `count` messages matching were sent. */
  seen(count: number, match: (m: OutgoingMessage) => boolean): Promise<void> {
    if (this.sent.filter(match).length >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ count, match, resolve }));
  }
}

describe('200 `/pve status` typed at once into the product as `pve-chatops all` wires it', () => {
  it(`cost at most ${MAX_RESOURCE_READS} /cluster/resources reads, name resolution included`, async () => {
    const sim = await startSimulator({ port: 0, speed: 50, authFailureDelayMs: 0 });
    const redis = createRedis(REDIS_URL, silentLogger, 'test');
    const prefix = `test-${randomUUID()}`;
    // One client for the core and the worker, as in `all`.
    const pve = new ProxmoxClient({
      hosts: sim.hosts,
      tokenId: sim.tokenId,
      tokenSecret: sim.tokenSecret,
      fingerprints: sim.fingerprints,
    });
    const chat = new RecordingAdapter();
    let app: RunningChatOps | undefined;
    product = {
      async stop() {
        await app?.stop();
        const keys = await redis.keys(`${prefix}*`);
        if (keys.length > 0) await redis.unlink(...keys);
        redis.disconnect();
        await pve.close();
        await sim.stop();
      },
    };
    app = await startChatOps({
      redis,
      prefix,
      pve,
      pveUser: sim.tokenId,
      // The rules without a policy file: reads for everyone.
      policy: defaultPolicy(),
      adapters: [chat],
      logger: silentLogger,
      worker: { concurrency: APP_CONCURRENCY, lockMs: 30_000 },
      consumer: 'test',
    });
    const before = resourceReads(sim);
    // `status TestVM` and `status node02` are resolved by the core against a cluster read first.
    const texts = ['status', 'status TestVM', 'status node02'];
    const isResult = (m: OutgoingMessage) => m.notify === true && READ_LINE.test(m.card.text ?? '');
    await Promise.all(
      Array.from({ length: COMMANDS }, (_, i) =>
        chat.core!.handle({
          platform: 'test',
          user: { id: `test:user${i % 50}`, name: `user${i % 50}`, groups: [] },
          channel: 'test:ops',
          text: texts[i % texts.length]!,
          thread: { platform: 'test', channel: `ops-${i}` },
        }),
      ),
    );
    await chat.seen(COMMANDS, isResult);
    const results = chat.sent.filter(isResult);
    expect(new Set(results.map((m) => m.thread.channel)).size).toBe(COMMANDS);
    expect(results.every((m) => m.card.status === 'succeeded')).toBe(true);
    const reads = resourceReads(sim) - before;
    expect(reads).toBeGreaterThanOrEqual(1);
    expect(reads).toBeLessThanOrEqual(MAX_RESOURCE_READS);
  });
});
