// Every example of every command in the registry through the whole pipeline (parse, policy gate,
// the command's handler, approvals, the queue), on in-memory ports. Under the built-in policy the
// reads run and everything disruptive is refused privately; under a policy naming roles, each
// disruptive request is approved by someone else, or denied, or runs at once with `approval: none`.
import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../../src/core/policy/index.js';
import { jobKinds } from '../../../src/jobs/kinds/index.js';
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
import {
  approvedKindOf,
  type CommandSample,
  DISRUPTIVE_SAMPLES,
  everyDisruptiveEntry,
  PLANNING_KINDS,
  READ_JOB_KINDS,
  READ_SAMPLES,
  REFUSED_BY_PLAN,
  SAMPLES,
} from './command-samples.js';

const APPROVED_BY_LEADS = `${ROLES_YAML}commands:\n${everyDisruptiveEntry('{ approvers: [leads] }')}`;
const NO_APPROVAL = `${ROLES_YAML}commands:\n${everyDisruptiveEntry('none')}`;

const titles = (h: MemoryCore) => h.sent.map((m) => m.card.title);
const APPROVABLE = DISRUPTIVE_SAMPLES.filter(
  (s) => PLANNING_KINDS[s.name] === undefined && REFUSED_BY_PLAN[s.text] === undefined,
);
const PLANNING = DISRUPTIVE_SAMPLES.filter((s) => PLANNING_KINDS[s.name] !== undefined);

describe('the registry as the tests see it', () => {
  it('gives every command at least one example, and the tables know every disruptive one', () => {
    const names = new Set(SAMPLES.map((s) => s.name));
    expect(names.size).toBeGreaterThanOrEqual(20);
    for (const sample of DISRUPTIVE_SAMPLES) {
      const known = approvedKindOf(sample) ?? PLANNING_KINDS[sample.name];
      expect(known, `add '${sample.text}' to APPROVED_JOB_KINDS or PLANNING_KINDS`).toBeDefined();
      expect(jobKinds.get(known!), `no job kind '${known}'`).toBeDefined();
    }
    for (const text of Object.keys(REFUSED_BY_PLAN)) expect(SAMPLES.map((s) => s.text)).toContain(text);
  });
});

describe('under the built-in policy', () => {
  it.each(READ_SAMPLES.map((s) => [s.text, s] as const))('runs the read `%s`', async (_text, sample) => {
    const h = startMemoryCore({ policy: defaultPolicy() });
    await h.say(sample.text);
    expect(titles(h)).not.toContain(`You may not run ${sample.name} here`);
    expect(titles(h)).not.toContain('That did not work');
    expect(h.approvals.all()).toEqual([]);
    const jobs = h.jobs.all();
    if (jobs.length === 0) {
      // Answered to the person alone: nothing public.
      expect(h.sent.length).toBeGreaterThan(0);
      expect(h.opened).toEqual([]);
      expect(h.sent.every((m) => m.ephemeralTo?.id === alice.id)).toBe(true);
      return;
    }
    expect(jobs).toHaveLength(1);
    const [job] = jobs;
    expect(job).toMatchObject({
      kind: READ_JOB_KINDS[sample.name],
      command: sample.entry,
      requestedById: alice.id,
      state: 'waiting',
    });
    expect(h.opened.map((e) => e.text)).toEqual([sample.text]);
    expect(job!.thread).toMatchObject({ thread: 'R1' });
    // Its progress message, in the thread of its public record; a result-only kind (the digest)
    // shows nothing until its result.
    const progress = h.sent.find((m) => m.key === `job:${job!.jobId}`);
    if (jobKinds.get(job!.kind)?.resultOnly) expect(progress).toBeUndefined();
    else expect(progress?.thread).toEqual(job!.thread);
  });

  it.each(DISRUPTIVE_SAMPLES.map((s) => [s.text, s] as const))(
    'refuses `%s` privately, before reading the cluster, with no public record',
    async (_text, sample) => {
      const h = startMemoryCore({ policy: defaultPolicy() });
      await h.say(sample.text);
      expect(h.sent).toHaveLength(1);
      expect(h.sent[0]).toMatchObject({
        ephemeralTo: alice,
        card: { title: `You may not run ${sample.name} here`, status: 'denied' },
      });
      expect(h.sent[0]!.card.text).toContain('pve-chatops runs without a policy file');
      expect(h.opened).toEqual([]);
      expect(h.reads()).toBe(0);
      expect(h.jobs.all()).toEqual([]);
      expect(h.approvals.all()).toEqual([]);
      expect(h.audit.records.map((r) => [r.actor, r.action, r.command, r.result])).toEqual([
        [alice.id, 'refused', sample.name, 'refused'],
      ]);
    },
  );
});

/** Alice asks; the approval card it opens, and its request. */
async function requestApproval(h: MemoryCore, sample: CommandSample) {
  await h.say(sample.text);
  const card = lastApprovalCard(h.sent);
  expect(card, `no approval card for '${sample.text}': ${titles(h).join(' | ')}`).toBeDefined();
  const id = approvalIdOf(card!);
  const request = await h.approvals.get(id);
  return { card: card!, id, request: request! };
}

describe('under a policy: ops run, leads approve', () => {
  it.each(APPROVABLE.map((s) => [s.text, s] as const))(
    '`%s`: an approval card; the requester and ops may not approve; one lead queues exactly one job',
    async (_text, sample) => {
      const h = startMemoryCore({ policy: APPROVED_BY_LEADS });
      const { card, id, request } = await requestApproval(h, sample);
      expect(card).toMatchObject({ thread: { thread: 'R1' }, describesRequest: true });
      expect(card.ephemeralTo).toBeUndefined();
      expect(card.card.status).toBe('pending');
      expect(card.card.buttons?.map((b) => [b.action, b.value])).toEqual([
        ['approve', id],
        ['deny', id],
        ['cancel-request', id],
      ]);
      expect(request).toMatchObject({
        status: 'pending',
        command: sample.entry,
        jobKind: approvedKindOf(sample),
        requester: alice,
        rule: { approvers: ['leads'], count: 1, allowSelf: false },
        thread: { thread: 'R1' },
      });
      expect(h.opened).toHaveLength(1);
      expect(h.reads()).toBe(1);
      expect(h.jobs.all()).toEqual([]);

      await h.press('approve', id, { user: alice });
      expect(toldTo(h.sent, alice).at(-1)!.card).toMatchObject({
        title: 'Your click changed nothing',
        text: expect.stringMatching(/^you may not approve your own request/),
      });
      await h.press('approve', id, { user: dave });
      expect(toldTo(h.sent, dave).at(-1)!.card.text).toBe(
        'you may not approve this: it needs 1 approval from leads (console:bob, console:lena)',
      );
      expect(h.jobs.all()).toEqual([]);
      expect((await h.approvals.get(id))!.status).toBe('pending');

      await h.press('approve', id, { user: bob });
      const jobs = h.jobs.all();
      expect(jobs).toHaveLength(1);
      expect(jobs[0]).toMatchObject({
        jobId: `approval-${id}`,
        kind: approvedKindOf(sample),
        command: sample.entry,
        requestedById: alice.id,
        thread: { thread: 'R1' },
      });
      const closed = lastApprovalCard(h.sent)!;
      expect(closed.card.status).toBe('succeeded');
      expect(closed.card.text).toContain(`Approved by bob`);
      expect(closed.card.text).toContain(`Running as job approval-${id}.`);
      expect(h.audit.records.map((r) => [r.actor, r.action, r.approvalId])).toEqual([
        [alice.id, 'request', id],
        [bob.id, 'approve', id],
      ]);
      expect(h.audit.records[1]!.command).toBe(sample.entry);

      // A second lead is too late: still one job.
      await h.press('approve', id, { user: lena });
      expect(toldTo(h.sent, lena).at(-1)!.card).toMatchObject({
        title: 'This request is already closed',
        text: expect.stringMatching(/^this request was already approved by bob/),
      });
      expect(h.jobs.all()).toHaveLength(1);
    },
  );

  it.each(APPROVABLE.map((s) => [s.text, s] as const))(
    '`%s`: a lead’s Deny closes it and nothing runs',
    async (_text, sample) => {
      const h = startMemoryCore({ policy: APPROVED_BY_LEADS });
      const { id } = await requestApproval(h, sample);
      await h.press('deny', id, { user: bob });
      expect((await h.approvals.get(id))!.status).toBe('denied');
      const denied = lastApprovalCard(h.sent)!.card;
      expect(denied.status).toBe('denied');
      expect(denied.text).toMatch(/^Denied by bob/);
      expect(denied.buttons).toBeUndefined();
      await h.press('approve', id, { user: lena });
      expect(toldTo(h.sent, lena).at(-1)!.card.title).toBe('This request is already closed');
      expect(h.jobs.all()).toEqual([]);
    },
  );

  it.each(PLANNING.map((s) => [s.text, s] as const))(
    '`%s`: its planning job starts at once, with the requester, and nothing is approved yet',
    async (_text, sample) => {
      const h = startMemoryCore({ policy: APPROVED_BY_LEADS });
      await h.say(sample.text);
      expect(h.approvals.all()).toEqual([]);
      const jobs = h.jobs.all();
      expect(jobs).toHaveLength(1);
      expect(jobs[0]).toMatchObject({
        kind: PLANNING_KINDS[sample.name],
        command: sample.entry,
        requestedById: alice.id,
        payload: { requester: alice },
      });
      const request = h.sent.find((m) => m.describesRequest)!;
      expect(request.card.footer).toBe(`job ${jobs[0]!.jobId}`);
      expect(request.card.text).toBe(
        'The plan follows in this thread; nothing changes until 1 approval from leads (console:bob, console:lena) approve it.',
      );
    },
  );

  it.each(Object.entries(REFUSED_BY_PLAN))(
    '`%s`: refused privately by its plan, before anyone is asked',
    async (text, why) => {
      const h = startMemoryCore({ policy: APPROVED_BY_LEADS });
      await h.say(text);
      expect(h.sent).toHaveLength(1);
      expect(h.sent[0]!.ephemeralTo).toEqual(alice);
      expect(h.sent[0]!.card).toMatchObject({ title: `Cannot ${text.split(' ')[0]}`, status: 'failed' });
      expect(h.sent[0]!.card.text).toMatch(why);
      expect(h.opened).toEqual([]);
      expect(h.approvals.all()).toEqual([]);
      expect(h.jobs.all()).toEqual([]);
    },
  );

  it.each(DISRUPTIVE_SAMPLES.map((s) => [s.text, s] as const))(
    '`%s`: refused for someone in no role it names',
    async (_text, sample) => {
      const h = startMemoryCore({ policy: APPROVED_BY_LEADS });
      await h.say(sample.text, { user: carol });
      expect(h.sent).toEqual([
        expect.objectContaining({
          ephemeralTo: carol,
          card: expect.objectContaining({ title: `You may not run ${sample.name} here` }),
        }),
      ]);
      expect(h.sent[0]!.card.text).toBe(
        `'${sample.name}' needs the role ops; carol (console:carol) has everyone`,
      );
      expect(h.opened).toEqual([]);
      expect(h.jobs.all()).toEqual([]);
    },
  );
});

describe('under a policy with `approval: none`', () => {
  it.each(
    DISRUPTIVE_SAMPLES.filter((s) => REFUSED_BY_PLAN[s.text] === undefined).map((s) => [s.text, s] as const),
  )('`%s` queues its job at once', async (_text, sample) => {
    const h = startMemoryCore({ policy: NO_APPROVAL });
    await h.say(sample.text);
    expect(h.approvals.all()).toEqual([]);
    const jobs = h.jobs.all();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({
      kind: PLANNING_KINDS[sample.name] ?? approvedKindOf(sample),
      command: sample.entry,
      requestedById: alice.id,
      thread: { thread: 'R1' },
    });
    const request = h.sent.find((m) => m.describesRequest)!;
    expect(request).toMatchObject({ thread: { thread: 'R1' }, card: { footer: `job ${jobs[0]!.jobId}` } });
    expect(h.sent.find((m) => m.key === `job:${jobs[0]!.jobId}`)?.card.progress).toEqual({
      phase: 'queued',
    });
    expect(h.audit.records.map((r) => [r.action, r.jobId])).toEqual([['request', jobs[0]!.jobId]]);
  });
});
