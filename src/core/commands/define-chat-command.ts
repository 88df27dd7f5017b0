// A `/pve` command is one module: its grammar definition (what it takes, its risk), how the policy
// judges it, and its handler, typed from the definition. `defineChatCommand` ties them so that the
// handler's `args` is exactly what the parser produces for that definition, and the registry
// (commands/index.ts) cannot hold a command without a handler.
import type { CommandOutcome } from '../../metrics.js';
import type { CommandDefinition, CommandRisk, ParsedCommandOf } from '../grammar/define-command.js';
import type { CommandContext } from './command-context.js';

/** The parsed arguments of one definition: `{ vm: string; node: string; online: boolean; … }`. */
export type ArgsOf<D> = ParsedCommandOf<D> extends { args: infer A } ? A : never;

export interface ChatCommand<D extends CommandDefinition = CommandDefinition> {
  readonly definition: D;
  /**
   * How disruptive these arguments make it, when that depends on them (`ha` only looks unless it
   * adds or removes). By default the definition's risk.
   */
  riskOf?(args: ArgsOf<D>): CommandRisk;
  /**
   * The policy entry these arguments are judged under, when it is not the command's name
   * (`node --force` is `node-force`): who may run it, who approves it, who may cancel its job.
   */
  policyEntry?(args: ArgsOf<D>): string;
  /**
   * `own-entry`: the command answers with a private view whose own policy entry decides
   * (`jobs`, `cluster join-info`), so the general run check is skipped and the handler asks
   * `ctx.mayView`. By default `policy`: nobody gets to the handler without `mayRun`.
   */
  gate?(args: ArgsOf<D>): 'policy' | 'own-entry';
  handle(ctx: CommandContext, args: ArgsOf<D>): Promise<CommandOutcome>;
}

export function defineChatCommand<const D extends CommandDefinition>(
  command: ChatCommand<D>,
): ChatCommand<D> {
  return command;
}
