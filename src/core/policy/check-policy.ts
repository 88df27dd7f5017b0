// The questions the pipeline asks the policy: may this user run this command here, does it need an
// approval, may this user approve or cancel it. Pure functions over a loaded Policy, no I/O.
import type { ChatUser } from '../chat-event.js';
import {
  ANY_COMMAND,
  ANYONE,
  type ApprovalRule,
  commandRisk,
  DEFAULT_APPROVAL_TTL_MS,
  EVERYONE_ROLE,
  type Policy,
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
 * disruptive command needs an approval unless an entry says `approval: none`; without any entry
 * that names one, it is one approval by another person allowed to run it, within 30 minutes. A
 * read command needs an approval only if its own entry asks for one.
 */
export function resolveCommandRule(
  policy: Policy,
  command: string,
  risk: Risk = commandRisk(command),
): ResolvedCommandRule {
  const own = policy.commands[command];
  const any = command === ANY_COMMAND ? undefined : policy.commands[ANY_COMMAND];
  const allow = own?.allow ?? any?.allow ?? [EVERYONE_ROLE];
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

/** May `user` run `command` in `channel`? The reason names the role or channel that would be needed. */
export function mayRun(
  policy: Policy,
  user: ChatUser,
  command: string,
  channel: string,
  risk: Risk = commandRisk(command),
): PolicyDecision {
  const rule = resolveCommandRule(policy, command, risk);
  if (!inAnyRole(policy, rule.allow, user)) {
    const has = rolesOf(policy, user);
    return {
      ok: false,
      reason:
        `'${command}' needs the role ${orList(rule.allow)}; ${user.name} (${user.id}) has ` +
        `${has.length > 0 ? orList(has, 'and') : 'no role'} (policy: ${policy.source})`,
    };
  }
  if (rule.channels && !rule.channels.includes(channel)) {
    return {
      ok: false,
      reason: `'${command}' may only be run in ${orList(rule.channels)}, not in ${channel} (policy: ${policy.source})`,
    };
  }
  return { ok: true };
}

/** The approval `command` needs, or undefined when it runs at once. */
export function approvalRuleFor(
  policy: Policy,
  command: string,
  risk: Risk = commandRisk(command),
): ApprovalRule | undefined {
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
  job: { requesterId: string; command: string; risk?: Risk },
): PolicyDecision {
  if (user.id === job.requesterId) return { ok: true };
  const rule = resolveCommandRule(policy, job.command, job.risk ?? commandRisk(job.command));
  const roles = rule.approval ? rule.approval.approvers : rule.allow;
  if (inAnyRole(policy, roles, user)) return { ok: true };
  return {
    ok: false,
    reason:
      `only the requester (${job.requesterId}) or the role ${orList(roles)} may cancel ` +
      `this '${job.command}' job (policy: ${policy.source})`,
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
