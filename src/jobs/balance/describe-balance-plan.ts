// A balance plan in words, as the approval card and the thread show it.
import { guestLabel } from '../kinds/guest-target.js';
import type { BalanceMove, BalancePlan } from './balance-plan.js';

const GiB = 1024 ** 3;
/** Lines of "left alone" guests per reason, so a 5,000-guest cluster still fits a chat message. */
const MAX_NAMES = 6;

function weightText(plan: BalancePlan, move: BalanceMove): string {
  return plan.settings.method === 'memory'
    ? `${(move.weight / GiB).toFixed(1)} GiB`
    : `${move.weight.toFixed(1)} busy cores`;
}

/** One line: what the planner concluded. */
export function balanceHeadline(plan: BalancePlan): string {
  const { settings } = plan;
  if (plan.outcome === 'balanced')
    return `No beneficial move: the ${settings.method} spread is ${plan.spreadBefore} points, within the threshold of ${settings.thresholdPoints}; the cluster is balanced`;
  if (plan.outcome === 'no-benefit')
    return plan.moves.length === 0 && plan.spreadBefore > settings.thresholdPoints
      ? `No beneficial move: the ${settings.method} spread is ${plan.spreadBefore} points, but no allowed move would narrow it by ${settings.minGainPoints} points or more`
      : `No beneficial move`;
  return `${plan.moves.length} migration${plan.moves.length === 1 ? '' : 's'}: ${settings.method} spread ${plan.spreadBefore} → ${plan.spreadAfter} points (plan ${plan.hash})`;
}

export function describeBalancePlan(plan: BalancePlan): string {
  const { settings } = plan;
  const lines: string[] = [];
  lines.push(
    `${plan.outcome === 'moves' ? `Plan ${plan.hash}, by` : 'By'} ${settings.method}: balancing starts above a spread of ${settings.thresholdPoints} points and aims at ${settings.thresholdPoints / 2}; every target keeps ${settings.headroomPercent} % of its memory${settings.method === 'cpu' ? ' and CPU' : ''} free with incoming guests at their full assigned memory.`,
  );
  plan.moves.forEach((move, i) => {
    lines.push(
      `${i + 1}. ${guestLabel(move)} ${move.from} → ${move.to}, ${move.mode === 'restart' ? 'restart mode' : move.mode}, ${weightText(plan, move)}: ${move.why}`,
    );
  });
  lines.push(
    `Nodes (${settings.method} %, now → after): ${plan.nodes
      .map(
        (n) =>
          `${n.node} ${n.before} → ${n.after}${settings.method === 'cpu' ? ` (memory ${n.memoryAfter} %)` : ''}`,
      )
      .join(', ')}`,
  );
  for (const { reason, guests } of plan.skipped) {
    const names = guests.slice(0, MAX_NAMES).join(', ');
    const more = guests.length > MAX_NAMES ? ` and ${guests.length - MAX_NAMES} more` : '';
    lines.push(`Left alone, ${reason}: ${names}${more}`);
  }
  for (const { node, reason } of plan.excludedNodes) lines.push(`Not taking part: ${node} (${reason})`);
  return lines.join('\n');
}
