// What happens to a request and its job after the command: who may stop a job (decided under its
// command's policy entry, so the lead who approved a node reboot may cancel it), withdrawing,
// denying and expiring requests, Pause/Resume/Abort, replayed deliveries, and an Approve whose job
// the store could not take. All on in-memory ports.
import { describe, expect, it } from 'vitest';
import type { ThreadRef } from '../../../src/jobs/job-events.js';
import type { UpgradePlan } from '../../../src/jobs/upgrade/upgrade-plan.js';
import {
  alice,
  approvalIdOf,
  bob,
  carol,
  dave,
  lastApprovalCard,
  lena,
  type MemoryCore,
  ROLES_YAML,
  startMemoryCore,
  toldTo,
} from '../helpers/memory-ports.js';

const NODE_POLICY = `${ROLES_YAML}commands:
  node:
    allow: [ops]
    approval:
      approvers: [leads]
      ttl: 10m
  upgrade:
    allow: [ops]
    approval:
      approvers: [leads]
`;

const lastTold = (h: MemoryCore, user = alice) => toldTo(h.sent, user).at(-1);

/** Alice asks for a node reboot; the request's id. */
async function askReboot(h: MemoryCore): Promise<string> {
  await h.say('node reboot node03');
  return approvalIdOf(lastApprovalCard(h.sent)!);
}

/** Alice's node reboot, approved by bob: the job's id. */
async function approvedReboot(h: MemoryCore): Promise<string> {
  const id = await askReboot(h);
  await h.press('approve', id, { user: bob });
  const jobId = `approval-${id}`;
  expect(await h.jobs.get(jobId)).toMatchObject({ kind: 'node-power', command: 'node' });
  return jobId;
}

describe('cancelling an approved node reboot (node → ops, approved by leads)', () => {
  it('is refused to someone neither requester nor lead, and done by the lead who approved it', async () => {
    const h = startMemoryCore({ policy: NODE_POLICY });
    const jobId = await approvedReboot(h);
    const opened = h.opened.length;

    for (const user of [carol, dave]) {
      await h.press('cancel-job', jobId, { user });
      expect(lastTold(h, user)!.card).toMatchObject({
        title: `You may not cancel job ${jobId}`,
        status: 'denied',
        text: "Only the requester (console:alice) or the role leads may cancel this 'node' job.",
      });
      await h.say(`cancel ${jobId}`, { user });
      expect(lastTold(h, user)!.card.title).toBe(`You may not cancel job ${jobId}`);
    }
    // Nothing public about the refusals, and the job still waits.
    expect(h.opened).toHaveLength(opened);
    expect(h.jobs.cancels).toEqual([]);
    expect(await h.jobs.get(jobId)).toBeDefined();

    const before = h.sent.length;
    await h.press('cancel-job', jobId, { user: bob });
    const said = h.sent.slice(before);
    expect(said).toEqual([
      {
        thread: expect.objectContaining({ thread: 'R1' }),
        card: {
          title: `Cancel job ${jobId} (node-power) by bob`,
          status: 'info',
          text: 'It had not started; nothing ran.',
        },
      },
    ]);
    expect(h.jobs.cancels).toEqual([{ jobId, by: 'bob', outcome: 'cancelled' }]);
    expect(await h.jobs.get(jobId)).toBeUndefined();
    expect(h.audit.records.at(-1)).toMatchObject({ actor: bob.id, action: 'cancel', jobId });
  });

  it('is done by a lead who types `cancel <job>`, in the thread of that command', async () => {
    const h = startMemoryCore({ policy: NODE_POLICY });
    const jobId = await approvedReboot(h);
    await h.say(`cancel ${jobId}`, { user: lena });
    expect(h.opened.map((e) => [e.user.id, e.text])).toEqual([
      [alice.id, 'node reboot node03'],
      [lena.id, `cancel ${jobId}`],
    ]);
    expect(h.sent.at(-1)).toMatchObject({
      thread: { thread: 'R2' },
      card: { title: `Cancel job ${jobId} (node-power) by lena` },
    });
    expect(h.jobs.cancels).toEqual([{ jobId, by: 'lena', outcome: 'cancelled' }]);
  });

  it('is done by its requester', async () => {
    const h = startMemoryCore({ policy: NODE_POLICY });
    const jobId = await approvedReboot(h);
    await h.press('cancel-job', jobId, { user: alice });
    expect(h.jobs.cancels).toEqual([{ jobId, by: 'alice', outcome: 'cancelled' }]);
  });

  it('says how a running or finished job was left', async () => {
    const h = startMemoryCore({ policy: NODE_POLICY });
    const jobId = await approvedReboot(h);
    h.jobs.setState(jobId, 'active');
    await h.press('cancel-job', jobId, { user: bob });
    expect(h.sent.at(-1)!.card.text).toBe(
      'It is running: its worker stops the PVE task now and reports the result here.',
    );
    h.jobs.setState(jobId, 'completed');
    await h.press('cancel-job', jobId, { user: bob });
    expect(h.sent.at(-1)!.card.text).toBe('It has already completed.');
    await h.press('cancel-job', 'no-such-job', { user: bob });
    expect(lastTold(h, bob)!.card).toMatchObject({ title: 'No job no-such-job', status: 'failed' });
  });
});

describe('who may stop a read job', () => {
  it('is decided under the command as asked: anyone may stop a read (ha status, as status), typed or pressed', async () => {
    // `*` names only ops; `status` and `ha` are reads. Carol, in no role, asks for both.
    const h = startMemoryCore({
      policy: `${ROLES_YAML}commands:
  '*':
    allow: [ops]
  status:
    allow: [everyone]
`,
    });
    await h.say('status', { user: carol });
    const [statusJob] = await h.jobs.list();
    // The typed cancel is judged on the job, like the button; the `*` entry does not stand in its way.
    await h.say(`cancel ${statusJob!.jobId}`, { user: carol });
    expect(h.jobs.cancels).toEqual([{ jobId: statusJob!.jobId, by: 'carol', outcome: 'cancelled' }]);

    await h.say('ha', { user: alice });
    const haJob = (await h.jobs.list()).find((j) => j.kind === 'ha')!;
    expect(haJob).toMatchObject({ command: 'ha', commandRisk: 'read' });
    // `ha` without a word only looks: stopping it is open to whom a read is, not only its requester.
    await h.press('cancel-job', haJob.jobId, { user: dave });
    expect(h.jobs.cancels.at(-1)).toEqual({ jobId: haJob.jobId, by: 'dave', outcome: 'cancelled' });
  });

  it('names only the requester when no entry names anyone else (a job from before commands were recorded)', async () => {
    const h = startMemoryCore({ policy: NODE_POLICY });
    // Queued by an older version: no command recorded, so its kind is judged, which no entry names.
    const { jobId } = await h.jobs.enqueue({
      kind: 'node-power',
      payload: { node: 'node03', action: 'reboot' },
      thread: { platform: 'test', channel: 'C1', thread: 'R9' },
      requestedBy: 'alice',
      requestedById: alice.id,
    });
    await h.press('cancel-job', jobId, { user: carol });
    expect(lastTold(h, carol)!.card.text).toBe(
      "Only the requester (console:alice) may cancel this 'node-power' job.",
    );
    expect(h.jobs.cancels).toEqual([]);
  });
});

describe('an open request', () => {
  it('is withdrawn by its requester only', async () => {
    const h = startMemoryCore({ policy: NODE_POLICY });
    const id = await askReboot(h);
    await h.press('cancel-request', id, { user: bob });
    expect(lastTold(h, bob)!.card).toMatchObject({
      title: 'Your click changed nothing',
      text: 'only the requester, alice, may cancel this request',
    });
    await h.press('cancel-request', id, { user: alice });
    expect(lastApprovalCard(h.sent)!.card).toMatchObject({ status: 'cancelled' });
    await h.press('approve', id, { user: bob });
    expect(lastTold(h, bob)!.card.text).toMatch(/^this request was already cancelled by alice at /);
    expect(h.jobs.all()).toEqual([]);
  });

  it('is approved by its requester only where the rule says allowSelf', async () => {
    const h = startMemoryCore({
      policy: `${ROLES_YAML}commands:\n  stop:\n    allow: [ops]\n    approval: { approvers: [ops], allowSelf: true }\n`,
    });
    await h.say('stop TestVM');
    const id = approvalIdOf(lastApprovalCard(h.sent)!);
    await h.press('approve', id, { user: alice });
    expect(h.jobs.all()).toMatchObject([{ jobId: `approval-${id}`, kind: 'stop', requestedById: alice.id }]);
  });

  it('is not denied by its requester, who is told to withdraw it instead', async () => {
    const h = startMemoryCore({ policy: NODE_POLICY });
    const id = await askReboot(h);
    await h.press('deny', id, { user: alice });
    expect(lastTold(h)!.card.text).toBe(
      'only approvers may deny; to withdraw your own request, press Cancel',
    );
    expect((await h.approvals.get(id))!.status).toBe('pending');
  });

  it('expires after its ttl: a late Approve runs nothing', async () => {
    const h = startMemoryCore({ policy: NODE_POLICY });
    const id = await askReboot(h);
    h.advance(10 * 60_000 - 1);
    expect((await h.approvals.get(id))!.status).toBe('pending');
    h.advance(1);
    expect((await h.approvals.get(id))!.status).toBe('expired');
    await h.press('approve', id, { user: bob });
    expect(lastTold(h, bob)!.card).toMatchObject({
      title: 'This request is already closed',
      text: 'this request expired at 2026-01-05T09:10:00Z with 0 of 1 approvals; ask again',
    });
    expect(h.jobs.all()).toEqual([]);
    // A day after its expiry it is gone.
    h.advance(24 * 3_600_000);
    await h.press('approve', id, { user: bob });
    expect(lastTold(h, bob)!.card).toMatchObject({ title: `No approval request ${id}` });
  });
});

describe('a replayed delivery', () => {
  it('does nothing the second time, for a command and for a press', async () => {
    const h = startMemoryCore({ policy: NODE_POLICY });
    await h.say('node reboot node03', { requestId: 'test:command-1' });
    const after = h.sent.length;
    await h.say('node reboot node03', { requestId: 'test:command-1' });
    expect(h.sent).toHaveLength(after);
    expect(h.approvals.all()).toHaveLength(1);
    expect(h.opened).toHaveLength(1);

    const id = approvalIdOf(lastApprovalCard(h.sent)!);
    await h.press('approve', id, { user: bob, requestId: 'test:press-1' });
    const approved = h.sent.length;
    await h.press('approve', id, { user: bob, requestId: 'test:press-1' });
    // Not even "already closed": the second arrival is not handled at all.
    expect(h.sent).toHaveLength(approved);
    expect(h.jobs.all()).toHaveLength(1);

    // Without a delivery id the same text is a new request.
    await h.say('node reboot node03');
    expect(h.approvals.all()).toHaveLength(2);
  });
});

describe('an Approve whose job the store did not take', () => {
  it('is told "not accepted", and the next Approve queues the job once', async () => {
    const h = startMemoryCore({ policy: NODE_POLICY });
    const id = await askReboot(h);
    h.jobs.unavailable = true;
    await h.press('approve', id, { user: bob });
    expect(lastTold(h, bob)!.card).toMatchObject({
      title: 'Not accepted: the job store (Redis) is not answering',
    });
    expect((await h.approvals.get(id))!.status).toBe('approved');
    expect(h.jobs.all()).toEqual([]);
    h.jobs.unavailable = false;
    await h.press('approve', id, { user: lena });
    expect(h.jobs.all()).toMatchObject([{ jobId: `approval-${id}`, kind: 'node-power' }]);
    await h.press('approve', id, { user: lena });
    expect(h.jobs.all()).toHaveLength(1);
    expect(lastTold(h, lena)!.card.title).toBe('This request is already closed');
  });
});

describe('Pause, Resume and Abort', () => {
  const PLAN: UpgradePlan = {
    reboot: 'auto',
    order: 'lightest-first',
    steps: [{ node: 'node03', packages: 3, expectReboot: false, haGuests: [], moves: [] }],
    skipped: [],
  };

  async function upgradeJob(h: MemoryCore): Promise<string> {
    const thread: ThreadRef = { platform: 'test', channel: 'C1', thread: 'R9' };
    const { jobId } = await h.jobs.enqueue({
      kind: 'upgrade',
      payload: { plan: PLAN },
      thread,
      requestedBy: alice.name,
      requestedById: alice.id,
      command: 'upgrade',
    });
    h.jobs.setState(jobId, 'active');
    return jobId;
  }

  it('are for the requester and the leads; an abort is never undone', async () => {
    const h = startMemoryCore({ policy: NODE_POLICY });
    const jobId = await upgradeJob(h);
    await h.press('pause-job', jobId, { user: carol });
    expect(lastTold(h, carol)!.card.title).toBe(`You may not pause job ${jobId}`);
    expect(h.jobs.controlOf(jobId)).toBeUndefined();

    await h.press('pause-job', jobId, { user: bob });
    expect(h.jobs.controlOf(jobId)).toMatchObject({ action: 'pause', by: 'bob' });
    expect(h.sent.at(-1)!.card).toMatchObject({
      title: `Pause of job ${jobId} (upgrade) by bob`,
      text: 'It stops before its next step and waits for Resume.',
    });
    await h.press('resume-job', jobId, { user: alice });
    expect(h.jobs.controlOf(jobId)).toBeUndefined();

    // Cancel on a job that stops only between steps is an abort.
    await h.press('cancel-job', jobId, { user: lena });
    expect(h.jobs.controlOf(jobId)).toMatchObject({ action: 'abort', by: 'lena' });
    expect(h.sent.at(-1)!.card.title).toBe(`Abort of job ${jobId} (upgrade) by lena`);
    expect(h.jobs.cancels).toEqual([]);
    await h.press('resume-job', jobId, { user: bob });
    expect(lastTold(h, bob)!.card).toMatchObject({
      title: `Job ${jobId} is already being aborted`,
      text: 'lena aborted it; it stops before its next step.',
    });
    expect(h.jobs.controlOf(jobId)).toMatchObject({ action: 'abort' });
  });

  it('do not apply to a job that can only be cancelled', async () => {
    const h = startMemoryCore({ policy: NODE_POLICY });
    const jobId = await approvedReboot(h);
    await h.press('pause-job', jobId, { user: bob });
    expect(lastTold(h, bob)!.card).toMatchObject({
      title: `Job ${jobId} cannot be paused`,
      text: 'A node-power job can only be cancelled.',
    });
  });
});
