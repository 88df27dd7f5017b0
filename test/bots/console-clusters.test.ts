// Several clusters from one bot, end to end through the console: two simulated clusters at once
// (MonCluster as `lab`, SRV-Cluster as `prod`, each with the guides' TestVM), the real core,
// policy, approvals and worker on Redis. `--cluster lab` moves the lab's TestVM and not prod's; a
// name in both clusters gets the candidates; prod's two-approval rule holds while lab needs one;
// status covers both in one card, and still answers with prod unreachable.
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { sshRunnerForSimulator } from '../../src/app/simulator-ssh.js';
import { type RunningChatOps, startChatOps } from '../../src/app/start-chatops.js';
import { ConsoleAdapter } from '../../src/bots/console/console-adapter.js';
import { parsePolicy } from '../../src/core/policy/index.js';
import { createRedis } from '../../src/jobs/redis-connection.js';
import { silentLogger } from '../../src/logger.js';
import { ProxmoxClient } from '../../src/proxmox/proxmox-client.js';
import { type RunningSimulator, type SimCluster, startSimulators } from '../../src/sim/simulator.js';
import { consoleScreen } from './helpers/console-chat.js';

const POLICY = `
roles:
  ops:
    members: ['*']
  oncall:
    members: [console:bob, console:dave]
commands:
  '*':
    allow: [ops]
    approval:
      approvers: [oncall]
  # On prod a reboot needs two approvals; elsewhere (lab) the '*' rule's one.
  reboot@prod:
    allow: [ops]
    approval:
      approvers: [oncall]
      count: 2
`;

interface Rig {
  lab: RunningSimulator<SimCluster>;
  prod: RunningSimulator<SimCluster>;
  type(line: string): void;
  printed(pattern: RegExp): Promise<string>;
  output(): string;
  stop(): Promise<void>;
}

async function startRig(): Promise<Rig> {
  const [lab, prod] = await startSimulators({
    clusters: 2,
    port: 0,
    sshPort: 0,
    speed: 50,
    authFailureDelayMs: 0,
  });
  const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', silentLogger, 'test');
  const prefix = `test-${randomUUID()}`;
  const connect = (sim: RunningSimulator<SimCluster>) =>
    new ProxmoxClient({
      hosts: sim.hosts,
      tokenId: sim.tokenId,
      tokenSecret: sim.tokenSecret,
      fingerprints: sim.fingerprints,
    });
  const labPve = connect(lab!);
  const prodPve = connect(prod!);
  const labSsh = sshRunnerForSimulator(lab!.ssh);
  const prodSsh = sshRunnerForSimulator(prod!.ssh);
  const input = new PassThrough();
  const screen = consoleScreen();
  const output = screen.stream;
  const app: RunningChatOps = await startChatOps({
    redis,
    prefix,
    pve: labPve,
    ssh: labSsh,
    pveUser: lab!.tokenId,
    clusters: [
      { name: 'lab', pve: labPve, ssh: labSsh, pveUser: lab!.tokenId },
      { name: 'prod', pve: prodPve, ssh: prodSsh, pveUser: prod!.tokenId },
    ],
    policy: parsePolicy(POLICY, 'test policy'),
    adapters: [new ConsoleAdapter({ input, output, user: 'alice' })],
    logger: silentLogger,
    worker: { concurrency: 4, lockMs: 30_000 },
    consumer: 'test',
  });
  return {
    lab: lab!,
    prod: prod!,
    type: (line) => input.write(`${line}\n`),
    printed: screen.printed,
    output: screen.output,
    async stop() {
      input.end();
      await app.stop();
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.unlink(...keys);
      redis.disconnect();
      await Promise.all([labSsh.close(), prodSsh.close(), labPve.close(), prodPve.close()]);
      await Promise.all([lab!.stop(), prod!.stop()]);
    },
  };
}

let rig: Rig | undefined;
afterEach(async () => {
  if (process.env.SHOW_OUTPUT) console.log(rig?.output());
  await rig?.stop();
  rig = undefined;
});

/** Matches once `pattern` has been printed `n` times. */
const times = (pattern: string, n: number) => new RegExp(`(?:[\\s\\S]*?${pattern}){${n}}`);

describe('several clusters from one bot', () => {
  it('--cluster lab moves the lab’s TestVM and not prod’s; a name in both clusters gets the candidates', async () => {
    const r = await startRig();
    rig = r;
    r.type('/pve stop TestVM');
    await r.printed(
      /TestVM exists in several clusters \(lab: TestVM \(qemu\/100\) on node01; prod: TestVM \(qemu\/100\) on srv01\)\. Add --cluster lab or --cluster prod\./,
    );

    r.type('/pve migrate TestVM node03 --cluster lab');
    await r.printed(/migrate TestVM \(qemu\/100\) node01 → node03, live \(cluster lab\)/);
    r.type('/as dave');
    r.type('approve');
    await r.printed(/✅ TestVM \(qemu\/100\) now runs on node03/);
    expect(r.lab.cluster.guest(100)?.node).toBe('node03');
    expect(r.prod.cluster.guest(100)?.node).toBe('srv01');

    // A node name only one cluster has is enough to choose it.
    r.type('/pve migrate TestVM srv02');
    await r.printed(/migrate TestVM \(qemu\/100\) srv01 → srv02, live \(cluster prod\)/);
  });

  it('prod’s two-approval rule holds while lab needs one', async () => {
    const r = await startRig();
    rig = r;
    r.type('/pve reboot TestVM --cluster lab');
    await r.printed(/reboot TestVM \(qemu\/100\) on node01 \(now running\) \(cluster lab\)/);
    r.type('/as dave');
    r.type('approve');
    await r.printed(/✅ TestVM \(qemu\/100\) rebooted/);

    r.type('/as alice');
    r.type('/pve reboot TestVM --cluster prod');
    await r.printed(/reboot TestVM \(qemu\/100\) on srv01 \(now running\) \(cluster prod\)/);
    await r.printed(/Approvers: 2 approvals from oncall/);
    r.type('/as dave');
    r.type('approve');
    await r.printed(/Approvals: 1 of 2: dave/);
    expect(r.output()).not.toMatch(/▶ reboot · job approval-\w+: rebooting TestVM \(qemu\/100\) on srv01/);
    r.type('/as bob');
    r.type('approve');
    await r.printed(times('✅ TestVM \\(qemu/100\\) rebooted', 2));
  });

  it('status covers both clusters in one card, and still answers with one unreachable', async () => {
    const r = await startRig();
    rig = r;
    r.type('/pve status');
    await r.printed(
      /2 clusters[\s\S]*\*\*lab\*\*: MonCluster: quorate, 3\/3 nodes online[\s\S]*\*\*prod\*\*: SRV-Cluster: quorate, 3\/3 nodes online/,
    );
  });

  it('status still answers, for the other cluster, when one cluster is unreachable', async () => {
    const r = await startRig();
    rig = r;
    for (const node of ['srv01', 'srv02', 'srv03']) await r.prod.faults.nodeDown(node);
    r.type('/pve status');
    await r.printed(/\*\*prod\*\*: unreachable/);
    expect(r.output()).toMatch(/\*\*lab\*\*: MonCluster: quorate, 3\/3 nodes online/);
  });

  it('a result on prod offers its next command for prod (Roll back), which runs there', async () => {
    const r = await startRig();
    rig = r;
    r.type('/pve snapshot TestVM before-change --cluster prod');
    await r.printed(/snapshot TestVM \(qemu\/100\) on srv01 as `before-change`, disks only \(cluster prod\)/);
    r.type('/as dave');
    r.type('approve');
    // Pressing it is typing it: the same command, for the same cluster, asked as a new request.
    const offer = await r.printed(/rollback \S+ before-change --cluster prod/);
    r.type(`/pve ${offer}`);
    await r.printed(/rollback TestVM \(qemu\/100\) on srv01 to `before-change` \(cluster prod\)/);
  });
});
