// The questions the pipeline asks the policy: may this user run this command here, see a private
// view, does it need an approval, may this user approve or cancel it. Pure functions over a loaded
// Policy, no I/O. A refusal says what the policy says in words; it never names the policy file's
// path on the server (the core logs that).
import type { ChatUser } from '../chat-event.js';
import {
  ANY_COMMAND,
  ANYONE,
  type ApprovalRule,
  DEFAULT_APPROVAL_TTL_MS,
  EVERYONE_ROLE,
  type Policy,
  PRIVATE_VIEWS,
  type PrivateView,
  type ResolvedCommandRule,
  type Risk,
} from './policy-types.js';

export type PolicyDecision = { ok: true } | { ok: false; reason: string };

function matches(identities: readonly string[], user: ChatUser): boolean {
  return identities.some((id) => id === ANYONE || id === user.id || user.groups.includes(id));
}

function inAnyRole(policy: Policy, roles: readonly string[], user: ChatUser): boolean {
  return roles.some((role) => matches(policy.roles[role] ?? [], user));
}

function orList(items: readonly string[], word = 'or'): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${word} ${items.at(-1)}`;
}

/** The roles the user belongs to, in the order the policy defines them (`everyone` first). */
export function rolesOf(policy: Policy, user: ChatUser): string[] {
  return Object.entries(policy.roles)
    .filter(([, members]) => matches(members, user))
    .map(([role]) => role);
}

/**
 * The rule for one command. The command's own entry wins over `*` field by field: `allow`
 * replaces, `channels` and `approval` are inherited from `*` when the entry leaves them out. A
 * read command no entry names is open to everyone; a disruptive one (unknown and future names
 * included) is open to nobody until an entry names who may run it. A disruptive command needs an
 * approval unless an entry says `approval: none`; without one named, it is one approval by another
 * person allowed to run it, within 30 minutes. A read command needs an approval only if its own
 * entry asks for one.
 */
export function resolveCommandRule(policy: Policy, command: string, risk: Risk): ResolvedCommandRule {
  const own = policy.commands[command];
  const any = command === ANY_COMMAND ? undefined : policy.commands[ANY_COMMAND];
  const allow = own?.allow ?? any?.allow ?? (risk === 'disruptive' ? [] : [EVERYONE_ROLE]);
  const channels = own?.channels ?? any?.channels;
  const named = own?.approval ?? (risk === 'disruptive' ? any?.approval : undefined);
  let approval: ApprovalRule | undefined;
  if (named !== undefined && named !== 'none') approval = named;
  else if (named === undefined && risk === 'disruptive')
    approval = { approvers: allow, count: 1, ttlMs: DEFAULT_APPROVAL_TTL_MS, allowSelf: false };
  return {
    allow,
    ...(channels ? { channels } : {}),
    ...(approval ? { approval } : {}),
    from: own ? 'command' : any ? 'any-command' : 'default',
  };
}

/** A group of the person's platform, for examples in refusals (the form an operator would write). */
function exampleGroup(user: ChatUser): string {
  const platform = user.id.slice(0, user.id.indexOf(':'));
  if (platform === 'slack') return 'slack-group:S0ONCALL';
  if (platform === 'discord') return 'discord-role:123456789012345678';
  return 'console:dave';
}

/**
 * Why nobody may run a disruptive `command` yet, and what the operator writes to change that. In
 * words and policy syntax only: where the policy file lives on the server is for the logs.
 */
function nobodyMayRun(policy: Policy, user: ChatUser, command: string): string {
  const roles = `roles: { on-call: { members: [${exampleGroup(user)}, ${user.id}] } }`;
  const commands = `commands: { ${command}: { allow: [on-call], approval: { approvers: [on-call] } } }`;
  if (policy.builtIn) {
    return (
      `pve-chatops runs without a policy file, so it runs read commands only. To let people run '${command}', ` +
      'the operator writes a policy file that names who may run it and who approves it, and sets ' +
      'POLICY_FILE to it (policy.example.yml explains each line), e.g.\n' +
      `\`${roles}\`\n\`${commands}\`\nYou are ${user.id}.`
    );
  }
  return (
    `The policy names nobody who may run '${command}' (it has no '${command}' or '*' entry); ` +
    `the operator can add one, e.g. \`${commands}\`. You are ${user.id}.`
  );
}

/** May `user` run `command` in `channel`? The reason names the role or channel that would be needed. */
export function mayRun(
  policy: Policy,
  user: ChatUser,
  command: string,
  channel: string,
  risk: Risk,
): PolicyDecision {
  const rule = resolveCommandRule(policy, command, risk);
  if (rule.allow.length === 0) return { ok: false, reason: nobodyMayRun(policy, user, command) };
  if (!inAnyRole(policy, rule.allow, user)) {
    const has = rolesOf(policy, user);
    return {
      ok: false,
      reason:
        `'${command}' needs the role ${orList(rule.allow)}; ${user.name} (${user.id}) has ` +
        `${has.length > 0 ? orList(has, 'and') : 'no role'}`,
    };
  }
  if (rule.channels && !rule.channels.includes(channel)) {
    return {
      ok: false,
      reason: `'${command}' may only be run in ${orList(rule.channels)}, not in ${channel}`,
    };
  }
  return { ok: true };
}

/**
 * May `user` see a private view (the audit log, everyone's jobs, the cluster's join information)
 * in `channel`? Only the view's own entry grants it, never `*` or a default.
 */
export function mayView(policy: Policy, user: ChatUser, view: PrivateView, channel: string): PolicyDecision {
  if (policy.commands[view]) return mayRun(policy, user, view, channel, 'read');
  const what = PRIVATE_VIEWS[view];
  const commands = `commands: { ${view}: { allow: [auditors] } }`;
  const how = policy.builtIn
    ? 'pve-chatops runs without a policy file; the operator can grant it in one (POLICY_FILE; ' +
      `policy.example.yml explains each line), e.g. \`roles: { auditors: { members: [${user.id}] } }\` ` +
      `and \`${commands}\`.`
    : `The policy has no '${view}' entry; the operator can add one, e.g. \`${commands}\`.`;
  return {
    ok: false,
    reason: `${what[0]!.toUpperCase()}${what.slice(1)} is private: only the roles named by the policy's '${view}' entry see it. ${how} You are ${user.id}.`,
  };
}

/** The approval `command` needs, or undefined when it runs at once. */
export function approvalRuleFor(policy: Policy, command: string, risk: Risk): ApprovalRule | undefined {
  return resolveCommandRule(policy, command, risk).approval;
}

/** Is `user` in one of the rule's approver roles? Self-approval is the approval store's check. */
export function mayApprove(policy: Policy, rule: ApprovalRule, user: ChatUser): boolean {
  return inAnyRole(policy, rule.approvers, user);
}

/**
 * May `user` cancel a job? Its requester may, and so may anyone allowed to approve the job's
 * command; for a command that needs no approval, anyone allowed to run it.
 */
export function mayCancel(
  policy: Policy,
  user: ChatUser,
  job: { requesterId: string; command: string; risk: Risk },
): PolicyDecision {
  if (user.id === job.requesterId) return { ok: true };
  const rule = resolveCommandRule(policy, job.command, job.risk);
  const roles = rule.approval ? rule.approval.approvers : rule.allow;
  if (inAnyRole(policy, roles, user)) return { ok: true };
  const others = roles.length > 0 ? ` or the role ${orList(roles)}` : '';
  return {
    ok: false,
    reason: `only the requester (${job.requesterId})${others} may cancel this '${job.command}' job`,
  };
}

/** For the approval card: "1 approval from on-call (slack-group:S0ONCALL, console:dave)". */
export function describeApprovers(policy: Policy, rule: ApprovalRule): string {
  const who = rule.approvers.map((role) => {
    const members = (policy.roles[role] ?? []).map((id) =>
      id === ANYONE ? (rule.allowSelf ? 'anyone' : 'anyone but the requester') : id,
    );
    return `${role} (${members.join(', ')})`;
  });
  return `${rule.count} approval${rule.count === 1 ? '' : 's'} from ${orList(who)}`;
}
