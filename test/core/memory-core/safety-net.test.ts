// The safety net at request time, on in-memory ports: who asks for it (`--snapshot`, or the
// policy's `snapshots.before`), what the approval card says about it, and what the job then
// carries (JobData.safetyNet: snapshots first, the policy's retention). The snapshots themselves
// are the worker's (test/jobs/safety-net.test.ts).
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../../src/core/policy/index.js';
import type { ResultEvent } from '../../../src/jobs/job-events.js';
import {
  alice,
  approvalIdOf,
  bob,
  lastApprovalCard,
  ROLES_YAML,
  startMemoryCore,
} from '../helpers/memory-ports.js';

const LEADS_APPROVE = `
    allow: [ops]
    approval:
      approvers: [leads]`;

function policy(snapshots = ''): string {
  return `${ROLES_YAML}commands:
  migrate:${LEADS_APPROVE}
  stop:
    allow: [ops]
    approval: none
  upgrade:${LEADS_APPROVE}
${snapshots}`;
}

describe('the safety net, asked for at request time', () => {
  it('--snapshot: the approval card says so, and the approved job carries it with the retention', async () => {
    const h = startMemoryCore({ policy: policy('snapshots:\n  keep: 2\n') });
    await h.say('migrate TestVM node03 --snapshot');
    const card = lastApprovalCard(h.sent)!;
    expect(card.card.text).toContain(
      'Safety net: each guest at risk is snapshotted first (the bot keeps its newest 2 per guest); the result offers Roll back.',
    );
    const id = approvalIdOf(card);
    expect(await h.approvals.get(id)).toMatchObject({ snapshotFirst: true });
    await h.press('approve', id, { user: bob });
    expect(h.jobs.added).toHaveLength(1);
    expect(h.jobs.added[0]).toMatchObject({ kind: 'migrate', safetyNet: { snapshot: true, keep: 2 } });
  });

  it('the policy’s snapshots.before: every request of that command, without a flag', async () => {
    const h = startMemoryCore({ policy: policy('snapshots:\n  before: [stop]\n') });
    await h.say('stop TestVM');
    expect(h.jobs.added.at(-1)).toMatchObject({ kind: 'stop', safetyNet: { snapshot: true } });
    expect(h.jobs.added.at(-1)!.safetyNet).not.toHaveProperty('keep');
    // The request's description in its thread says it too.
    expect(h.sent.some((m) => m.describesRequest && m.card.text?.includes('Safety net:'))).toBe(true);
    // A command the policy does not name takes none.
    await h.say('migrate TestVM node03');
    expect(lastApprovalCard(h.sent)!.card.text ?? '').not.toContain('Safety net');
  });

  it('neither flag nor policy: no safety net', async () => {
    const h = startMemoryCore({ policy: policy() });
    await h.say('stop TestVM');
    expect(h.jobs.added.at(-1)).toMatchObject({ kind: 'stop' });
    expect(h.jobs.added.at(-1)).not.toHaveProperty('safetyNet');
  });

  it('an upgrade asked with --snapshot: the proposal carries it to the approval and the approved job', async () => {
    const h = startMemoryCore({ policy: policy() });
    await h.say('upgrade node01 --snapshot');
    const [plan] = h.jobs.all();
    expect(plan).toMatchObject({ kind: 'upgrade-plan', payload: { snapshotFirst: true } });
    h.jobs.setState(plan!.jobId, 'completed');
    const result: ResultEvent = {
      type: 'result',
      jobId: plan!.jobId,
      kind: 'upgrade-plan',
      ok: true,
      summary: 'Plan: upgrade node01',
      proposal: {
        command: 'upgrade',
        jobKind: 'upgrade',
        summary: 'upgrade node01',
        payload: {
          plan: {
            reboot: 'auto',
            order: 'lightest-first',
            steps: [{ node: 'node01', packages: 3, expectReboot: true, haGuests: [], moves: [] }],
            skipped: [],
          },
        },
        requester: alice,
        snapshotFirst: true,
      },
      at: h.now(),
    };
    await h.jobEvent(result);
    const card = lastApprovalCard(h.sent)!;
    expect(card.card.text).toContain('Safety net: each guest at risk is snapshotted first');
    await h.press('approve', approvalIdOf(card), { user: bob });
    expect(h.jobs.added.at(-1)).toMatchObject({ kind: 'upgrade', safetyNet: { snapshot: true } });
  });
});

describe('the policy file’s snapshots section', () => {
  it('takes keep and before, and names the commands before may list', () => {
    expect(
      parsePolicy(policy('snapshots:\n  keep: 3\n  before: [upgrade, rollback]\n'), 'p').snapshots,
    ).toEqual({
      keep: 3,
      before: ['upgrade', 'rollback'],
    });
    expect(() => parsePolicy(policy('snapshots:\n  before: [status]\n'), 'p')).toThrow(
      /upgrade, rollback, migrate, stop, shutdown, reboot/,
    );
  });
});
