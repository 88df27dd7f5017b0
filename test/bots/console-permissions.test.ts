// Proxmox's own permissions from chat, end to end through the console as a person types it: the
// simulator's access control (users and ACLs made through PVE's own endpoints, permissions
// computed as PVE computes them), the real core, policy, approvals and audit on Redis, the real
// worker. alice holds PVEVMUser on /vms/100: she may stop and start TestVM, her migration is
// refused naming VM.Migrate on /vms/100 until an admin grants PVEVMAdmin, which applies without a
// restart; carol, unmapped, may only read; bob may approve by the policy but not by Proxmox.
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/core/audit/audit-log.js';
import { ProxmoxClient } from '../../src/proxmox/proxmox-client.js';
import { type ConsoleChat, startConsoleChat } from './helpers/console-chat.js';

const POLICY = `
roles:
  ops:
    members: ['*']
  oncall:
    members: [console:bob, console:dave]
commands:
  '*':
    allow: [ops]
    approval: none
  migrate:
    allow: [ops]
    approval:
      approvers: [oncall]
identities:
  mode: required
  users:
    "console:alice": alice@pve
    "console:bob": bob@pve
    "console:dave": dave@pve
  # Asked every time: the grant below must apply to the very next command.
  cacheSeconds: 0
`;

/** Matches once `pattern` has been printed `times` times. */
const times = (pattern: string, n: number) => new RegExp(`(?:[\\s\\S]*?${pattern}){${n}}`);

let chat: ConsoleChat | undefined;
let admin: ProxmoxClient | undefined;
afterEach(async () => {
  if (process.env.SHOW_OUTPUT) console.log(chat?.output());
  await chat?.stop();
  await admin?.close();
  chat = undefined;
  admin = undefined;
});

describe('PVE permissions bound what each person does from chat', () => {
  it('alice may stop and start TestVM; her migrate is refused naming VM.Migrate on /vms/100 until PVEVMAdmin is granted', async () => {
    const c = await startConsoleChat(POLICY);
    chat = c;
    // The cluster's admin, through PVE's own endpoints (the bot's token holds Administrator on /).
    const pve = new ProxmoxClient({
      hosts: c.sim.hosts,
      tokenId: c.sim.tokenId,
      tokenSecret: c.sim.tokenSecret,
      fingerprints: c.sim.fingerprints,
    });
    admin = pve;
    for (const userid of ['alice@pve', 'bob@pve', 'dave@pve']) await pve.createUser({ userid });
    await pve.updateAcl({ path: '/vms/100', roles: ['PVEVMUser'], users: ['alice@pve', 'bob@pve'] });
    await pve.updateAcl({ path: '/vms', roles: ['PVEVMAdmin'], users: ['dave@pve'] });

    c.type('/pve stop TestVM');
    await c.printed(/✅ TestVM \(qemu\/100\) stopped on node01/);
    c.type('/pve start TestVM');
    await c.printed(times('✅ TestVM \\(qemu/100\\)', 2));
    expect(c.sim.cluster.guest(100)?.running).toBe(true);

    c.type('/pve migrate TestVM node03');
    await c.printed(/Proxmox does not allow alice@pve to do this/);
    await c.printed(/• VM\.Migrate on \/vms\/100, to migrate TestVM \(qemu\/100\)/);
    await c.printed(/pveum acl modify \/vms\/100 --users alice@pve --roles PVEVMAdmin/);

    c.type('/pve whoami TestVM');
    await c.printed(/Proxmox user.*alice@pve \(mapped from console:alice/);
    await c.printed(
      /TestVM \(qemu\/100\) \(\/vms\/100\): may start, stop, shut down, reboot; back up\. May not migrate \(needs VM\.Migrate\)/,
    );

    // The admin grants it in PVE; no restart.
    await pve.updateAcl({ path: '/vms/100', roles: ['PVEVMAdmin'], users: ['alice@pve'] });
    c.type('/pve migrate TestVM node03');
    const card = await c.printed(/\[Approve\] → type `approve (\w+)`/);
    const id = /approve (\w+)/.exec(card)![1]!;

    // bob is on call by the policy, but his PVE user has no VM.Migrate: his approval counts for nothing.
    c.type('/as bob');
    c.type(`approve ${id}`);
    await c.printed(/You may not approve this: Proxmox does not allow bob@pve/);
    expect(c.sim.cluster.guest(100)?.node).toBe('node01');

    c.type('/as dave');
    c.type(`approve ${id}`);
    await c.printed(/✅ TestVM \(qemu\/100\) now runs on node03/);
    expect(c.sim.cluster.guest(100)?.node).toBe('node03');

    // carol is mapped to no PVE user: she may read, and nothing else.
    c.type('/as carol');
    c.type('/pve status');
    await c.printed(/MonCluster/);
    c.type('/pve stop TestVM');
    await c.printed(/You may only read here/);
    c.type('/pve whoami');
    await c.printed(/Proxmox user: none \(checked against Proxmox; without one you may only read\)/);
    expect(c.sim.cluster.guest(100)?.running).toBe(true);

    const audit = await new AuditLog(c.redis, { prefix: c.prefix }).latest(50);
    const byAction = (action: string, actor: string) =>
      audit.filter((r) => r.action === action && r.actor === actor).map((r) => r.pveUser);
    expect(byAction('refused', 'console:alice')).toEqual(['alice@pve']);
    expect(byAction('refused', 'console:bob')).toEqual(['bob@pve']);
    expect(byAction('approve', 'console:dave')).toEqual(['dave@pve']);
    expect(byAction('refused', 'console:carol')).toEqual([undefined]);
  });
});
