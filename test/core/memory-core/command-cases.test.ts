// The commands whose policy is more than "may run, who approves": `ha` (a read until it adds or
// removes), `node --force` (judged under its own entry), the private views (`jobs`, `audit`,
// `cluster join-info`), and the planning commands (`upgrade`, `balance`), whose approval covers
// what their planning job proposes. All on in-memory ports.
import { describe, expect, it } from 'vitest';
import { DEFAULT_BALANCE_SETTINGS } from '../../../src/config/balance-settings.js';
import { defaultPolicy } from '../../../src/core/policy/index.js';
import type { BalancePlan } from '../../../src/jobs/balance/balance-plan.js';
import type { ResultEvent } from '../../../src/jobs/job-events.js';
import { proposeBalance } from '../../../src/jobs/kinds/balance-plan-kind.js';
import { describePlan, planHeadline, type UpgradePlan } from '../../../src/jobs/upgrade/upgrade-plan.js';
import {
  alice,
  approvalIdOf,
  bob,
  carol,
  lastApprovalCard,
  lena,
  type MemoryCore,
  ROLES_YAML,
  startMemoryCore,
  toldTo,
} from '../helpers/memory-ports.js';

const policy = (commands: string) => `${ROLES_YAML}commands:\n${commands}`;
const LEADS_APPROVE = '{ approvers: [leads] }';

/** The newest thing said to `user` alone. */
const lastTold = (h: MemoryCore, user = alice) => toldTo(h.sent, user).at(-1);

describe('ha', () => {
  const HA = policy(`  ha:\n    allow: [ops]\n    approval: ${LEADS_APPROVE}\n`);

  it('shows the HA stack to everyone under the built-in policy, and refuses adding or removing', async () => {
    const h = startMemoryCore({ policy: defaultPolicy() });
    await h.say('ha', { user: carol });
    expect(h.jobs.all()).toMatchObject([{ kind: 'ha', command: 'ha', requestedById: carol.id }]);
    expect(h.opened).toHaveLength(1);
    for (const text of ['ha add TestVM', 'ha remove ha-web']) {
      await h.say(text, { user: carol });
      expect(lastTold(h, carol)!.card).toMatchObject({ title: 'You may not run ha here', status: 'denied' });
    }
    expect(h.jobs.all()).toHaveLength(1);
    expect(h.opened).toHaveLength(1);
  });

  it('needs no approval to show the HA stack, even under an entry that asks one', async () => {
    const h = startMemoryCore({ policy: HA });
    await h.say('ha');
    expect(h.approvals.all()).toEqual([]);
    expect(h.jobs.all()).toMatchObject([{ kind: 'ha', payload: {} }]);
  });

  it('asks the leads before adding or removing a guest, with the resolved HA resource', async () => {
    const h = startMemoryCore({ policy: HA });
    await h.say('ha add ct-dns01 --state stopped');
    await h.say('ha remove ha-web');
    expect(h.approvals.all()).toMatchObject([
      {
        command: 'ha',
        jobKind: 'ha-add',
        summary: 'add ct-dns01 (lxc/200) on node03 to HA as ct:200, state stopped (it stays stopped)',
        payload: { guest: { vmid: 200, type: 'lxc', node: 'node03' }, sid: 'ct:200', state: 'stopped' },
      },
      {
        command: 'ha',
        jobKind: 'ha-remove',
        payload: { guest: { vmid: 101, type: 'qemu', node: 'node02' }, sid: 'vm:101' },
      },
    ]);
    expect(h.jobs.all()).toEqual([]);
  });

  it('refuses, before anyone is asked, to add a managed guest, remove an unmanaged one, or add a template', async () => {
    const h = startMemoryCore({ policy: HA });
    const refusals: Array<[string, RegExp]> = [
      ['ha add ha-web', /ha-web \(qemu\/101\) is already HA-managed \(vm:101, started\)/],
      ['ha remove TestVM', /is not HA-managed: there is nothing to remove/],
      ['ha add debian12-tmpl', /is a template: the HA stack cannot run it/],
    ];
    for (const [text, why] of refusals) {
      await h.say(text);
      expect(lastTold(h)!.card).toMatchObject({ title: 'Cannot ha', status: 'failed' });
      expect(lastTold(h)!.card.text).toMatch(why);
    }
    expect(h.approvals.all()).toEqual([]);
    expect(h.opened).toEqual([]);
  });
});

describe('node reboot --force, judged under node-force', () => {
  const NODE = `  node:\n    allow: [ops]\n    approval: ${LEADS_APPROVE}\n`;

  it('is refused when no entry names node-force, although node is allowed', async () => {
    const h = startMemoryCore({ policy: policy(NODE) });
    await h.say('node reboot node01 --force');
    expect(h.sent).toHaveLength(1);
    expect(h.sent[0]).toMatchObject({
      ephemeralTo: alice,
      card: { title: 'You may not run node-force here', status: 'denied' },
    });
    expect(h.sent[0]!.card.text).toMatch(/^The policy names nobody who may run 'node-force'/);
    expect(h.opened).toEqual([]);
    expect(h.reads()).toBe(0);
    expect(h.audit.records.map((r) => [r.action, r.command])).toEqual([['refused', 'node-force']]);
  });

  it('is refused to someone without the node-force entry’s role', async () => {
    const h = startMemoryCore({ policy: policy(`${NODE}  node-force:\n    allow: [leads]\n`) });
    await h.say('node reboot node01 --force');
    expect(h.sent[0]!.card).toMatchObject({ title: 'You may not run node-force here' });
    expect(h.sent[0]!.card.text).toBe(
      "'node-force' needs the role leads; alice (console:alice) has everyone and ops",
    );
    expect(h.approvals.all()).toEqual([]);
  });

  it('is approved as the node-force entry says (two leads), and its job remembers node-force', async () => {
    const h = startMemoryCore({
      policy: policy(
        `${NODE}  node-force:\n    allow: [ops]\n    approval: { approvers: [leads], count: 2 }\n`,
      ),
    });
    await h.say('node reboot node01 --force');
    const id = approvalIdOf(lastApprovalCard(h.sent)!);
    expect(await h.approvals.get(id)).toMatchObject({
      command: 'node-force',
      summary: 'reboot node node01 (FORCED: TestVM (qemu/100) will stop)',
      rule: { count: 2 },
    });
    await h.press('approve', id, { user: bob });
    expect(lastApprovalCard(h.sent)!.card.fields).toContainEqual({
      label: 'Approvals',
      value: expect.stringMatching(/^1 of 2: bob at /),
    });
    await h.press('approve', id, { user: bob });
    expect(lastTold(h, bob)!.card.text).toMatch(/^you already approved this; it needs 1 more approval /);
    expect(h.jobs.all()).toEqual([]);
    await h.press('approve', id, { user: lena });
    expect(h.jobs.all()).toMatchObject([
      { kind: 'node-power', command: 'node-force', payload: { node: 'node01', action: 'reboot' } },
    ]);
  });

  it('without --force, refuses a node whose running guests have no HA', async () => {
    const h = startMemoryCore({ policy: policy(NODE) });
    await h.say('node reboot node01');
    expect(lastTold(h)!.card).toMatchObject({ title: 'Cannot node', status: 'failed' });
    expect(lastTold(h)!.card.text).toBe(
      'TestVM (qemu/100) runs on node01 without HA and would go down with it. Migrate it first, or add `--force`.',
    );
    expect(h.approvals.all()).toEqual([]);
  });
});

describe('jobs', () => {
  it('shows each person their own jobs under the built-in policy', async () => {
    const h = startMemoryCore({ policy: defaultPolicy() });
    await h.say('status', { user: alice });
    await h.say('status node02', { user: carol });
    const [alices, carols] = h.jobs.all();
    await h.say('jobs', { user: carol });
    const answer = lastTold(h, carol)!;
    expect(answer.card.title).toBe('Your recent jobs');
    expect(answer.card.text).toContain(carols!.jobId);
    expect(answer.card.text).not.toContain(alices!.jobId);
    expect(answer.card.text).toContain("Only yours. The list of everyone's jobs is private");
    expect(h.opened).toHaveLength(2);
  });

  it('shows everyone’s jobs to the roles of the jobs entry, and their own to the others', async () => {
    const h = startMemoryCore({ policy: policy('  jobs:\n    allow: [leads]\n') });
    await h.say('status', { user: alice });
    await h.say('status node02', { user: carol });
    const [alices, carols] = h.jobs.all();
    await h.say('jobs', { user: bob });
    const everyone = lastTold(h, bob)!;
    expect(everyone.card.title).toBe('Recent jobs');
    expect(everyone.card.text).toContain(`\`${alices!.jobId}\` status · waiting · by alice`);
    expect(everyone.card.text).toContain(`\`${carols!.jobId}\` status · waiting · by carol`);
    await h.say('jobs', { user: alice });
    const own = lastTold(h, alice)!;
    expect(own.card.title).toBe('Your recent jobs');
    expect(own.card.text).not.toContain(carols!.jobId);
    expect(own.card.text).toContain("Only yours. 'jobs' needs the role leads");
    // Both answers were private.
    expect(h.opened).toHaveLength(2);
  });
});

describe('audit', () => {
  it('is private without its entry, whoever asks', async () => {
    const h = startMemoryCore({ policy: defaultPolicy() });
    await h.say('audit 5', { user: bob });
    expect(h.sent).toEqual([
      expect.objectContaining({
        ephemeralTo: bob,
        card: expect.objectContaining({ title: 'The audit log is private', status: 'denied' }),
      }),
    ]);
    expect(h.sent[0]!.card.text).toContain('commands: { audit: { allow: [auditors] } }');
  });

  it('shows the newest records to the roles of its entry, to them alone', async () => {
    const h = startMemoryCore({ policy: policy(`  audit:\n    allow: [leads]\n`) });
    await h.say('stop TestVM', { user: alice });
    await h.say('audit', { user: alice });
    expect(lastTold(h, alice)!.card.title).toBe('You may not run audit here');
    await h.say('audit 2', { user: bob });
    const answer = lastTold(h, bob)!;
    expect(answer.card.title).toBe('Audit log, newest 2');
    const lines = answer.card.text!.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^#1 2026-01-05T09:00:00Z console:alice refused: audit refused: /);
    expect(lines[1]).toMatch(/^#0 .* console:alice refused: stop refused: /);
    expect(h.opened).toEqual([]);
  });
});

describe('cluster join-info', () => {
  const JOIN = policy('  cluster-join-info:\n    allow: [leads]\n');

  it('is refused without its entry’s role, and the status view stays public', async () => {
    const h = startMemoryCore({ policy: JOIN });
    await h.say('cluster join-info', { user: alice });
    expect(lastTold(h)!.card).toMatchObject({ title: 'You may not see the join information' });
    expect(lastTold(h)!.card.text).toMatch(/^'cluster-join-info' needs the role leads/);
    expect(h.jobs.all()).toEqual([]);
    await h.say('cluster', { user: alice });
    expect(h.jobs.all()).toMatchObject([{ kind: 'cluster', payload: { view: 'status' } }]);
    expect(h.opened).toHaveLength(1);
  });

  it('answers its requester alone: no public record, no progress, the result to them only', async () => {
    const h = startMemoryCore({ policy: JOIN });
    await h.say('cluster join-info', { user: bob });
    const [job] = h.jobs.all();
    expect(job).toMatchObject({ kind: 'cluster', payload: { view: 'join-info' }, requestedById: bob.id });
    expect(h.opened).toEqual([]);
    expect(h.sent).toEqual([
      expect.objectContaining({
        ephemeralTo: bob,
        card: expect.objectContaining({ title: `cluster join-info · job ${job!.jobId}` }),
      }),
    ]);
    await h.jobEvent({
      type: 'progress',
      jobId: job!.jobId,
      kind: 'cluster',
      phase: 'reading',
      logLines: [],
      at: h.now(),
    });
    expect(h.sent).toHaveLength(1);
    await h.jobEvent({
      type: 'result',
      jobId: job!.jobId,
      kind: 'cluster',
      ok: true,
      summary: 'To join MonCluster',
      text: 'fingerprint 00:11',
      at: h.now(),
    });
    expect(h.sent).toHaveLength(2);
    expect(h.sent[1]).toMatchObject({ ephemeralTo: bob, card: { title: 'To join MonCluster' } });
    expect(h.audit.records.at(-1)).toMatchObject({ actor: bob.id, action: 'job-result', result: 'ok' });
  });
});

// ---------------------------------------------------------------------------------------------
// planning commands

const UPGRADE_PLAN: UpgradePlan = {
  reboot: 'auto',
  order: 'lightest-first',
  steps: [
    { node: 'node03', packages: 12, expectReboot: true, haGuests: [], moves: [] },
    {
      node: 'node01',
      packages: 12,
      expectReboot: true,
      haGuests: [],
      moves: [{ vmid: 100, type: 'qemu', name: 'TestVM', to: 'node03' }],
    },
  ],
  skipped: [],
};

const BALANCE_PLAN: BalancePlan = {
  settings: DEFAULT_BALANCE_SETTINGS,
  outcome: 'moves',
  spreadBefore: 47,
  spreadAfter: 12,
  moves: [
    {
      vmid: 100,
      type: 'qemu',
      name: 'TestVM',
      from: 'node01',
      to: 'node03',
      mode: 'live',
      weight: 2 * 1024 ** 3,
      why: 'node01 62 % → 59 %, node03 15 % → 18 %',
    },
  ],
  nodes: [
    { node: 'node01', before: 62, after: 59, memoryAfter: 59 },
    { node: 'node03', before: 15, after: 18, memoryAfter: 18 },
  ],
  skipped: [],
  excludedNodes: [],
  hash: '0123456789ab',
};

/** What a planning job reports, as its kind builds it, for the job the command queued. */
function planResult(h: MemoryCore, command: 'upgrade' | 'balance'): ResultEvent {
  const [job] = h.jobs.all();
  if (!job) throw new Error('no planning job');
  const outcome =
    command === 'upgrade'
      ? {
          summary: `Plan: ${planHeadline(UPGRADE_PLAN)}`,
          text: describePlan(UPGRADE_PLAN),
          proposal: {
            command: 'upgrade',
            jobKind: 'upgrade',
            summary: planHeadline(UPGRADE_PLAN),
            payload: { plan: UPGRADE_PLAN },
            requester: alice,
          },
        }
      : proposeBalance(BALANCE_PLAN, alice, 'Plan 0123456789ab');
  return { type: 'result', jobId: job.jobId, kind: job.kind, ok: true, ...outcome, at: h.now() };
}

describe.each([
  ['upgrade', 'upgrade --all', 'upgrade-plan'],
  ['balance', 'balance', 'balance-plan'],
] as const)('%s: approval after its planning job', (command, text, planKind) => {
  const APPROVED = policy(`  ${command}:\n    allow: [ops]\n    approval: ${LEADS_APPROVE}\n`);

  it('opens the approval when the plan proposes it, in the request’s thread; a lead’s Approve runs it once', async () => {
    const h = startMemoryCore({ policy: APPROVED });
    await h.say(text);
    const [plan] = h.jobs.all();
    expect(plan).toMatchObject({ kind: planKind, payload: { requester: alice } });
    expect(h.approvals.all()).toEqual([]);
    h.jobs.setState(plan!.jobId, 'completed');
    const result = planResult(h, command);
    await h.jobEvent(result);
    // The result is shown, then the approval of what it proposes.
    expect(h.sent.find((m) => m.notify)?.card.title).toBe(result.summary);
    const card = lastApprovalCard(h.sent)!;
    const id = approvalIdOf(card);
    expect(id).toBe(`p-${plan!.jobId}`);
    expect(card.thread).toEqual(plan!.thread);
    expect(await h.approvals.get(id)).toMatchObject({
      command,
      jobKind: command,
      requester: alice,
      summary: result.proposal!.summary,
      details: result.text,
      rule: { approvers: ['leads'] },
    });
    await h.press('approve', id, { user: alice });
    expect(lastTold(h)!.card.title).toBe('Your click changed nothing');
    await h.press('approve', id, { user: bob });
    const jobs = h.jobs.all();
    expect(jobs).toHaveLength(2);
    expect(jobs[1]).toMatchObject({
      jobId: `approval-${id}`,
      kind: command,
      command,
      requestedById: alice.id,
      // What was approved, with the kind's defaults filled in.
      payload: result.proposal!.payload,
    });
    // A redelivered result neither asks again nor runs again.
    const sent = h.sent.length;
    await h.jobEvent(result);
    expect(h.approvals.all()).toHaveLength(1);
    expect(h.jobs.all()).toHaveLength(2);
    expect(h.sent.slice(sent).filter((m) => m.key?.startsWith('approval:'))).toEqual([]);
  });

  it('runs the proposal at once under `approval: none`, once however often the result comes', async () => {
    const h = startMemoryCore({ policy: policy(`  ${command}:\n    allow: [ops]\n    approval: none\n`) });
    await h.say(text);
    const result = planResult(h, command);
    await h.jobEvent(result);
    await h.jobEvent(result);
    expect(h.approvals.all()).toEqual([]);
    const jobs = h.jobs.all();
    expect(jobs.map((j) => [j.kind, j.command])).toEqual([
      [planKind, command],
      [command, command],
    ]);
    expect(jobs[1]!.jobId).toBe(`approval-p-${jobs[0]!.jobId}`);
    expect(h.sent.filter((m) => m.key === `job:${jobs[1]!.jobId}`)).toHaveLength(1);
  });

  it('proposes nothing from a plan that failed', async () => {
    const h = startMemoryCore({ policy: APPROVED });
    await h.say(text);
    await h.jobEvent({ ...planResult(h, command), ok: false, error: 'cannot read the updates' });
    expect(h.approvals.all()).toEqual([]);
    expect(h.jobs.all()).toHaveLength(1);
  });
});
