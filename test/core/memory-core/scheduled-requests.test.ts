// `--at` and `--window` through the core: resolved before anything is planned, the approval card
// says when the job starts (approving covers the plan and the time), the job is queued to wait
// until then, `scheduled` lists it with Cancel, and Cancel removes it.
import { describe, expect, it } from 'vitest';
import {
  alice,
  approvalIdOf,
  bob,
  lastApprovalCard,
  MEMORY_START,
  ROLES_YAML,
  startMemoryCore,
  toldTo,
} from '../helpers/memory-ports.js';

// MEMORY_START is Monday 5 January 2026, 09:00 UTC.
const POLICY = `${ROLES_YAML}commands:
  reboot:
    allow: [ops]
    approval:
      approvers: [leads]
  stop:
    allow: [ops]
    approval: none
schedule:
  timeZone: UTC
  remind: 15m
  grace: 30m
  windows:
    night:
      days: [mon, tue, wed, thu, fri]
      start: "02:00"
      end: "05:00"
`;

describe('scheduled requests', () => {
  it('an approval covers the plan and the time; the approved job waits, is listed, and Cancel removes it', async () => {
    const h = startMemoryCore({ policy: POLICY });
    await h.say('reboot TestVM --at "2026-01-05 21:30"');
    const card = lastApprovalCard(h.sent)!;
    expect(card.card.text).toContain(
      'Starts Mon 5 Jan 21:30 UTC (in 12 h 30 min); it may start until Mon 5 Jan 22:00 UTC, else it does not run. Approving covers the plan and this time.',
    );
    await h.press('approve', approvalIdOf(card), { user: bob });
    const [job] = await h.jobs.list();
    expect(job?.state).toBe('delayed');
    expect(h.jobs.added.at(-1)?.schedule).toEqual({
      startAt: Date.UTC(2026, 0, 5, 21, 30),
      endsAt: Date.UTC(2026, 0, 5, 22, 0),
      startText: 'Mon 5 Jan 21:30 UTC',
      remindAt: Date.UTC(2026, 0, 5, 21, 15),
    });
    const queued = h.sent.findLast((m) => m.key === `job:${job!.jobId}`)!;
    expect(queued.card.progress?.phase).toBe('scheduled: starts Mon 5 Jan 21:30 UTC');

    await h.say('scheduled');
    const list = toldTo(h.sent, alice).at(-1)!.card;
    expect(list.title).toBe('Scheduled: 1');
    expect(list.text).toContain(
      `\`${job!.jobId}\` reboot TestVM (qemu/100) · starts Mon 5 Jan 21:30 UTC (in 12 h 30 min) · by alice`,
    );
    expect(list.buttons?.map((b) => [b.action, b.value])).toEqual([['cancel-job', job!.jobId]]);

    await h.press('cancel-job', job!.jobId, { user: alice });
    expect(await h.jobs.list()).toEqual([]);
    await h.say('scheduled');
    expect(toldTo(h.sent, alice).at(-1)?.card.title).toBe('Nothing is scheduled');
  });

  it('a named window starts at its next opening, or now while it is open; without approval the job is queued at once to wait', async () => {
    const h = startMemoryCore({ policy: POLICY });
    await h.say('stop TestVM --window night');
    expect(h.jobs.added.at(-1)?.schedule).toMatchObject({
      startAt: Date.UTC(2026, 0, 6, 2, 0),
      endsAt: Date.UTC(2026, 0, 6, 5, 0),
      window: 'night',
    });
    // Tuesday 03:00: the night window is open, so it starts now and may start until 05:00.
    h.advance(18 * 3_600_000);
    await h.say('stop TestVM --window night');
    expect(h.jobs.added.at(-1)?.schedule).toMatchObject({
      startAt: MEMORY_START + 18 * 3_600_000,
      endsAt: Date.UTC(2026, 0, 6, 5, 0),
    });
  });

  it('says what is wrong with a time or a window, and nothing is asked for', async () => {
    const h = startMemoryCore({ policy: POLICY });
    await h.say('reboot TestVM --window weekend');
    await h.say('reboot TestVM --at "2026-01-05 08:00"');
    await h.say('reboot TestVM --at 2026-01-06T02:00:00');
    await h.say('reboot TestVM --at soon');
    expect(toldTo(h.sent, alice).map((m) => m.card.text)).toEqual([
      "There is no maintenance window 'weekend': the policy names night.",
      'Mon 5 Jan 08:00 UTC has passed: name a time ahead',
      expect.stringContaining("'2026-01-06T02:00:00' has no offset"),
      expect.stringContaining("'soon' is not a start time"),
    ]);
    expect(lastApprovalCard(h.sent)).toBeUndefined();
    await h.say('reboot TestVM --at "2026-01-06 02:00" --window night');
    expect(toldTo(h.sent, alice).at(-1)?.card.title).toContain('--at and --window cannot be used together');
  });
});

describe('one cluster named by PVE', () => {
  it('takes --cluster with its name, applies its scoped entries, and names the others as unknown', async () => {
    const policy = `${ROLES_YAML}commands:
  stop:
    allow: [ops]
    approval: none
  stop@moncluster:
    allow: [ops]
    approval:
      approvers: [leads]
`;
    const h = startMemoryCore({ policy, clusterName: 'moncluster' });
    await h.say('stop TestVM --cluster moncluster');
    expect(lastApprovalCard(h.sent)?.card.title).toContain('stop TestVM (qemu/100)');
    await h.say('stop TestVM --cluster prod');
    expect(toldTo(h.sent, alice).at(-1)?.card.text).toBe(
      "There is no cluster 'prod': this bot drives moncluster.",
    );
  });
});
