// The real core on real parts, for the pipeline's tests: the simulator over HTTPS for name
// resolution, the real Redis under a prefix of its own (queue, approvals, audit, request ledger),
// optionally a worker whose outbox events come back through the core (onJobEvent), and a chat
// sink that records every message and every public record the core asks for.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ApprovalStore } from '../../../src/core/approvals/approval-store.js';
import { AuditLog } from '../../../src/core/audit/audit-log.js';
import type { ChatEvent, ChatUser } from '../../../src/core/chat-event.js';
import { Core, type CoreOptions } from '../../../src/core/core.js';
import type { ChatSink, OutgoingMessage } from '../../../src/core/message.js';
import { type Policy, parsePolicy } from '../../../src/core/policy/index.js';
import { RequestLedger } from '../../../src/core/request-ledger.js';
import type { ThreadRef } from '../../../src/jobs/job-events.js';
import { JobQueue } from '../../../src/jobs/job-queue.js';
import { JobWorker } from '../../../src/jobs/job-worker.js';
import { OutboxReader } from '../../../src/jobs/outbox/outbox-reader.js';
import { OutboxWriter } from '../../../src/jobs/outbox/outbox-writer.js';
import { createRedis } from '../../../src/jobs/redis-connection.js';
import { silentLogger } from '../../../src/logger.js';
import { ProxmoxClient } from '../../../src/proxmox/proxmox-client.js';
import { type RunningSimulator, type SimCluster, startSimulator } from '../../../src/sim/simulator.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const PLATFORM = 'test';
/** The thread a ChatEvent carries before its public record exists: the channel only. */
export const CHANNEL_THREAD: ThreadRef = { platform: PLATFORM, channel: 'C1' };

export const alice: ChatUser = { id: 'console:alice', name: 'alice', groups: [] };
export const bob: ChatUser = { id: 'console:bob', name: 'bob', groups: [] };
export const carol: ChatUser = { id: 'console:carol', name: 'carol', groups: [] };

/** alice may stop at once and ask for migrations; bob approves them. */
export const TEST_POLICY = `
roles:
  ops:
    members: [console:alice]
  on-call:
    members: [console:bob]
commands:
  stop:
    allow: [ops]
    approval: none
  migrate:
    allow: [ops]
    approval:
      approvers: [on-call]
`;

/** How the sink answers openRequestThread: a new thread per call, none (like the console), or an error. */
export type RequestThreads = 'open' | 'absent' | ((event: ChatEvent) => Promise<ThreadRef>);

export interface CoreHarnessOptions {
  policy?: Policy | string;
  requestThreads?: RequestThreads;
  /** Give the core the request ledger (as start-chatops does). Default true. */
  ledger?: boolean;
  /** Run a worker and feed its outbox events to core.onJobEvent. Default false. */
  worker?: boolean;
  core?: Partial<CoreOptions>;
}

export interface CoreHarness {
  sim: RunningSimulator<SimCluster>;
  redis: Redis;
  prefix: string;
  queue: JobQueue;
  approvals: ApprovalStore;
  audit: AuditLog;
  core: Core;
  /** Every message the core sent, in order. */
  sent: OutgoingMessage[];
  /** Every event the core asked a public record for, in order; thread `R<n>` is the n-th. */
  opened: ChatEvent[];
  /** Alice (by default) types `text` in channel C1. */
  say(text: string, options?: { user?: ChatUser; requestId?: string }): Promise<void>;
  /** Resolves with the first message sent (before or after the call) that matches. */
  message(match: (message: OutgoingMessage) => boolean): Promise<OutgoingMessage>;
  stop(): Promise<void>;
}

export async function startCoreHarness(options: CoreHarnessOptions = {}): Promise<CoreHarness> {
  const sim = await startSimulator({ port: 0, speed: 50, authFailureDelayMs: 0 });
  const redis = createRedis(REDIS_URL, silentLogger, 'test');
  const prefix = `test-core-${randomUUID()}`;
  const outbox = new OutboxWriter(redis, { prefix });
  const queue = new JobQueue({ redis, prefix, outbox, backoffMs: 100 });
  const approvals = new ApprovalStore(redis, { prefix });
  const audit = new AuditLog(redis, { prefix });
  const pve = new ProxmoxClient({
    hosts: sim.hosts,
    tokenId: sim.tokenId,
    tokenSecret: sim.tokenSecret,
    fingerprints: sim.fingerprints,
  });
  const sent: OutgoingMessage[] = [];
  const opened: ChatEvent[] = [];
  const waiters: Array<{ match: (m: OutgoingMessage) => boolean; resolve: (m: OutgoingMessage) => void }> =
    [];
  const threads = options.requestThreads ?? 'open';
  const sink: ChatSink = {
    async send(message) {
      sent.push(message);
      for (const waiter of [...waiters]) {
        if (!waiter.match(message)) continue;
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(message);
      }
    },
    ...(threads === 'absent'
      ? {}
      : {
          async openRequestThread(event: ChatEvent) {
            if (threads !== 'open') return threads(event);
            opened.push(event);
            return { ...event.thread, thread: `R${opened.length}` };
          },
        }),
  };
  const policy =
    typeof options.policy === 'object' ? options.policy : parsePolicy(options.policy ?? TEST_POLICY, 'test');
  const core = new Core({
    queue,
    approvals,
    audit,
    policy,
    sink,
    readCluster: () => pve.clusterSnapshot(),
    readSnapshots: (guest) => pve.snapshots(guest),
    logger: silentLogger,
    ...(options.ledger === false ? {} : { requests: new RequestLedger(redis, { prefix }) }),
    ...options.core,
  });
  let reader: OutboxReader | undefined;
  let worker: JobWorker | undefined;
  if (options.worker) {
    reader = new OutboxReader(redis, { platform: PLATFORM, consumer: 'test', prefix, blockMs: 200 });
    reader.start((delivery) => core.onJobEvent(delivery.thread, delivery.event));
    worker = new JobWorker({
      redis,
      prefix,
      pve,
      pveUser: sim.tokenId,
      outbox,
      pollInterval: { initialMs: 20, maxMs: 100 },
      resumeDelayMs: 50,
    });
    await worker.start();
  }
  return {
    sim,
    redis,
    prefix,
    queue,
    approvals,
    audit,
    core,
    sent,
    opened,
    say: (text, { user = alice, requestId } = {}) =>
      core.handle({
        platform: PLATFORM,
        user,
        channel: 'console:terminal',
        text,
        thread: CHANNEL_THREAD,
        ...(requestId === undefined ? {} : { requestId }),
      }),
    message(match) {
      const seen = sent.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
    async stop() {
      await worker?.close();
      await reader?.stop();
      await queue.queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.unlink(...keys);
      redis.disconnect();
      await pve.close();
      await sim.stop();
    },
  };
}

/** The approval id of an approval card. */
export function approvalIdOf(message: OutgoingMessage): string {
  if (!message.key?.startsWith('approval:')) throw new Error(`not an approval card: ${message.card.title}`);
  return message.key.slice('approval:'.length);
}
