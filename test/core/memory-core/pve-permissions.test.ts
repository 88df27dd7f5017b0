// Proxmox's own permissions bounding what each person can do from chat (policy identities:): the
// core asks PVE (here a port that answers as /access/permissions does: privilege → propagate flag,
// present means granted) before a request is planned into a job or an approval, and again for an
// approver; a refusal names the privilege, the path and the admin's pveum command.
import { describe, expect, it } from 'vitest';
import type { ChatUser } from '../../../src/core/chat-event.js';
import type { PermissionsPort } from '../../../src/core/ports.js';
import { PveError, PveErrorCode } from '../../../src/proxmox/pve-error.js';
import {
  alice,
  approvalIdOf,
  bob,
  carol,
  dave,
  lastApprovalCard,
  startMemoryCore,
  toldTo,
} from '../helpers/memory-ports.js';

const PVEVMUSER = 'VM.Audit,VM.Backup,VM.Config.CDROM,VM.Config.Cloudinit,VM.Console,VM.PowerMgmt';
const PVEVMADMIN = `${PVEVMUSER},VM.Allocate,VM.Clone,VM.Config.Disk,VM.Migrate,VM.Snapshot,VM.Snapshot.Rollback`;
const ROLES = [
  { roleid: 'PVEVMUser', privs: PVEVMUSER },
  { roleid: 'PVEVMAdmin', privs: PVEVMADMIN },
  { roleid: 'Administrator', privs: `${PVEVMADMIN},Sys.PowerMgmt,Sys.Modify,Sys.Console` },
];

/** userid → path → privilege → propagate, as PVE would compute it; counts its reads. */
function memoryPermissions(grants: Record<string, Record<string, Record<string, boolean>>>, major = 9) {
  const reads: string[] = [];
  const port: PermissionsPort & { reads: string[]; fail?: unknown } = {
    reads,
    async privilegesOf(userid, path) {
      reads.push(`${userid} ${path}`);
      if (port.fail) throw port.fail;
      return structuredClone(grants[userid]?.[path] ?? {});
    },
    async roles() {
      return ROLES;
    },
    async pveMajor() {
      return major;
    },
  };
  return port;
}

const grant = (privs: string, propagate = true): Record<string, boolean> =>
  Object.fromEntries(privs.split(',').map((p) => [p, propagate]));

const policy = (mode: string, extra = '') => `
roles:
  ops:
    members: ['*']
  leads:
    members: [console:bob, console:dave]
commands:
  '*':
    allow: [ops]
    approval: none
  migrate:
    allow: [ops]
    approval:
      approvers: [leads]
identities:
  mode: ${mode}
  users:
    "console:alice": alice@pve
    "console:bob": bob@pve
    "console:dave": dave@pve
${extra}`;

const titles = (sent: Parameters<typeof toldTo>[0], user: ChatUser) =>
  toldTo(sent, user).map((m) => m.card.title);

describe('PVE permissions bound what a person can do from chat', () => {
  it('alice with PVEVMUser on /vms/100 may stop TestVM; her migrate is refused naming VM.Migrate on /vms/100 and the grant', async () => {
    const pve = memoryPermissions({ 'alice@pve': { '/vms/100': grant(PVEVMUSER) } });
    const h = startMemoryCore({ policy: policy('required'), permissions: pve });

    await h.say('stop TestVM');
    expect((await h.jobs.list()).map((j) => j.kind)).toEqual(['stop']);

    await h.say('migrate TestVM node03');
    const refusal = toldTo(h.sent, alice).at(-1)!;
    expect(refusal.card.title).toBe('Proxmox does not allow alice@pve to do this');
    expect(refusal.card.text).toContain('• VM.Migrate on /vms/100, to migrate TestVM (qemu/100)');
    expect(refusal.card.text).toContain('`pveum acl modify /vms/100 --users alice@pve --roles PVEVMAdmin`');
    // Refused before any public record or approval: one request thread (the stop's), one job.
    expect(h.opened).toHaveLength(1);
    expect(lastApprovalCard(h.sent)).toBeUndefined();
    const refused = (await h.audit.latest(1))[0]!;
    expect([refused.action, refused.pveUser, refused.command]).toEqual(['refused', 'alice@pve', 'migrate']);
  });

  it('a grant in PVE is seen once the cached answer expires, without a restart', async () => {
    const grants = { 'alice@pve': { '/vms/100': grant(PVEVMUSER) } };
    const pve = memoryPermissions(grants);
    const h = startMemoryCore({ policy: policy('required', '  cacheSeconds: 30'), permissions: pve });
    await h.say('migrate TestVM node03');
    expect(titles(h.sent, alice)).toEqual(['Proxmox does not allow alice@pve to do this']);

    grants['alice@pve']['/vms/100'] = grant(PVEVMADMIN);
    h.advance(10_000);
    await h.say('migrate TestVM node03');
    // Within the cache time the answer read before stands (one read so far).
    expect(titles(h.sent, alice)).toHaveLength(2);
    expect(pve.reads).toEqual(['alice@pve /vms/100']);

    h.advance(20_000);
    await h.say('migrate TestVM node03');
    expect(pve.reads).toHaveLength(2);
    const card = lastApprovalCard(h.sent)!;
    expect(card.card.title).toContain('migrate TestVM (qemu/100) node01 → node03');
  });

  it('an unmapped person may read status and nothing else (mode required); with optional, the policy alone decides', async () => {
    const pve = memoryPermissions({});
    const h = startMemoryCore({ policy: policy('required'), permissions: pve });
    await h.say('status', { user: carol });
    await h.say('stop TestVM', { user: carol });
    expect((await h.jobs.list()).map((j) => j.kind)).toEqual(['status']);
    const refusal = toldTo(h.sent, carol).at(-1)!;
    expect(refusal.card.title).toBe('You may only read here');
    expect(refusal.card.text).toContain('"console:carol": <your PVE user, e.g. alice@pve>');
    expect(pve.reads).toEqual([]);

    const optional = startMemoryCore({ policy: policy('optional'), permissions: memoryPermissions({}) });
    await optional.say('stop TestVM', { user: carol });
    expect((await optional.jobs.list()).map((j) => j.kind)).toEqual(['stop']);
  });

  it('an approver whose PVE user lacks the privilege cannot approve; one who has it can', async () => {
    const pve = memoryPermissions({
      'alice@pve': { '/vms/100': grant(PVEVMADMIN) },
      'bob@pve': { '/vms/100': grant(PVEVMUSER) },
      'dave@pve': { '/vms/100': grant(PVEVMADMIN) },
    });
    const h = startMemoryCore({ policy: policy('required'), permissions: pve });
    await h.say('migrate TestVM node03');
    const id = approvalIdOf(lastApprovalCard(h.sent)!);

    await h.press('approve', id, { user: bob });
    const refusal = toldTo(h.sent, bob).at(-1)!;
    expect(refusal.card.title).toBe('You may not approve this: Proxmox does not allow bob@pve');
    expect(refusal.card.text).toContain('VM.Migrate on /vms/100');
    expect((await h.approvals.get(id))?.status).toBe('pending');
    expect(await h.jobs.list()).toEqual([]);

    await h.press('approve', id, { user: dave });
    expect((await h.approvals.get(id))?.status).toBe('approved');
    expect((await h.jobs.list()).map((j) => j.kind)).toEqual(['migrate']);
    const approved = (await h.audit.latest(1))[0]!;
    expect([approved.action, approved.actor, approved.pveUser]).toEqual([
      'approve',
      'console:dave',
      'dave@pve',
    ]);
  });

  it('checkApprovers: false leaves approving to the policy', async () => {
    const pve = memoryPermissions({ 'alice@pve': { '/vms/100': grant(PVEVMADMIN) } });
    const h = startMemoryCore({ policy: policy('required', '  checkApprovers: false'), permissions: pve });
    await h.say('migrate TestVM node03');
    await h.press('approve', approvalIdOf(lastApprovalCard(h.sent)!), { user: bob });
    expect((await h.jobs.list()).map((j) => j.kind)).toEqual(['migrate']);
  });

  it('what cannot be checked is refused: no PVE connection, or a token without Sys.Audit on /access', async () => {
    const none = startMemoryCore({ policy: policy('required') });
    await none.say('stop TestVM');
    expect(toldTo(none.sent, alice).at(-1)?.card.text).toContain('cannot be checked');
    expect(await none.jobs.list()).toEqual([]);

    const pve = memoryPermissions({});
    pve.fail = new PveError({
      code: PveErrorCode.Permission,
      message: 'Permission check failed (/access, Sys.Audit)',
      statusCode: 403,
    });
    const h = startMemoryCore({ policy: policy('required'), permissions: pve });
    await h.say('stop TestVM');
    const text = toldTo(h.sent, alice).at(-1)?.card.text ?? '';
    expect(text).toContain('Permission check failed (/access, Sys.Audit)');
    expect(text).toContain('needs Sys.Audit on /access');
    expect(await h.jobs.list()).toEqual([]);
  });

  it('a clone needs VM.Allocate reaching below /vms (the new id is allocated later), not only on /vms itself', async () => {
    const grants = {
      'alice@pve': {
        '/vms/100': grant(PVEVMADMIN),
        '/vms': grant('VM.Allocate', false),
      },
    };
    const h = startMemoryCore({ policy: policy('required'), permissions: memoryPermissions(grants) });
    await h.say('clone TestVM web02');
    expect(toldTo(h.sent, alice).at(-1)?.card.text).toContain(
      '• VM.Allocate on /vms (propagated to what is created below it), to create the clone web02',
    );
    grants['alice@pve']['/vms'] = grant('VM.Allocate', true);
    h.advance(60_000);
    await h.say('clone TestVM web02');
    expect((await h.jobs.list()).map((j) => j.kind)).toEqual(['clone']);
  });

  it('PVE 8.4 and 9.x: replication is checked as the cluster’s version checks it', async () => {
    const grants = { 'alice@pve': { '/vms/100': grant('VM.Replicate'), '/storage': {} } };
    const nine = startMemoryCore({ policy: policy('required'), permissions: memoryPermissions(grants, 9) });
    await nine.say('replicate TestVM node03');
    expect((await nine.jobs.list()).map((j) => j.kind)).toEqual(['replication-create']);

    const eight = startMemoryCore({ policy: policy('required'), permissions: memoryPermissions(grants, 8) });
    await eight.say('replicate TestVM node03');
    expect(toldTo(eight.sent, alice).at(-1)?.card.text).toContain('Datastore.Allocate on /storage');
  });

  it('mode off asks PVE nothing; whoami shows the mapping and, for named guests and nodes, what the PVE user may do', async () => {
    const off = memoryPermissions({});
    const h0 = startMemoryCore({ policy: policy('off'), permissions: off });
    await h0.say('stop TestVM');
    expect([(await h0.jobs.list()).length, off.reads.length]).toEqual([1, 0]);

    const pve = memoryPermissions({ 'alice@pve': { '/vms/100': grant(PVEVMUSER), '/nodes/node03': {} } });
    const h = startMemoryCore({ policy: policy('required'), permissions: pve });
    await h.say('whoami TestVM node03');
    const card = toldTo(h.sent, alice).at(-1)!.card;
    expect(card.fields?.find((f) => f.label === 'Proxmox user')?.value).toBe(
      'alice@pve (mapped from console:alice; checked against Proxmox; without one you may only read)',
    );
    expect(card.text).toContain(
      'TestVM (qemu/100) (/vms/100): may start, stop, shut down, reboot; back up. May not migrate (needs VM.Migrate)',
    );
    expect(card.text).toContain('roll back (needs VM.Snapshot or VM.Snapshot.Rollback)');
    expect(card.text).toContain(
      'node node03 (/nodes/node03): may do nothing here. May not reboot, shut down (needs Sys.PowerMgmt)',
    );

    await h.say('whoami', { user: carol });
    expect(
      toldTo(h.sent, carol)
        .at(-1)
        ?.card.fields?.find((f) => f.label === 'Proxmox user')?.value,
    ).toBe('none (checked against Proxmox; without one you may only read)');
  });

  it('a person mapped through a group uses its PVE user; groups that disagree are not guessed between', async () => {
    const text = `${policy('required')}  groups:
    "slack-group:S0ONCALL": oncall@pve
    "slack-group:S0LAB": lab@pve
`;
    const pve = memoryPermissions({ 'oncall@pve': { '/vms/100': grant(PVEVMUSER) } });
    const h = startMemoryCore({ policy: text, permissions: pve });
    const erin: ChatUser = { id: 'slack:U0ERIN', name: 'erin', groups: ['slack-group:S0ONCALL'] };
    await h.say('stop TestVM', { user: erin });
    expect((await h.jobs.list()).map((j) => j.kind)).toEqual(['stop']);
    expect((await h.audit.latest(1))[0]?.pveUser).toBe('oncall@pve');

    const both: ChatUser = {
      ...erin,
      id: 'slack:U0BOTH',
      groups: ['slack-group:S0ONCALL', 'slack-group:S0LAB'],
    };
    await h.say('stop TestVM', { user: both });
    expect(toldTo(h.sent, both).at(-1)?.card.text).toContain('Your groups map to different Proxmox users');
    expect(dave.id).toBe('console:dave');
  });
});
