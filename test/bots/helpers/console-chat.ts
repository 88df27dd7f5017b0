// A console chat wired as the demo wires it (the real core, policy, approvals and audit on Redis,
// the real worker and outbox, real HTTPS and SSH to the simulator), for end-to-end tests.
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { Redis } from 'ioredis';
import { DEMO_POLICY } from '../../../src/app/run-demo-command.js';
import { sshRunnerForSimulator } from '../../../src/app/simulator-ssh.js';
import { type RunningChatOps, startChatOps } from '../../../src/app/start-chatops.js';
import { ConsoleAdapter } from '../../../src/bots/console/console-adapter.js';
import { type Policy, parsePolicy } from '../../../src/core/policy/index.js';
import { createRedis } from '../../../src/jobs/redis-connection.js';
import { silentLogger } from '../../../src/logger.js';
import { ProxmoxClient } from '../../../src/proxmox/proxmox-client.js';
import { type RunningSimulator, type SimCluster, startSimulator } from '../../../src/sim/simulator.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface ConsoleChat {
  sim: RunningSimulator<SimCluster>;
  redis: Redis;
  prefix: string;
  type(line: string): void;
  /** Resolves once the console printed text matching. */
  printed(pattern: RegExp): Promise<string>;
  output(): string;
  stop(): Promise<void>;
}

/** What a console prints, read like a terminal: everything so far, and a wait for a pattern. */
export function consoleScreen(): {
  stream: PassThrough;
  printed(pattern: RegExp): Promise<string>;
  output(): string;
} {
  const stream = new PassThrough();
  let text = '';
  const waiters: Array<{ pattern: RegExp; resolve: (m: string) => void }> = [];
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString();
    for (const waiter of [...waiters]) {
      const match = waiter.pattern.exec(text);
      if (match) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(match[0]);
      }
    }
  });
  return {
    stream,
    printed: (pattern) => {
      const match = pattern.exec(text);
      if (match) return Promise.resolve(match[0]);
      return new Promise((resolve) => waiters.push({ pattern, resolve }));
    },
    output: () => text,
  };
}

/**
 * The demo's wiring on a private Redis prefix, typed into and read from like a terminal. The
 * policy: YAML text (the demo's by default), or a loaded one (the built-in defaults).
 */
export async function startConsoleChat(policy: string | Policy = DEMO_POLICY): Promise<ConsoleChat> {
  const sim = await startSimulator({ port: 0, speed: 50, authFailureDelayMs: 0 });
  const redis = createRedis(REDIS_URL, silentLogger, 'test');
  const prefix = `test-${randomUUID()}`;
  const input = new PassThrough();
  const screen = consoleScreen();
  const output = screen.stream;
  const pve = new ProxmoxClient({
    hosts: sim.hosts,
    tokenId: sim.tokenId,
    tokenSecret: sim.tokenSecret,
    fingerprints: sim.fingerprints,
  });
  const ssh = sshRunnerForSimulator(sim.ssh);
  const consoleAdapter = new ConsoleAdapter({ input, output, user: 'alice' });
  const app: RunningChatOps = await startChatOps({
    redis,
    prefix,
    pve,
    ssh,
    pveUser: sim.tokenId,
    policy: typeof policy === 'string' ? parsePolicy(policy, 'test policy') : policy,
    adapters: [consoleAdapter],
    logger: silentLogger,
    worker: { concurrency: 4, lockMs: 30_000 },
    consumer: 'test',
  });
  return {
    sim,
    redis,
    prefix,
    type: (line) => input.write(`${line}\n`),
    printed: screen.printed,
    output: screen.output,
    async stop() {
      input.end();
      await app.stop();
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.unlink(...keys);
      redis.disconnect();
      await ssh.close();
      await pve.close();
      await sim.stop();
    },
  };
}
