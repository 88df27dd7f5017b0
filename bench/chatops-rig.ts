// One process with the whole product wired as `pve-chatops all` wires it (startChatOps: core,
// queue, outbox readers and the worker on the real Redis), the SlackAdapter in HTTP mode against
// FakeSlack, and the simulator. Benchmarks drive it with signed slash commands (as Slack does) or
// hand events to the core directly, and watch every PVE call the client makes (core and worker
// share it, as in `all`) with its start time.
import { randomUUID } from 'node:crypto';
import { type RunningChatOps, startChatOps } from '../src/app/start-chatops.js';
import type { ChatAdapter } from '../src/bots/adapter.js';
import { SlackAdapter } from '../src/bots/slack/slack-adapter.js';
import type { CoreApi } from '../src/core/core-api.js';
import type { OutgoingMessage } from '../src/core/message.js';
import { parsePolicy } from '../src/core/policy/index.js';
import { createRedis } from '../src/jobs/redis-connection.js';
import { silentLogger } from '../src/logger.js';
import { ProxmoxClient } from '../src/proxmox/proxmox-client.js';
import type { PveRequestEvent } from '../src/proxmox/request-observer.js';
import {
  type RunningSimulator,
  type SimCluster,
  type SimulatorOptions,
  startSimulator,
} from '../src/sim/simulator.js';
import { FakeSlack } from '../test/fakes/slack/fake-slack.js';
import type { DeliveryResult } from '../test/fakes/slack/types.js';

export const RIG_CHANNEL = 'C0BENCH';

/** Everyone may run everything, without approvals: the benchmarks time the path without a human. */
export const OPEN_POLICY = `
roles:
  everyone:
    members: ['*']
commands:
  '*':
    allow: [everyone]
    approval: none
`;

/** A chat platform that only records what the core says (for events handed to the core directly). */
export class RecordingAdapter implements ChatAdapter {
  readonly platform = 'bench';
  #listeners = new Set<(message: OutgoingMessage) => void>();
  core: CoreApi | undefined;

  async start(core: CoreApi): Promise<void> {
    this.core = core;
  }

  async stop(): Promise<void> {}

  async send(message: OutgoingMessage): Promise<void> {
    for (const listener of this.#listeners) listener(message);
  }

  /** Resolves with the first message `match` accepts. */
  next(match: (message: OutgoingMessage) => boolean, timeoutMs = 30_000): Promise<OutgoingMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#listeners.delete(listener);
        reject(new Error(`no matching chat message within ${timeoutMs} ms`));
      }, timeoutMs);
      const listener = (message: OutgoingMessage) => {
        if (!match(message)) return;
        clearTimeout(timer);
        this.#listeners.delete(listener);
        resolve(message);
      };
      this.#listeners.add(listener);
    });
  }
}

/** A PVE call as the client made it: `startedAt` is performance.now() when it was issued. */
export type PveCallListener = (event: PveRequestEvent & { startedAt: number }) => void;

export interface Rig {
  fake: FakeSlack;
  sim: RunningSimulator<SimCluster>;
  chatops: RunningChatOps;
  slack: SlackAdapter;
  recorder: RecordingAdapter;
  /** Every PVE call (core and worker) from now on; returns the unsubscribe. */
  onPveCall(listener: PveCallListener): () => void;
  /** A signed `/pve <text>` from FakeSlack to the adapter; an ack timeout is a result, not a throw. */
  slash(text: string, user?: number): Promise<DeliveryResult>;
  stop(): Promise<void>;
}

export interface RigOptions {
  sim?: SimulatorOptions;
  workerConcurrency?: number;
  /** The client's clusterSnapshotMaxAgeMs (its default, 2 s, when absent). */
  clusterSnapshotMaxAgeMs?: number;
}

export async function startRig(options: RigOptions = {}): Promise<Rig> {
  const fake = await FakeSlack.start();
  const sim = await startSimulator({ port: 0, authFailureDelayMs: 0, logger: silentLogger, ...options.sim });
  const prefix = `bench-rig-${randomUUID()}`;
  const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', silentLogger, 'bench');
  const listeners = new Set<PveCallListener>();
  const pve = new ProxmoxClient({
    hosts: sim.hosts,
    tokenId: sim.tokenId,
    tokenSecret: sim.tokenSecret,
    fingerprints: sim.fingerprints,
    logger: silentLogger,
    ...(options.clusterSnapshotMaxAgeMs === undefined
      ? {}
      : { clusterSnapshotMaxAgeMs: options.clusterSnapshotMaxAgeMs }),
    onRequest: (event) => {
      const startedAt = performance.now() - event.durationMs;
      for (const listener of listeners) listener({ ...event, startedAt });
    },
  });
  const slack = new SlackAdapter({
    botToken: fake.botToken,
    signingSecret: fake.signingSecret,
    apiUrl: fake.apiUrl,
    port: 0,
    logger: silentLogger,
  });
  const recorder = new RecordingAdapter();
  const chatops = await startChatOps({
    redis,
    prefix,
    pve,
    pveUser: sim.tokenId,
    policy: parsePolicy(OPEN_POLICY, 'bench policy'),
    adapters: [slack, recorder],
    logger: silentLogger,
    worker: { concurrency: options.workerConcurrency ?? 8, lockMs: 30_000 },
    consumer: 'bench',
  });
  const url = `http://127.0.0.1:${slack.port}/slack/events`;
  return {
    fake,
    sim,
    chatops,
    slack,
    recorder,
    onPveCall(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    slash: (text, user = 0) => slashCommand(fake, url, text, user, RIG_CHANNEL),
    async stop() {
      await chatops.stop();
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.unlink(...keys);
      redis.disconnect();
      await pve.close();
      await sim.stop();
      await fake.stop();
    },
  };
}

/** `/pve <text>` from user U<1000 + user> in `channel`; an ack Slack gave up on has status 0. */
export async function slashCommand(
  fake: FakeSlack,
  url: string,
  text: string,
  user: number,
  channel: string,
): Promise<DeliveryResult> {
  try {
    return await fake.slashCommand(
      { url },
      { command: '/pve', text, userId: `U${1000 + user}`, channelId: channel },
    );
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'FAKE_SLACK_ACK_TIMEOUT') throw error;
    return { status: 0, body: '', ackMs: fake.ackTimeoutMs };
  }
}
