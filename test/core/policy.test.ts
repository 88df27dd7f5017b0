// The policy: loading with clear errors, the safe defaults, roles, groups, channels and '*'.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChatUser } from '../../src/core/chat-event.js';
import { commandRisk } from '../../src/core/grammar/index.js';
import * as checks from '../../src/core/policy/index.js';
import {
  defaultPolicy,
  describeApprovers,
  loadPolicy,
  mayApprove,
  mayView,
  type Policy,
  PolicyError,
  parsePolicy,
  type Risk,
  rolesOf,
} from '../../src/core/policy/index.js';

// The pipeline passes each command's risk from its module; here, the risk its definition declares.
const mayRun = (policy: Policy, user: ChatUser, command: string, channel: string, risk?: Risk) =>
  checks.mayRun(policy, user, command, channel, risk ?? commandRisk(command));
const approvalRuleFor = (policy: Policy, command: string, risk?: Risk) =>
  checks.approvalRuleFor(policy, command, risk ?? commandRisk(command));
const mayCancel = (
  policy: Policy,
  user: ChatUser,
  job: { requesterId: string; command: string; risk?: Risk },
) => checks.mayCancel(policy, user, { ...job, risk: job.risk ?? commandRisk(job.command) });

const user = (id: string, groups: string[] = []): ChatUser => ({ id, name: `@${id.split(':')[1]}`, groups });
const alice = user('console:alice');
const bob = user('slack:U0BOB', ['slack-group:S0ONCALL']);
const carol = user('discord:80351110224678912', ['discord-role:123456789012345678']);

function problemsOf(text: string): readonly string[] {
  try {
    parsePolicy(text, 'policy.yml');
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).code).toBe('POLICY_INVALID');
    return (error as PolicyError).problems;
  }
  throw new Error('the policy was accepted');
}

const TEAM = `
roles:
  on-call:
    members: [slack-group:S0ONCALL, console:dave]
  ops:
    members: [console:alice, discord-role:123456789012345678]
commands:
  '*':
    allow: [ops]
    channels: [slack:C0OPS, console:terminal]
    approval:
      approvers: [on-call]
  status:
    allow: [everyone]
  start:
    allow: [ops]
    approval: none
  migrate:
    allow: [ops, on-call]
  shutdown:
    allow: [ops]
    approval: { approvers: [on-call, ops], count: 2, ttl: 15m, allowSelf: true }
`;

describe('loading a policy file', () => {
  it('reports an unknown key with its line, its path and the keys allowed there', () => {
    const problems = problemsOf(
      'roles:\n  ops:\n    members: [console:alice]\ncommands:\n  stop:\n    alow: [ops]\n',
    );
    expect(problems).toContainEqual(
      "policy.yml:6:5: commands.stop.alow: unknown key 'alow' (did you mean 'allow'?); allowed here: allow, channels, approval",
    );
    expect(
      problems.some((p) => p.startsWith('policy.yml:5:') && p.includes('commands.stop.allow: missing')),
    ).toBe(true);
  });

  it('refuses a role that is used but not defined, and suggests the close one', () => {
    const problems = problemsOf(
      "roles:\n  on-call:\n    members: ['*']\ncommands:\n  stop:\n    allow: [oncall]\n    approval:\n      approvers: [leads]\n",
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /^policy\.yml:6:\d+: commands\.stop\.allow\.0: role 'oncall' is not defined under roles: \(did you mean 'on-call'\?\)/,
      ),
      expect.stringMatching(
        /^policy\.yml:8:\d+: commands\.stop\.approval\.approvers\.0: role 'leads' is not defined/,
      ),
    ]);
  });

  it('says what a wrong identity, duration, count and approval should look like, all at once', () => {
    const problems = problemsOf(`
roles:
  ops:
    members: [slack:@alice, bob]
commands:
  stop:
    allow: [ops]
    approval: { approvers: [ops], count: 0, ttl: 30 minutes }
  reboot:
    allow: [ops]
    approval: maybe
`);
    expect(problems).toHaveLength(5);
    expect(problems[0]).toMatch(
      /^policy\.yml:4:\d+: roles\.ops\.members\.0: 'slack:@alice' is not a valid slack identity: it needs a Slack member id, not a name .* e\.g\. slack:U0123ABC$/,
    );
    expect(problems[1]).toMatch(
      /roles\.ops\.members\.1: 'bob' is not an identity: start it with console:, slack:/,
    );
    expect(problems).toContainEqual(
      expect.stringMatching(
        /commands\.stop\.approval\.count: got number 0; expected a whole number of distinct approvers/,
      ),
    );
    expect(problems).toContainEqual(
      expect.stringMatching(
        /commands\.stop\.approval\.ttl: '30 minutes' is not a duration: write a number and s, m or h/,
      ),
    );
    expect(problems).toContainEqual(
      expect.stringMatching(
        /^policy\.yml:11:\d+: commands\.reboot\.approval: got the text 'maybe'; expected none, or a map/,
      ),
    );
  });

  it('explains that a bare * must be quoted', () => {
    const problems = problemsOf('roles:\n  all:\n    members: [*]\n');
    expect(problems[0]).toMatch(/^policy\.yml:3:\d+: not valid YAML: .*write '\*' in quotes/);
  });

  it('refuses an empty file, a count no approver list can meet, and redefining everyone', () => {
    expect(problemsOf('')).toEqual([expect.stringContaining('the file is empty')]);
    const problems = problemsOf(
      'roles:\n  everyone:\n    members: [console:eve]\n  pair:\n    members: [console:a, console:b]\ncommands:\n  stop:\n    allow: [pair]\n    approval: { approvers: [pair], count: 3 }\n',
    );
    expect(problems).toContainEqual(
      expect.stringContaining("roles.everyone.members: 'everyone' is built in"),
    );
    expect(problems).toContainEqual(
      expect.stringContaining(
        'commands.stop.approval.count: 3 distinct approvers are needed but the approver roles name only 2',
      ),
    );
  });

  it('names the file when it does not exist', () => {
    expect(() => loadPolicy('/nonexistent/policy.yml')).toThrow(
      /\/nonexistent\/policy\.yml: the file does not exist/,
    );
  });

  it('loads a file from disk, and the documented example', () => {
    const dir = mkdtempSync(join(tmpdir(), 'policy-'));
    writeFileSync(join(dir, 'policy.yml'), TEAM);
    const policy = loadPolicy(join(dir, 'policy.yml'));
    expect(policy.source).toBe(join(dir, 'policy.yml'));
    expect(Object.keys(policy.roles)).toEqual(['everyone', 'on-call', 'ops']);
    const example = loadPolicy(new URL('../../policy.example.yml', import.meta.url).pathname);
    expect(approvalRuleFor(example, 'shutdown')).toEqual({
      approvers: ['leads'],
      count: 2,
      ttlMs: 15 * 60_000,
      allowSelf: false,
    });
  });
});

describe('the built-in defaults', () => {
  const policy = defaultPolicy();

  it('let everyone run read commands at once', () => {
    for (const command of ['help', 'status', 'jobs', 'audit', 'whoami', 'cluster', 'updates']) {
      expect(mayRun(policy, alice, command, 'slack:C1')).toEqual({ ok: true });
      expect(approvalRuleFor(policy, command)).toBeUndefined();
    }
  });

  it('refuse every disruptive or unknown command, saying what to write in a policy file, never a path', () => {
    for (const who of [alice, bob, carol]) {
      for (const command of [
        'stop',
        'shutdown',
        'reboot',
        'migrate',
        'clone',
        'start',
        'destroy-everything',
      ]) {
        const decision = mayRun(policy, who, command, 'slack:C1');
        expect(decision.ok).toBe(false);
        const reason = decision.ok ? '' : decision.reason;
        expect(reason).toContain('without a policy file');
        expect(reason).toContain('POLICY_FILE');
        expect(reason).toContain('policy.example.yml');
        expect(reason).toContain(
          `commands: { ${command}: { allow: [on-call], approval: { approvers: [on-call] } } }`,
        );
        expect(reason).toContain(who.id);
        expect(reason).not.toMatch(/\//);
      }
    }
    expect(mayRun(policy, bob, 'stop', 'slack:C1')).toMatchObject({
      reason: expect.stringContaining('members: [slack-group:S0ONCALL, slack:U0BOB]'),
    });
    expect(mayRun(policy, user('console:operator'), 'stop', 'console:terminal')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('members: [console:dave, console:operator]'),
    });
  });

  it('let nobody approve or cancel what someone else asked for', () => {
    const rule = approvalRuleFor(policy, 'migrate')!;
    expect(rule.approvers).toEqual([]);
    expect(mayApprove(policy, rule, bob)).toBe(false);
    expect(mayCancel(policy, bob, { requesterId: 'console:alice', command: 'migrate' }).ok).toBe(false);
    expect(mayCancel(policy, alice, { requesterId: 'console:alice', command: 'migrate' }).ok).toBe(true);
  });

  it('keep the private views private, saying how to grant them', () => {
    for (const view of ['audit', 'jobs', 'cluster-join-info'] as const) {
      const decision = mayView(policy, alice, view, 'console:terminal');
      expect(decision.ok).toBe(false);
      const reason = decision.ok ? '' : decision.reason;
      expect(reason).toContain(`commands: { ${view}: { allow: [auditors] } }`);
      expect(reason).toContain('POLICY_FILE');
      expect(reason).not.toMatch(/\//);
    }
  });

  it('take the risk from the caller, so a new command needs no policy code', () => {
    expect(mayRun(policy, alice, 'inventory', 'slack:C1', 'read')).toEqual({ ok: true });
    expect(approvalRuleFor(policy, 'inventory', 'read')).toBeUndefined();
    expect(mayRun(policy, alice, 'status', 'slack:C1', 'disruptive').ok).toBe(false);
  });
});

describe('a team policy', () => {
  const policy: Policy = parsePolicy(TEAM, 'team.yml');

  it('grants a command through a platform group and names the role that is missing', () => {
    expect(rolesOf(policy, carol)).toEqual(['everyone', 'ops']);
    expect(mayRun(policy, carol, 'stop', 'slack:C0OPS')).toEqual({ ok: true });
    expect(mayRun(policy, bob, 'stop', 'slack:C0OPS')).toEqual({
      ok: false,
      reason: "'stop' needs the role ops; @U0BOB (slack:U0BOB) has everyone and on-call",
    });
  });

  it('restricts commands to the channels listed, inherited from *', () => {
    expect(mayRun(policy, alice, 'migrate', 'console:terminal')).toEqual({ ok: true });
    expect(mayRun(policy, alice, 'migrate', 'slack:C0RANDOM')).toEqual({
      ok: false,
      reason: "'migrate' may only be run in slack:C0OPS or console:terminal, not in slack:C0RANDOM",
    });
  });

  it('lets a command entry override *: its allow replaces, approval none or its own rule wins', () => {
    expect(mayRun(policy, bob, 'migrate', 'slack:C0OPS')).toEqual({ ok: true });
    expect(mayRun(policy, bob, 'status', 'slack:C0OPS')).toEqual({ ok: true });
    expect(approvalRuleFor(policy, 'start')).toBeUndefined();
    expect(approvalRuleFor(policy, 'migrate')).toEqual({
      approvers: ['on-call'],
      count: 1,
      ttlMs: 30 * 60_000,
      allowSelf: false,
    });
    expect(approvalRuleFor(policy, 'shutdown')).toEqual({
      approvers: ['on-call', 'ops'],
      count: 2,
      ttlMs: 15 * 60_000,
      allowSelf: true,
    });
    // A read command never inherits the approval of '*'.
    expect(approvalRuleFor(policy, 'status')).toBeUndefined();
  });

  it('lets only members of the approver roles approve, and describes them', () => {
    const rule = approvalRuleFor(policy, 'migrate')!;
    expect(mayApprove(policy, rule, bob)).toBe(true);
    expect(mayApprove(policy, rule, user('console:dave'))).toBe(true);
    expect(mayApprove(policy, rule, alice)).toBe(false);
    expect(describeApprovers(policy, rule)).toBe(
      '1 approval from on-call (slack-group:S0ONCALL, console:dave)',
    );
    expect(describeApprovers(policy, approvalRuleFor(policy, 'shutdown')!)).toBe(
      '2 approvals from on-call (slack-group:S0ONCALL, console:dave) or ops (console:alice, discord-role:123456789012345678)',
    );
  });

  it('lets the requester and the approvers of the command cancel a job, nobody else', () => {
    const job = { requesterId: 'console:alice', command: 'migrate' };
    expect(mayCancel(policy, alice, job)).toEqual({ ok: true });
    expect(mayCancel(policy, bob, job)).toEqual({ ok: true });
    const refused = mayCancel(policy, carol, job);
    expect(refused.ok).toBe(false);
    expect(refused.ok === false && refused.reason).toContain('on-call may cancel');
  });
});

describe('a policy file without a * entry', () => {
  const policy = parsePolicy(
    'roles:\n  ops:\n    members: [console:alice]\ncommands:\n  migrate:\n    allow: [ops]\n',
    '/etc/pve-chatops/policy.yml',
  );

  it('runs the disruptive commands it names, and no other', () => {
    expect(mayRun(policy, alice, 'migrate', 'console:terminal')).toEqual({ ok: true });
    expect(mayRun(policy, alice, 'status', 'console:terminal')).toEqual({ ok: true });
    const stop = mayRun(policy, alice, 'stop', 'console:terminal');
    expect(stop).toEqual({
      ok: false,
      reason:
        "The policy names nobody who may run 'stop' (it has no 'stop' or '*' entry); the operator can add one, " +
        'e.g. `commands: { stop: { allow: [on-call], approval: { approvers: [on-call] } } }`. You are console:alice.',
    });
  });

  it('never names its path in a refusal', () => {
    const reasons = [
      mayRun(policy, bob, 'migrate', 'slack:C1'),
      mayRun(policy, bob, 'stop', 'slack:C1'),
      mayView(policy, bob, 'audit', 'slack:C1'),
      mayCancel(policy, bob, { requesterId: 'console:alice', command: 'migrate' }),
    ].map((decision) => (decision.ok ? '' : decision.reason));
    for (const reason of reasons) {
      expect(reason).not.toBe('');
      expect(reason).not.toContain('/etc/pve-chatops');
      expect(reason).not.toContain('policy.yml');
    }
  });
});

describe('the private views', () => {
  const policy = parsePolicy(
    `${TEAM}  audit:\n    allow: [on-call]\n  jobs:\n    allow: [ops]\n    channels: [console:terminal]\n`,
    'team.yml',
  );

  it('are granted by their own entry, with its channels', () => {
    expect(mayView(policy, bob, 'audit', 'slack:C0OPS')).toEqual({ ok: true });
    expect(mayView(policy, alice, 'audit', 'console:terminal')).toMatchObject({
      ok: false,
      reason: expect.stringContaining("'audit' needs the role on-call"),
    });
    expect(mayView(policy, alice, 'jobs', 'console:terminal')).toEqual({ ok: true });
    expect(mayView(policy, alice, 'jobs', 'slack:C0OPS').ok).toBe(false);
  });

  it("are never granted by '*', even to the roles '*' allows everything", () => {
    expect(mayRun(policy, alice, 'cluster', 'console:terminal')).toEqual({ ok: true });
    expect(mayView(policy, alice, 'cluster-join-info', 'console:terminal')).toMatchObject({
      ok: false,
      reason: expect.stringContaining(
        "The cluster's join information (node addresses and certificate fingerprints) is private",
      ),
    });
  });

  it('take no approval', () => {
    expect(problemsOf('commands:\n  audit:\n    allow: [everyone]\n    approval: none\n')).toEqual([
      expect.stringContaining("commands.audit.approval: 'audit' is answered at once and to the person alone"),
    ]);
  });
});
