// `pve-chatops demo` (`npm run demo`): the simulated cluster MonCluster, the worker and a console
// chat in one terminal, with a demo policy: anyone may ask, dave (on call) approves. No Slack,
// Discord or Proxmox needed; Redis at REDIS_URL, or a private redis-server for the session.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { CONSOLE_HELP, ConsoleAdapter } from '../bots/console/console-adapter.js';
import { parsePolicy } from '../core/policy/index.js';
import { createIntakeRedis, createRedis, redisReady } from '../jobs/redis-connection.js';
import { createJsonLogger } from '../logger.js';
import { ProxmoxClient } from '../proxmox/proxmox-client.js';
import { startSimulator } from '../sim/simulator.js';
import { RedisMissingError, redisForDemo } from './private-redis.js';
import { sshRunnerForSimulator } from './simulator-ssh.js';
import { startChatOps } from './start-chatops.js';

export const DEMO_POLICY = `
# The demo's policy: everyone may run every command; state-changing ones need one approval
# from the on-call role, and nobody approves their own request. The audit log, everyone's jobs
# and the join information are on-call's to see ('*' never grants them).
roles:
  oncall:
    members: [console:dave]
  everyone:
    members: ['*']
commands:
  '*':
    allow: [everyone]
    approval:
      approvers: [oncall]
      count: 1
      ttl: 30m
  audit:
    allow: [oncall]
  jobs:
    allow: [oncall]
  cluster-join-info:
    allow: [oncall]
  # A snapshot loses nothing: taken at once.
  snapshot:
    allow: [everyone]
    approval: none
# The bot keeps its newest 3 snapshots per guest, and snapshots the guests of an upgrade and of
# a rollback first (the safety net).
snapshots:
  keep: 3
  before: [upgrade, rollback]
`;

const USAGE = `Usage: pve-chatops demo [--user NAME] [--speed X]

Starts the simulated 3-node cluster MonCluster, the worker and a console chat.
  --user NAME   who you are at start (default alice)
  --speed X     how many times faster than real time the cluster runs (default 5)
`;

export async function runDemoCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { user: { type: 'string' }, speed: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const speed = Number(values.speed ?? '5');
  if (!(speed > 0)) throw new Error(`--speed must be a number greater than 0, got '${values.speed}'`);
  const out = (text: string) => process.stdout.write(text);
  // The demo's own logs would drown the chat: warnings and errors only, on stderr.
  const logger = createJsonLogger('warn');

  let redisHandle: Awaited<ReturnType<typeof redisForDemo>>;
  try {
    redisHandle = await redisForDemo(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  } catch (error) {
    if (!(error instanceof RedisMissingError)) throw error;
    process.stderr.write(`pve-chatops demo: ${error.message}\n`);
    process.exitCode = 1;
    return;
  }
  const sim = await startSimulator({ port: 0, speed, authFailureDelayMs: 0, logger });
  const redis = createRedis(redisHandle.url, logger, 'demo');
  // Commands and clicks are written as in `pve-chatops all`: through a connection that fails at
  // once when Redis is away, so the demo shows "not accepted" instead of running them late.
  const intake = createIntakeRedis(redisHandle.url, logger, 'demo-intake');
  await redisReady(intake);
  // A prefix of its own, so the demo never touches a real deployment's keys in a shared Redis.
  const prefix = `pve-chatops-demo-${randomUUID().slice(0, 8)}`;
  const pve = new ProxmoxClient({
    hosts: sim.hosts,
    tokenId: sim.tokenId,
    tokenSecret: sim.tokenSecret,
    fingerprints: sim.fingerprints,
    logger,
  });
  // The simulator's sshd per node: `/pve upgrade` works in the demo as on a real cluster.
  const ssh = sshRunnerForSimulator(sim.ssh, logger);
  const console = new ConsoleAdapter({
    input: process.stdin,
    output: process.stdout,
    user: values.user ?? 'alice',
  });
  out(
    `pve-chatops demo: simulated cluster '${sim.clusterName}' (${sim.nodes.join(', ')}, ${speed}× real time), ` +
      `Redis ${redisHandle.private ? 'private for this session' : redisHandle.url}.\n` +
      `You are ${values.user ?? 'alice'}; dave is on call and approves. Try:\n` +
      '  /pve status\n  /pve migrate TestVM node03\n  /as dave\n  approve\n' +
      '  /pve updates\n  /pve upgrade --all   (then approve as dave; pause, resume, abort)\n  /pve balance --dry-run\n  /pve digest\n\n' +
      CONSOLE_HELP,
  );
  const app = await startChatOps({
    redis,
    intake,
    prefix,
    pve,
    ssh,
    pveUser: sim.tokenId,
    policy: parsePolicy(DEMO_POLICY, 'demo policy'),
    adapters: [console],
    logger,
    worker: { concurrency: 8, lockMs: 30_000 },
    // One person at one console in one process: commands are handled as typed, not through the
    // intake (which lets bot replicas share a burst). So piped input is handled line by line and
    // the console knows when everything it was given is done.
    commandIntake: false,
    // The daily digest comes to this console (at 08:00 on weekdays); `/pve digest` shows one now.
    digest: {
      cron: '0 8 * * 1-5',
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      targets: [console.thread],
    },
    consumer: 'demo',
  });
  const interrupted = new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  await Promise.race([console.ended, interrupted]);
  // Piped input ends before the jobs it started: let them finish, within reason.
  await Promise.race([
    console.idle(),
    interrupted,
    new Promise((resolve) => setTimeout(resolve, 120_000).unref()),
  ]);
  out('demo: stopping\n');
  await app.stop();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.unlink(...keys);
  redis.disconnect();
  intake.disconnect();
  await ssh.close();
  await pve.close();
  await sim.stop();
  await redisHandle.stop();
}
