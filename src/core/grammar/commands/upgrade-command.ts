import { z } from 'zod';
import { defineCommand } from '../define-command.js';
import { choice, nodeNames } from '../value-schemas.js';

export const REBOOT_MODES = ['auto', 'always', 'never'] as const;

export const upgradeCommand = defineCommand({
  name: 'upgrade',
  summary: 'Upgrade nodes one at a time: drain, dist-upgrade, reboot, bring the guests back',
  description:
    'First a plan (order, lightest node first; the guests that move and where; expected reboots) for on-call to approve. Then one node at a time: pre-flight, HA maintenance and migrations, `apt-get dist-upgrade` over SSH, a reboot when needed, and the guests back. Pause, Resume and Abort work between steps; the first failure stops it.',
  positionals: [
    { name: 'nodes', schema: nodeNames(), description: 'the nodes to upgrade', optional: true, rest: true },
  ],
  flags: {
    all: { schema: z.boolean(), description: 'every node of the cluster' },
    reboot: {
      schema: choice(REBOOT_MODES, 'a reboot mode').default('auto'),
      description: 'auto: when a new kernel or /var/run/reboot-required asks; always; never',
      value: 'mode',
    },
    'dry-run': { schema: z.boolean(), description: 'show the plan only; nothing runs' },
  },
  risk: 'disruptive',
  examples: ['upgrade --all', 'upgrade node02 node03 --reboot never', 'upgrade --all --dry-run'],
  validate: ({ nodes, all }) => {
    if (all && nodes && nodes.length > 0) return 'name nodes or give --all, not both: upgrade --all';
    if (!all && (!nodes || nodes.length === 0))
      return 'upgrade needs the nodes to upgrade, or --all: upgrade node02 node03, upgrade --all';
    return undefined;
  },
});
