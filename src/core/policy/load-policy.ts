// POLICY_FILE → Policy. Every problem is reported at once, each with the file, line, the path in
// the document, what is wrong and what would be right, so an operator fixes the file in one pass.
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { yamlOffsetOf } from '../../config/yaml-offset.js';
import { closestNames } from '../closest-names.js';
import { PolicyError } from './policy-error.js';
import { describeIssues, type PolicyFile, type PolicyProblem, policyFileSchema } from './policy-schema.js';
import {
  ANYONE,
  type ApprovalRule,
  type CommandRule,
  EVERYONE_ROLE,
  type Policy,
  PRIVATE_VIEWS,
} from './policy-types.js';

/** Problems no schema sees: roles used but not defined, the reserved names, impossible counts. */
function crossReferenceProblems(file: PolicyFile): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const defined = [EVERYONE_ROLE, ...Object.keys(file.roles)];
  const everyone = file.roles[EVERYONE_ROLE]?.members;
  if (everyone && !(everyone.length === 1 && everyone[0] === ANYONE)) {
    problems.push({
      path: ['roles', EVERYONE_ROLE, 'members'],
      message: `'${EVERYONE_ROLE}' is built in with members: ['*'] and cannot name anyone else; choose another role name`,
    });
  }
  const checkRoles = (roles: string[], path: (string | number)[]) => {
    roles.forEach((role, index) => {
      if (defined.includes(role)) return;
      const close = closestNames(role, defined, 3);
      problems.push({
        path: [...path, index],
        message:
          `role '${role}' is not defined under roles:` +
          (close.length > 0 ? ` (did you mean ${close.map((n) => `'${n}'`).join(' or ')}?)` : '') +
          `; define it, or use one of: ${defined.join(', ')}`,
      });
    });
  };
  for (const [command, rule] of Object.entries(file.commands)) {
    if (command === 'cancel') {
      problems.push({
        path: ['commands', command],
        message:
          "'cancel' follows the job it cancels (its requester and whoever may approve its command); remove this entry",
      });
    }
    if (command in PRIVATE_VIEWS && rule.approval !== undefined) {
      problems.push({
        path: ['commands', command, 'approval'],
        message: `'${command}' is answered at once and to the person alone; an approval does not apply to it: remove approval:`,
      });
    }
    checkRoles(rule.allow, ['commands', command, 'allow']);
    if (rule.approval === undefined || rule.approval === 'none') continue;
    checkRoles(rule.approval.approvers, ['commands', command, 'approval', 'approvers']);
    // With only named people (no group, no '*'), a count above their number can never be met.
    const members = rule.approval.approvers.flatMap((role) =>
      role === EVERYONE_ROLE ? [ANYONE] : (file.roles[role]?.members ?? [ANYONE]),
    );
    const people = new Set(members);
    const onlyPeople = members.every((id) => /^(console|slack|discord):/.test(id));
    if (onlyPeople && rule.approval.count > people.size) {
      problems.push({
        path: ['commands', command, 'approval', 'count'],
        message: `${rule.approval.count} distinct approvers are needed but the approver roles name only ${people.size} (${[...people].join(', ')}); lower count or add approvers`,
      });
    }
  }
  return problems;
}

function toPolicy(source: string, file: PolicyFile): Policy {
  const roles: Record<string, string[]> = { [EVERYONE_ROLE]: [ANYONE] };
  for (const [name, role] of Object.entries(file.roles)) roles[name] = role.members;
  const commands: Record<string, CommandRule> = {};
  for (const [name, rule] of Object.entries(file.commands)) {
    let approval: ApprovalRule | 'none' | undefined;
    if (rule.approval === 'none') approval = 'none';
    else if (rule.approval) {
      const { approvers, count, ttl, allowSelf } = rule.approval;
      approval = { approvers, count, ttlMs: ttl, allowSelf };
    }
    commands[name] = {
      allow: rule.allow,
      ...(rule.channels ? { channels: rule.channels } : {}),
      ...(approval ? { approval } : {}),
    };
  }
  const snapshots = file.snapshots && {
    ...(file.snapshots.keep === undefined ? {} : { keep: file.snapshots.keep }),
    ...(file.snapshots.before === undefined ? {} : { before: file.snapshots.before }),
  };
  const identities = file.identities && {
    mode: file.identities.mode,
    users: file.identities.users,
    groups: file.identities.groups,
    checkApprovers: file.identities.checkApprovers,
    cacheMs: file.identities.cacheSeconds * 1_000,
  };
  const schedule = file.schedule && {
    ...(file.schedule.timeZone === undefined ? {} : { timeZone: file.schedule.timeZone }),
    remindMs: file.schedule.remind,
    graceMs: file.schedule.grace,
    windows: file.schedule.windows,
  };
  return {
    source,
    roles,
    commands,
    ...(schedule ? { schedule } : {}),
    ...(file.channelClusters ? { channelClusters: file.channelClusters } : {}),
    ...(snapshots ? { snapshots } : {}),
    ...(identities ? { identities } : {}),
  };
}

/** Parses policy YAML; `fileName` names it in messages. Throws PolicyError listing every problem. */
export function parsePolicy(text: string, fileName: string): Policy {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const at = (offset: number | undefined) => {
    if (offset === undefined) return fileName;
    const { line, col } = lineCounter.linePos(offset);
    return `${fileName}:${line}:${col}`;
  };
  if (document.errors.length > 0) {
    throw new PolicyError(
      fileName,
      document.errors.map((error) => {
        const hint = /alias/i.test(error.message)
          ? " (a bare * starts a YAML alias: write '*' in quotes)"
          : '';
        return `${at(error.pos[0])}: not valid YAML: ${error.message.split('\n')[0]}${hint}`;
      }),
    );
  }
  const data: unknown = document.toJS();
  if (data === null || data === undefined) {
    throw new PolicyError(fileName, [
      `${fileName}: the file is empty; write roles: and commands: (see policy.example.yml)`,
    ]);
  }
  const where = (problem: PolicyProblem) => {
    const place = problem.path.length > 0 ? problem.path.join('.') : '(top level)';
    return `${at(yamlOffsetOf(document.contents, problem.path))}: ${place}: ${problem.message}`;
  };
  const parsed = policyFileSchema.safeParse(data);
  if (!parsed.success) {
    throw new PolicyError(fileName, describeIssues(parsed.error.issues, data).map(where));
  }
  const problems = crossReferenceProblems(parsed.data);
  if (problems.length > 0) throw new PolicyError(fileName, problems.map(where));
  return toPolicy(fileName, parsed.data);
}

/** Reads and validates POLICY_FILE. Throws PolicyError when it is missing or wrong. */
export function loadPolicy(file: string): Policy {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
    throw new PolicyError(file, [
      `${file}: the file ${reason} (${(error as Error).message}); point POLICY_FILE at your policy YAML, or unset it for the built-in defaults`,
    ]);
  }
  return parsePolicy(text, file);
}
