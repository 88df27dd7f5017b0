// `/pve replication` and `/pve replicate` end to end through the console adapter: the real core,
// policy and approvals on Redis, the real worker and outbox, real HTTPS to the simulator.
import { afterEach, describe, expect, it } from 'vitest';
import { type ConsoleChat, startConsoleChat } from './helpers/console-chat.js';

let chat: ConsoleChat | undefined;
afterEach(async () => {
  await chat?.stop();
  chat = undefined;
});
describe('replication in the console chat', () => {
  it('refuses a replicate to its own node, creates one once on-call approves, runs it and lists it', async () => {
    const c = await startConsoleChat();
    chat = c;
    c.type('/pve replicate files01 node03');
    await c.printed(/files01 \(qemu\/103\) lives on node03: replication copies its disks to another node/);
    c.type('/pve replicate files01 node02 --schedule */30');
    await c.printed(/replicate files01 \(qemu\/103\) node03 → node02, schedule \*\/30/);
    await c.printed(/\[Approve\] → type `approve (\w+)`/);
    expect(c.sim.cluster.replication.jobs.has('103-1')).toBe(false);
    c.type('/as dave');
    c.type('approve');
    await c.printed(/Replication job 103-1 created: files01 \(qemu\/103\) node03 → node02, schedule \*\/30/);
    expect(c.sim.cluster.replication.get('103-1')).toMatchObject({ target: 'node02', schedule: '*/30' });

    // Running an existing job now needs no approval.
    c.type('/pve replication run 103-0');
    await c.printed(/Replication 103-0 files01 \(103\) node03 → node01 synced in [\d.]+ s/);
    c.type('/pve replication');
    await c.printed(/2 replication jobs, none failing/);
    expect(c.output()).toMatch(/103-1 · files01 \(103\) node03 → node02 · schedule \*\/30 · /);
  }, 60_000);

  it("reports a failing run with pvesr's error", async () => {
    const c = await startConsoleChat();
    chat = c;
    c.sim.cluster.replication.failRuns(
      '103-0',
      'cannot receive incremental stream: destination tank/vm-103-disk-0 has been modified',
    );
    c.type('/pve replication run 103-0');
    await c.printed(/failed \(1 failure\): cannot receive incremental stream/);
    c.type('/pve replication');
    await c.printed(/1 replication job, 1 failing/);
    expect(c.output()).toContain('FAILED 1×: cannot receive incremental stream');
  });
});
