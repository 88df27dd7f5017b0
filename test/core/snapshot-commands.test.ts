// The snapshot commands in the core, on in-memory ports: what the grammar refuses before anything
// runs, what the plans refuse and say (the rollback's approval card: what will be lost, the
// guest's state before and after), the policy's retention reaching the job's payload, and the
// Roll back button a snapshot's result offers, which goes through the policy and an approval
// exactly as a typed rollback does.
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/core/grammar/index.js';
import { PolicyError, parsePolicy } from '../../src/core/policy/index.js';
import { renderJobEvent } from '../../src/core/render-job-event.js';
import type { ResultEvent } from '../../src/jobs/job-events.js';
import {
  alice,
  approvalIdOf,
  bob,
  lastApprovalCard,
  MEMORY_START,
  ROLES_YAML,
  startMemoryCore,
  toldTo,
} from './helpers/memory-ports.js';

const POLICY = `${ROLES_YAML}
snapshots:
  keep: 3
commands:
  snapshot:
    allow: [ops]
    approval: none
  snapshots:
    allow: [everyone]
  rollback:
    allow: [ops]
    approval: { approvers: [leads] }
  snapshot-delete:
    allow: [ops]
    approval: { approvers: [leads] }
`;

function parseError(text: string): string {
  const parsed = parseCommand(text);
  if (parsed.ok) throw new Error(`'${text}' parsed`);
  return parsed.error;
}

describe('the snapshot grammar', () => {
  it('refuses a bad snapshot name before anything runs, with what would be right', () => {
    expect(parseError('snapshot TestVM 1st')).toBe(
      "'1st' is not a snapshot name (a letter, then letters, digits, '_' and '-'; 2 to 40 characters)",
    );
    expect(parseError('snapshot TestVM before.upgrade')).toMatch(/^'before\.upgrade' is not a snapshot name/);
    expect(parseError(`snapshot TestVM a${'b'.repeat(40)}`)).toMatch(
      /is not a snapshot name .*2 to 40 characters/,
    );
    expect(parseError('snapshot TestVM Current')).toBe(
      "'current' is a name PVE keeps for itself; choose another snapshot name",
    );
    expect(parseError('snapshot TestVM chatops-20260105-090000')).toMatch(
      /has the form of the bot's own snapshots \(chatops-<date>-<time>\), which retention deletes/,
    );
    expect(parseError('rollback TestVM vzdump')).toBe(
      "'vzdump' is a name PVE keeps for itself; choose another snapshot name",
    );
    expect(parseError('rollback TestVM')).toMatch(/^rollback needs the snapshot to go back to/);
    expect(parseError('snapshot TestVM one two')).toMatch(/^too many arguments for snapshot: 'two' is extra/);
    expect(parseError('snapshot delete TestVM')).toMatch(/^snapshot delete needs the guest and the snapshot/);
    expect(parseError('snapshot delete TestVM old --vmstate')).toBe(
      '--vmstate and --description go with taking a snapshot, not deleting one',
    );
  });

  it('reads `snapshot delete` as a deletion, judged under its own policy entry', () => {
    const parsed = parseCommand('snapshot delete 100 before-upgrade');
    expect(parsed.ok && parsed.command.args).toMatchObject({
      vm: 'delete',
      name: '100',
      snapshot: 'before-upgrade',
    });
  });
});

describe('/pve snapshot in the core', () => {
  it('queues the snapshot at once under an approval: none entry, with the policy’s retention in its payload', async () => {
    const h = startMemoryCore({ policy: POLICY });
    await h.say('snapshot TestVM --vmstate --description "before the kernel"');
    const [job] = h.jobs.all();
    expect(job).toMatchObject({
      kind: 'snapshot',
      command: 'snapshot',
      payload: {
        guest: { vmid: 100, type: 'qemu', node: 'node01', name: 'TestVM' },
        vmstate: true,
        description: 'before the kernel',
        keep: 3,
      },
    });
    const description = h.sent.find((m) => m.describesRequest);
    expect(description?.card.title).toBe(
      'snapshot TestVM (qemu/100) on node01 as chatops-<date>-<time>, with its RAM',
    );
    expect(description?.card.text).toBe(
      'Retention: the bot’s newest 3 snapshots of TestVM (qemu/100) stay, its older ones are deleted (never anyone else’s).',
    );
  });

  it('refuses --vmstate for a container, a template, and a name the guest already has', async () => {
    const h = startMemoryCore({ policy: POLICY });
    await h.say('snapshot ct-dns01 --vmstate');
    await h.say('snapshot debian12-tmpl');
    await h.say('snapshot TestVM before-upgrade');
    expect(toldTo(h.sent, alice).map((m) => [m.card.title, m.card.text])).toEqual([
      [
        'Cannot snapshot',
        "ct-dns01 (lxc/200) is a container: PVE keeps no RAM with a container's snapshot. Leave out --vmstate.",
      ],
      [
        'Cannot snapshot',
        'debian12-tmpl (qemu/9000) is a template: PVE takes no snapshots of templates (clone it first).',
      ],
      [
        'Cannot snapshot',
        'TestVM (qemu/100) already has a snapshot named `before-upgrade`. Choose another name, or leave it out for `chatops-20260105-090000`. Its snapshots: `before-upgrade`.',
      ],
    ]);
    expect(h.jobs.all()).toEqual([]);
  });

  it('deletes a snapshot only once a lead approves, and refuses an unknown one with the list', async () => {
    const h = startMemoryCore({ policy: POLICY });
    await h.say('snapshot delete TestVM nope');
    expect(toldTo(h.sent, alice).at(-1)?.card.text).toBe(
      'TestVM (qemu/100) has no snapshot named `nope`. Its snapshots: `before-upgrade`.',
    );
    await h.say('snapshot delete TestVM before-upgrade');
    const card = lastApprovalCard(h.sent)!;
    expect(card.card.title).toBe('delete snapshot `before-upgrade` of TestVM (qemu/100) on node01');
    expect(card.card.text).toBe(
      'Taken 2026-01-05 05:48 UTC; the current state descends from it. A deleted snapshot cannot be rolled back to.',
    );
    expect((await h.approvals.get(approvalIdOf(card)))?.command).toBe('snapshot-delete');
    await h.press('approve', approvalIdOf(card), { user: bob });
    expect(h.jobs.all()).toMatchObject([
      { kind: 'snapshot-delete', command: 'snapshot-delete', payload: { snapshot: 'before-upgrade' } },
    ]);
  });
});

describe('/pve rollback in the core', () => {
  it('says on the approval card what will be lost and how the guest will be', async () => {
    const h = startMemoryCore({ policy: POLICY });
    await h.say('rollback TestVM before-upgrade');
    const card = lastApprovalCard(h.sent)!;
    expect(card.card.title).toBe('rollback TestVM (qemu/100) on node01 to `before-upgrade`');
    expect(card.card.text).toBe(
      [
        '3 h 12 min of changes since `before-upgrade` (taken 2026-01-05 05:48 UTC) will be lost.',
        'TestVM (qemu/100) is running now: it will be stopped first.',
        'Afterwards it stays stopped (add --start to start it).',
      ].join('\n'),
    );
    await h.say('rollback 100 before-upgrade --start');
    expect(lastApprovalCard(h.sent)!.card.text).toMatch(/Afterwards it is started \(--start\)\.$/);
  });

  it('says a snapshot with RAM comes back running', async () => {
    const taken = MEMORY_START / 1000 - 2 * 86_400 - 5 * 3600;
    const h = startMemoryCore({
      policy: POLICY,
      snapshots: {
        200: {
          snapshots: [
            {
              name: 'ram',
              takenAt: taken,
              withRam: true,
              description: '',
              parent: undefined,
              incomplete: undefined,
            },
          ],
          currentParent: 'ram',
          running: false,
        },
      },
    });
    await h.say('rollback ct-dns01 ram');
    expect(lastApprovalCard(h.sent)!.card.text).toBe(
      [
        '2 d 5 h of changes since `ram` (taken 2026-01-03 04:00 UTC) will be lost.',
        'ct-dns01 (lxc/200) is stopped now.',
        'Afterwards it runs again from the RAM kept with `ram`.',
      ].join('\n'),
    );
  });

  it('refuses an unknown snapshot at once, naming the ones there are', async () => {
    const h = startMemoryCore({ policy: POLICY });
    await h.say('rollback TestVM before-upgrad');
    await h.say('rollback ct-dns01 base');
    expect(toldTo(h.sent, alice).map((m) => m.card.text)).toEqual([
      'TestVM (qemu/100) has no snapshot named `before-upgrad`. Its snapshots: `before-upgrade`.',
      'ct-dns01 (lxc/200) has no snapshot named `base`. It has no snapshots.',
    ]);
    expect(h.approvals.all()).toEqual([]);
  });
});

describe('the Roll back button of a snapshot’s result', () => {
  const result = (command: string): ResultEvent => ({
    type: 'result',
    jobId: 'job-1',
    kind: 'snapshot',
    ok: true,
    summary: 'Snapshot `before-upgrade` of TestVM (qemu/100) taken, disks only, in 1 s',
    offers: [{ label: 'Roll back', command }],
    at: MEMORY_START,
  });

  it('is a run-command button carrying the command; one too long for a button is given to type', () => {
    const thread = { platform: 'test', channel: 'C1' };
    const [, card] = renderJobEvent(thread, result('rollback 100 before-upgrade'));
    expect(card?.card.buttons).toEqual([
      { action: 'run-command', label: 'Roll back', value: 'rollback 100 before-upgrade' },
    ]);
    const long = `rollback ${'x'.repeat(63)} ${'y'.repeat(40)}`;
    const [, fallback] = renderJobEvent(thread, result(long));
    expect(fallback?.card.buttons).toBeUndefined();
    expect(fallback?.card.text).toBe(`Roll back: \`/pve ${long}\``);
  });

  it('opens the approval a typed rollback opens, once per press, and runs once another person approves', async () => {
    const h = startMemoryCore({ policy: POLICY });
    const thread = { platform: 'test', channel: 'C1', thread: 'R9' };
    await h.jobEvent(result('rollback 100 before-upgrade'), thread);
    const button = h.sent.findLast((m) => m.card.buttons?.some((b) => b.action === 'run-command'))!.card
      .buttons![0]!;
    await h.press(button.action, button.value, { user: alice, requestId: 'test:press:1', thread });
    await h.press(button.action, button.value, { user: alice, requestId: 'test:press:1', thread });
    expect(h.approvals.all()).toHaveLength(1);
    const card = lastApprovalCard(h.sent)!;
    // Its public record is made from the press as from a typed command, in the result's thread.
    expect(h.opened).toMatchObject([
      { text: 'rollback 100 before-upgrade', user: { id: alice.id }, thread, requestId: 'test:press:1' },
    ]);
    expect(card.card.title).toBe('rollback TestVM (qemu/100) on node01 to `before-upgrade`');
    expect(card.card.text).toMatch(/^3 h 12 min of changes since `before-upgrade`/);
    const request = await h.approvals.get(approvalIdOf(card));
    expect(request).toMatchObject({ command: 'rollback', requester: { id: alice.id } });
    // Not by the one who pressed it.
    await h.press('approve', request!.id, { user: alice });
    expect(h.jobs.all()).toEqual([]);
    await h.press('approve', request!.id, { user: bob });
    expect(h.jobs.all()).toMatchObject([
      { kind: 'rollback', requestedById: alice.id, payload: { snapshot: 'before-upgrade', start: false } },
    ]);
    expect((await h.audit.latest(10)).map((r) => r.action)).toEqual(
      expect.arrayContaining(['request', 'approve']),
    );
  });

  it('is refused to someone the policy does not let roll back, as the typed command is', async () => {
    const h = startMemoryCore({ policy: POLICY });
    const thread = { platform: 'test', channel: 'C1', thread: 'R9' };
    await h.press('run-command', 'rollback 100 before-upgrade', {
      user: bob,
      requestId: 'test:press:2',
      thread,
    });
    expect(toldTo(h.sent, bob).map((m) => m.card.title)).toEqual(['You may not run rollback here']);
    expect(h.approvals.all()).toEqual([]);
  });
});

describe('the policy’s snapshots section', () => {
  it('takes keep from 1 to 100 and says what is wrong otherwise', () => {
    expect(parsePolicy('snapshots: { keep: 5 }\n', 'p.yml').snapshots).toEqual({ keep: 5 });
    expect(parsePolicy('commands: {}\n', 'p.yml').snapshots).toBeUndefined();
    const problems = (text: string) => {
      try {
        parsePolicy(text, 'p.yml');
      } catch (error) {
        if (error instanceof PolicyError) return error.message;
      }
      throw new Error('accepted');
    };
    expect(problems('snapshots: { keep: 0 }\n')).toMatch(
      /snapshots\.keep: got number 0; expected a whole number from 1 to 100: how many of the bot's own snapshots to keep per guest/,
    );
    expect(problems('snapshots: { kep: 3 }\n')).toMatch(
      /unknown key 'kep' \(did you mean 'keep'\?\); allowed here: keep/,
    );
  });
});
