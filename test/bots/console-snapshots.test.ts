// Snapshots end to end through the console adapter, as a person types them: the real core, policy,
// approvals and audit on Redis, the real worker and outbox, real HTTPS to the simulator.
import { afterEach, describe, expect, it } from 'vitest';
import { type ConsoleChat, startConsoleChat } from './helpers/console-chat.js';

const POLICY = `
roles:
  oncall:
    members: [console:dave]
snapshots:
  keep: 1
commands:
  '*':
    allow: [everyone]
    approval:
      approvers: [oncall]
  snapshot:
    allow: [everyone]
    approval: none
`;

let chat: ConsoleChat | undefined;
afterEach(async () => {
  await chat?.stop();
  chat = undefined;
});

describe('snapshots in the console', () => {
  it('takes, lists, refuses what PVE would, and rolls back once on-call approves', async () => {
    const c = await startConsoleChat(POLICY);
    chat = c;
    c.type('/pve snapshot TestVM before-change --description "a safe point"');
    await c.printed(/✅ Snapshot `before-change` of TestVM \(qemu\/100\) taken, disks only, in \d+ s/);
    c.type('/pve snapshot TestVM');
    const taken = await c.printed(/✅ Snapshot `chatops-\d{8}-\d{6}` of TestVM/);
    const name = /`(chatops-[\d-]+)`/.exec(taken)![1]!;

    c.type('/pve snapshots TestVM');
    await c.printed(/2 snapshots of TestVM \(qemu\/100\), 1 by the bot/);
    await c.printed(
      new RegExp(
        `\`before-change\` · .* UTC · disks only · “a safe point”[\\s\\S]*\`${name}\` · .* · by the bot[\\s\\S]*▶ you are here \\(running\\)`,
      ),
    );

    // Refused as typed, before anything runs.
    c.type('/pve snapshot TestVM 9lives');
    await c.printed(
      /'9lives' is not a snapshot name \(a letter, then letters, digits, '_' and '-'; 2 to 40 characters\)/,
    );
    c.type('/pve snapshot ct-dns01 --vmstate');
    await c.printed(/ct-dns01 \(lxc\/200\) is a container: PVE keeps no RAM with a container's snapshot/);
    c.type('/pve rollback TestVM before-chang');
    await c.printed(
      new RegExp(`has no snapshot named \`before-chang\`. Its snapshots: \`before-change\`, \`${name}\``),
    );

    const memory = c.sim.cluster.guest(100)!.memoryMiB;
    c.sim.cluster.guest(100)!.memoryMiB = memory * 2;
    c.type('/pve rollback TestVM before-change');
    await c.printed(/rollback TestVM \(qemu\/100\) on node01 to `before-change`/);
    await c.printed(
      /(less than a minute|\d+ min) of changes since `before-change` \(taken .* UTC\) will be lost\./,
    );
    await c.printed(/Afterwards it stays stopped \(add --start to start it\)\./);
    c.type('approve');
    await c.printed(/Your click changed nothing[\s\S]*own request/i);
    c.type('/as dave');
    c.type('approve');
    await c.printed(/✅ TestVM \(qemu\/100\) rolled back to `before-change` \(taken .* UTC\); it is stopped/);
    expect(c.sim.cluster.guest(100)!.memoryMiB).toBe(memory);
    expect(c.sim.cluster.guest(100)!.running).toBe(false);
  });

  it('shows the Roll back button as the /pve line to type, and typing it asks on-call as a typed rollback does', async () => {
    const c = await startConsoleChat(POLICY);
    chat = c;
    c.type('/pve snapshot TestVM');
    const taken = await c.printed(/✅ Snapshot `chatops-\d{8}-\d{6}` of TestVM/);
    const name = /`(chatops-[\d-]+)`/.exec(taken)![1]!;
    const offered = `/pve rollback 100 ${name}`;
    await c.printed(new RegExp(`\\[Roll back\\] → type \`${offered}\``));
    expect(c.output()).not.toMatch(/type `roll back /);

    const cores = c.sim.cluster.guest(100)!.cores;
    c.sim.cluster.guest(100)!.cores = cores + 2;
    c.type(offered);
    await c.printed(new RegExp(`rollback TestVM \\(qemu/100\\) on node01 to \`${name}\``));
    c.type('/as dave');
    c.type('approve');
    await c.printed(new RegExp(`✅ TestVM \\(qemu/100\\) rolled back to \`${name}\``));
    expect(c.sim.cluster.guest(100)!.cores).toBe(cores);
  });
});
