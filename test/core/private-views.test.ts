// The audit log, everyone's jobs and the cluster's join information are the policy's to grant
// (their own entries: audit, jobs, cluster-join-info), and answered to the person alone. Without
// an entry: the audit log and the join information are refused with how to get access, and
// `jobs` shows a person their own jobs.
import { afterEach, describe, expect, it } from 'vitest';
import type { OutgoingMessage } from '../../src/core/message.js';
import { defaultPolicy } from '../../src/core/policy/index.js';
import { alice, bob, type CoreHarness, startCoreHarness, TEST_POLICY } from './helpers/core-harness.js';

let harness: CoreHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

const GRANTED = `${TEST_POLICY}
  audit:
    allow: [on-call]
  jobs:
    allow: [on-call]
  cluster-join-info:
    allow: [ops]
`;

const publicText = (sent: OutgoingMessage[]) =>
  sent
    .filter((m) => m.ephemeralTo === undefined)
    .map((m) => JSON.stringify(m.card))
    .join('\n');

describe('without a policy entry', () => {
  it('refuses the audit log and the join information privately, saying how to get access', async () => {
    const h = await startCoreHarness({ policy: defaultPolicy() });
    harness = h;
    await h.say('audit');
    await h.say('cluster join-info');
    expect(h.opened).toEqual([]);
    expect(h.sent.map((m) => [m.ephemeralTo?.id, m.card.title, m.card.status])).toEqual([
      ['console:alice', 'The audit log is private', 'denied'],
      ['console:alice', 'You may not see the join information', 'denied'],
    ]);
    expect(h.sent[0]!.card.text).toContain('commands: { audit: { allow: [auditors] } }');
    expect(h.sent[1]!.card.text).toContain('commands: { cluster-join-info: { allow: [auditors] } }');
    expect(await h.queue.list()).toEqual([]);
    const refused = (await h.audit.latest(10)).map((r) => [r.actor, r.action, r.command]);
    expect(refused).toEqual([
      ['console:alice', 'refused', 'cluster-join-info'],
      ['console:alice', 'refused', 'audit'],
    ]);
  });

  it("shows each person their own jobs only, never someone else's", async () => {
    const h = await startCoreHarness({ policy: defaultPolicy() });
    harness = h;
    await h.say('status', { user: alice });
    await h.say('status node02', { user: bob });
    const jobs = await h.queue.list();
    const bobs = jobs.find((job) => job.requestedById === 'console:bob');
    const alices = jobs.find((job) => job.requestedById === 'console:alice');
    expect(bobs && alices).toBeDefined();
    await h.say('jobs', { user: bob });
    const answer = h.sent.at(-1)!;
    expect(answer.ephemeralTo).toEqual(bob);
    expect(answer.card.title).toBe('Your recent jobs');
    expect(answer.card.text).toContain(bobs!.jobId);
    expect(answer.card.text).not.toContain(alices!.jobId);
    expect(answer.card.text).toContain("The list of everyone's jobs is private");
  });
});

describe('with a policy entry', () => {
  it('shows the audit log and everyone’s jobs to the roles it names, privately', async () => {
    const h = await startCoreHarness({ policy: GRANTED });
    harness = h;
    await h.say('stop TestVM', { user: alice });
    await h.say('jobs', { user: bob });
    const jobs = h.sent.at(-1)!;
    expect(jobs.ephemeralTo).toEqual(bob);
    expect(jobs.card.title).toBe('Recent jobs');
    expect(jobs.card.text).toContain('by alice');
    await h.say('audit', { user: bob });
    const audit = h.sent.at(-1)!;
    expect(audit.ephemeralTo).toEqual(bob);
    expect(audit.card.title).toMatch(/^Audit log, newest \d+$/);
    expect(audit.card.text).toMatch(/console:alice request: stop TestVM/);
    await h.say('audit', { user: alice });
    expect(h.sent.at(-1)!.card).toMatchObject({ title: 'You may not run audit here', status: 'denied' });
  });

  it('answers cluster join-info to its requester alone: no public record, progress or result', async () => {
    const h = await startCoreHarness({ policy: GRANTED, worker: true });
    harness = h;
    await h.say('cluster join-info', { user: bob });
    expect(h.sent.at(-1)!.card).toMatchObject({ title: 'You may not see the join information' });
    await h.say('cluster join-info', { user: alice });
    const result = await h.message((m) => m.card.title.startsWith('To join MonCluster'));
    expect(result.ephemeralTo).toMatchObject({ id: 'console:alice' });
    expect(result.card.text).toContain('fingerprint');
    expect(h.opened).toEqual([]);
    expect(h.sent.every((m) => m.ephemeralTo !== undefined)).toBe(true);
    // The plain status view stays public.
    await h.say('cluster', { user: bob });
    const status = await h.message((m) => /MonCluster: quorate/.test(m.card.title));
    expect(status.ephemeralTo).toBeUndefined();
    expect(publicText(h.sent)).not.toContain('fingerprint');
  });

  it('grants join-info by its own entry even where `*` names other roles', async () => {
    const h = await startCoreHarness({
      policy: `${TEST_POLICY}
  '*':
    allow: [ops]
  cluster-join-info:
    allow: [on-call]
`,
      worker: true,
    });
    harness = h;
    await h.say('cluster join-info', { user: bob });
    const result = await h.message((m) => m.card.title.startsWith('To join MonCluster'));
    expect(result.ephemeralTo).toMatchObject({ id: 'console:bob' });
    // `*` still decides the other commands it covers: bob may not read the cluster's status.
    await h.say('cluster', { user: bob });
    expect(h.sent.at(-1)).toMatchObject({
      ephemeralTo: bob,
      card: { title: 'You may not run cluster here' },
    });
  });
});
