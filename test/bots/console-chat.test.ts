// End to end through the console adapter, as a person types it: the real core, policy, approvals
// and audit on Redis, the real worker and outbox, real HTTPS to the simulator.
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_POLICY } from '../../src/app/run-demo-command.js';
import { AuditLog } from '../../src/core/audit/audit-log.js';
import { defaultPolicy } from '../../src/core/policy/index.js';
import { type ConsoleChat, startConsoleChat } from './helpers/console-chat.js';

let chat: ConsoleChat | undefined;
afterEach(async () => {
  await chat?.stop();
  chat = undefined;
});

describe('the console chat', () => {
  it('migrates TestVM to node03 after the on-call approves, and refuses self-approval', async () => {
    const c = await startConsoleChat();
    chat = c;
    c.type('/pve migrate TestVM node03');
    await c.printed(/migrate TestVM \(qemu\/100\) node01 → node03, live/);
    await c.printed(/\[Approve\] → type `approve (\w+)`/);
    c.type('approve');
    await c.printed(/Your click changed nothing[\s\S]*own request/i);
    expect(c.sim.cluster.guest(100)?.node).toBe('node01');

    c.type('/as dave');
    c.type('approve');
    await c.printed(/Approved by dave/);
    await c.printed(/✅ TestVM \(qemu\/100\) now runs on node03/);
    expect(c.sim.cluster.guest(100)?.node).toBe('node03');

    const audit = await new AuditLog(c.redis, { prefix: c.prefix }).latest(10);
    expect(audit.map((r) => r.action)).toEqual(expect.arrayContaining(['request', 'approve', 'job-result']));
  });

  it('answers bad input with what was wrong and what would be right', async () => {
    const c = await startConsoleChat();
    chat = c;
    c.type('/pve migrate TestVN node03');
    await c.printed(/No guest named or numbered 'TestVN'.*Did you mean `TestVM`/);
    c.type('/pve migrate TestVM node09');
    await c.printed(/No node 'node09'.*Nodes: node01, node02, node03/);
    c.type('/pve migarte TestVM node03');
    await c.printed(/Did you mean 'migrate'/);
  });

  it('shows the HA stack without an approval, and adds a guest to HA once on-call approves', async () => {
    const c = await startConsoleChat();
    chat = c;
    c.type('/pve ha');
    await c.printed(/web01 \(qemu\/101\) vm:101: started on node02/);
    c.type('/pve ha add web01');
    await c.printed(/web01 \(qemu\/101\) is already HA-managed \(vm:101, started\)/);
    c.type('/pve ha remove TestVM');
    await c.printed(/TestVM \(qemu\/100\) is not HA-managed: there is nothing to remove/);
    c.type('/pve ha add TestVM');
    await c.printed(/add TestVM \(qemu\/100\) on node01 to HA as vm:100, state started/);
    await c.printed(/\[Approve\] → type `approve (\w+)`/);
    expect(c.sim.cluster.ha.resources.has('vm:100')).toBe(false);
    c.type('/as dave');
    c.type('approve');
    await c.printed(/TestVM \(qemu\/100\) is HA-managed as vm:100: started on node01/);
    expect(c.sim.cluster.ha.resources.has('vm:100')).toBe(true);
  });

  it('shows the cluster status without an approval', async () => {
    const c = await startConsoleChat();
    chat = c;
    c.type('status');
    await c.printed(/MonCluster: quorate, 3\/3 nodes online/);
  });

  it('lists pending updates, then upgrades a node once on-call approves the plan', async () => {
    const c = await startConsoleChat();
    chat = c;
    c.type('/pve updates node03');
    await c.printed(/updates pending on 1 of 1 nodes; a reboot will be needed on node03/);
    expect(c.output()).toContain('pve-manager 9.1.3 → 9.1.4');

    c.type('/pve upgrade node03');
    await c.printed(/plan the upgrade of node03 \(reboot auto\)/);
    // The worker's plan is proposed for approval in the same thread.
    await c.printed(
      /upgrade node03, one node at a time, in the order named \(reboot auto: 1 of 1 expected\)[\s\S]*\[Approve\]/,
    );
    expect(c.output()).toMatch(/1\. node03: \d+ updates, kernel 6\.17\.2-1-pve → 6\.17\.4-1-pve/);
    c.type('approve');
    await c.printed(/Your click changed nothing[\s\S]*own request/i);
    expect(c.sim.cluster.node('node03').pendingUpdates.length).toBeGreaterThan(0);

    c.type('/as dave');
    c.type('approve');
    await c.printed(/Approved by dave/);
    await c.printed(/\[Pause\] → type `pause [^`]+`/);
    // Pause holds it at the next step boundary, Resume lets it go on.
    c.type('pause');
    await c.printed(/Pause of job \S+ \(upgrade\) by dave/);
    await c.printed(/paused by dave before [^\n]+; Resume or Abort/);
    await c.printed(/\[Resume\] → type `resume [^`]+`/);
    expect(c.output()).not.toMatch(/✅ Upgraded/);
    c.type('resume');
    await c.printed(/✅ Upgraded node03; rebooted node03; every guest back home/);
    expect(c.sim.cluster.node('node03').pendingUpdates).toEqual([]);
    expect(c.sim.cluster.guest(200)?.node).toBe('node03');
  }, 60_000);

  it('forces a node down past its guests only as the policy’s node-force entry allows', async () => {
    // The entry goes under `commands:`, wherever the demo policy's other sections are.
    const c = await startConsoleChat(
      DEMO_POLICY.replace('\ncommands:\n', '\ncommands:\n  node-force:\n    allow: [oncall]\n'),
    );
    chat = c;
    c.type('/pve node reboot node01');
    await c.printed(/TestVM \(qemu\/100\) runs on node01 without HA and would go down with it/);
    c.type('/pve node reboot node01 --force');
    await c.printed(/You may not run node-force here[\s\S]*'node-force' needs the role oncall/);
    c.type('/as dave');
    c.type('/pve node reboot node01 --force');
    await c.printed(/reboot node node01 \(FORCED: TestVM \(qemu\/100\) will stop\)/);
  });

  it('without a policy file, reads and says what to write to do more (pve-chatops all --console)', async () => {
    const c = await startConsoleChat(defaultPolicy());
    chat = c;
    c.type('/pve stop TestVM');
    await c.printed(/You may not run stop here[\s\S]*without a policy file[\s\S]*POLICY_FILE/);
    expect(c.output()).toContain('members: [console:dave, console:alice]');
    c.type('/pve audit');
    await c.printed(/The audit log is private/);
    c.type('/pve status');
    await c.printed(/MonCluster: quorate, 3\/3 nodes online/);
    expect(c.sim.cluster.guest(100)?.running).toBe(true);
  });
});
