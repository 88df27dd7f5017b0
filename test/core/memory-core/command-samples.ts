// Every example of every command in the registry, parsed, with the risk and the policy entry its
// arguments are judged under (as the pipeline computes them). A new command, or a new example, is
// covered by the memory-core tests without naming it; only the tables below say what each one is
// expected to become, so a command missing from them fails loudly instead of passing unchecked.
import { type AnyChatCommand, chatCommandNamed, chatCommands } from '../../../src/core/commands/index.js';
import { type CommandRisk, parseCommand } from '../../../src/core/grammar/index.js';

export interface CommandSample {
  /** As typed after /pve. */
  text: string;
  /** The command's name. */
  name: string;
  /** The command's action word, where it has one (`ha add`, `node reboot`). */
  action: string | undefined;
  risk: CommandRisk;
  /** The policy entry it is judged under (`node-force` for `node reboot node01 --force`). */
  entry: string;
}

export function sampleOf(text: string): CommandSample {
  const parsed = parseCommand(text);
  if (!parsed.ok) throw new Error(`the example '${text}' does not parse: ${parsed.error}`);
  const command: AnyChatCommand | undefined = chatCommandNamed(parsed.command.name);
  if (!command) throw new Error(`no module for '${parsed.command.name}'`);
  const args = parsed.command.args as Record<string, unknown>;
  return {
    text,
    name: parsed.command.name,
    action: typeof args.action === 'string' ? args.action : undefined,
    risk: command.riskOf?.(args) ?? command.definition.risk,
    entry: command.policyEntry?.(args) ?? parsed.command.name,
  };
}

/** Every example of every command, in the registry's order. */
export const SAMPLES: readonly CommandSample[] = (chatCommands as readonly AnyChatCommand[]).flatMap(
  (command) => command.definition.examples.map(sampleOf),
);

export const READ_SAMPLES = SAMPLES.filter((s) => s.risk === 'read');
export const DISRUPTIVE_SAMPLES = SAMPLES.filter((s) => s.risk === 'disruptive');

/** The job a read command queues, by command name; the others answer without a job. */
export const READ_JOB_KINDS: Record<string, string> = {
  status: 'status',
  cluster: 'cluster',
  digest: 'digest',
  replication: 'replication',
  updates: 'updates',
  ha: 'ha',
  tasks: 'tasks',
  snapshots: 'snapshots',
  backups: 'backups',
};

/**
 * The job a disruptive command's approval starts, by `<name> <action>` or name. The planning
 * commands (approvalAfterJob) are in PLANNING_KINDS instead.
 */
export const APPROVED_JOB_KINDS: Record<string, string> = {
  start: 'start',
  stop: 'stop',
  shutdown: 'shutdown',
  reboot: 'reboot',
  migrate: 'migrate',
  clone: 'clone',
  create: 'create',
  replicate: 'replication-create',
  node: 'node-power',
  'ha add': 'ha-add',
  'ha remove': 'ha-remove',
  snapshot: 'snapshot',
  'snapshot-delete': 'snapshot-delete',
  rollback: 'rollback',
  backup: 'backup',
  'backup-stop': 'backup',
};

/** Commands whose plan needs the worker: a planning job at once, the approval on its proposal. */
export const PLANNING_KINDS: Record<string, string> = {
  upgrade: 'upgrade-plan',
  balance: 'balance-plan',
};

/**
 * Examples that the fixed cluster (MEMORY_SNAPSHOT) makes impossible, and what the plan says: they
 * are refused privately before anyone is asked to approve.
 */
export const REFUSED_BY_PLAN: Record<string, RegExp> = {
  // TestVM runs: an offline migration needs it stopped.
  'migrate TestVM node03 --offline --with-local-disks': /TestVM \(qemu\/100\) is running/,
  // TestVM is not HA-managed (ha-web is).
  'ha remove TestVM': /TestVM \(qemu\/100\) is not HA-managed/,
};

export function approvedKindOf(sample: CommandSample): string | undefined {
  return (
    (sample.action === undefined ? undefined : APPROVED_JOB_KINDS[`${sample.name} ${sample.action}`]) ??
    // A variant judged under its own entry (`snapshot delete` under `snapshot-delete`).
    (sample.entry === sample.name ? undefined : APPROVED_JOB_KINDS[sample.entry]) ??
    APPROVED_JOB_KINDS[sample.name]
  );
}

/** A policy in which `ops` runs every disruptive entry the samples name, with `approval` (YAML). */
export function everyDisruptiveEntry(approval: string): string {
  const entries = new Set(DISRUPTIVE_SAMPLES.flatMap((s) => [s.name, s.entry]));
  return [...entries].map((entry) => `  ${entry}:\n    allow: [ops]\n    approval: ${approval}\n`).join('');
}
