// Where the cluster stands, node by node, from what the upgrade job recorded: the thread's answer
// to "what now?" when an upgrade stops (a failure, an abort).
import type { JobContext } from '../job-context.js';
import { type MovedGuest, upgradeMemo } from './upgrade-memo.js';
import type { UpgradePlan } from './upgrade-plan.js';

function guestText(g: MovedGuest): string {
  return g.name ? `${g.name} (${g.type}/${g.vmid})` : `${g.type}/${g.vmid}`;
}

export function upgradeReport(ctx: JobContext<unknown>, plan: UpgradePlan): string {
  return plan.steps
    .map((step) => {
      const memo = upgradeMemo(step.node);
      const done = ctx.recall<{ rebooted: boolean }>(memo.done);
      if (done) return `${step.node}: upgraded${done.rebooted ? ' and rebooted' : ''}, guests back`;
      const state: string[] = [];
      const upgraded = ctx.recall<{ exitCode: number }>(memo.distUpgrade);
      if (upgraded?.exitCode === 0) state.push('upgraded');
      else if (upgraded) state.push(`dist-upgrade failed (exit ${upgraded.exitCode})`);
      if (ctx.recall(memo.rebootSent) && !ctx.recall(memo.rebooted)) state.push('reboot requested');
      if (ctx.recall(memo.rebooted)) state.push('rebooted');
      if (upgraded?.exitCode === 0 && ctx.recall(memo.rebootDecision) === true && !ctx.recall(memo.rebooted))
        state.push('still needs its reboot');
      if (ctx.recall(memo.maintenanceOn) && !ctx.recall(memo.maintenanceOff))
        state.push('in HA maintenance mode');
      const moves = ctx.recall<MovedGuest[]>(memo.moves) ?? [];
      const away = moves.filter(
        (m) => ctx.recall(memo.movedOut(m.vmid)) && !ctx.recall(memo.movedBack(m.vmid)),
      );
      if (away.length > 0)
        state.push(`moved away: ${away.map((m) => `${guestText(m)} on ${m.to}`).join(', ')}`);
      return `${step.node}: ${state.length > 0 ? state.join('; ') : 'untouched'}`;
    })
    .join('\n');
}
