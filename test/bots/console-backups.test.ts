// Backups end to end through the console adapter, as a person types them: the real core, policy
// and audit on Redis, the real worker and outbox, real HTTPS to the simulator.
import { afterEach, describe, expect, it } from 'vitest';
import { type ConsoleChat, startConsoleChat } from './helpers/console-chat.js';

const POLICY = `
roles:
  oncall:
    members: [console:dave]
commands:
  '*':
    allow: [everyone]
    approval:
      approvers: [oncall]
  backup:
    allow: [everyone]
    approval: none
`;

let chat: ConsoleChat | undefined;
afterEach(async () => {
  await chat?.stop();
  chat = undefined;
});

describe('backups in the console', () => {
  it('backs up guests on two nodes, lists the archive, and asks on-call before a stop-mode backup', async () => {
    const c = await startConsoleChat(POLICY);
    chat = c;
    c.type('/pve backup TestVM db01');
    await c.printed(
      /backup TestVM \(qemu\/100\) on node01, db01 \(qemu\/102\) on node02 → pbs-backup \(chosen: shared Proxmox Backup Server\), snapshot mode/,
    );
    const done = await c.printed(/✅ 2 guests backed up to pbs-backup on 2 nodes \(snapshot\)/);
    expect(done).toBeDefined();
    const line = await c.printed(/TestVM \(qemu\/100\): vm\/100\/\S+Z on pbs-backup/);
    const archive = /vm\/100\/\S+Z/.exec(line)![0];

    c.type('/pve backups TestVM');
    await c.printed(new RegExp(`pbs-backup · ${archive.replace(/[/.]/g, '\\$&')} · `));

    // A storage a node cannot use is refused before anything runs, with the candidates.
    c.type('/pve backup TestVM --storage usb-backup');
    await c.printed(
      /Storage usb-backup is not available on node01, where a guest lives; storages for backups: pbs-backup/,
    );

    // --mode stop is judged under backup-stop: '*' here, so on-call approves.
    c.type('/pve backup ct-dns01 --mode stop');
    await c.printed(/ct-dns01 \(lxc\/200\) will be shut down for the backup and started again/);
    c.type('/as dave');
    c.type('approve');
    await c.printed(/✅ ct-dns01 \(lxc\/200\) backed up to pbs-backup \(stop\)/);
  });
});
