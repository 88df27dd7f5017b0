// `replication [run <id>]`: the replication jobs, or one run now (it only brings its next
// scheduled run forward, so it counts as a read).
import { z } from 'zod';
import { defineCommand } from '../grammar/define-command.js';
import { quoteInput } from '../grammar/quote-input.js';
import { choice } from '../grammar/value-schemas.js';
import { defineChatCommand } from './define-chat-command.js';

/**
 * PVE's replication job id: `<vmid>-<job number>` (pve-guest-common src/PVE/ReplicationConfig.pm
 * parse_replication_job_id).
 */
const REPLICATION_ID = /^[1-9][0-9]{2,8}-\d{1,9}$/;

const replicationId = () =>
  z.string().check((ctx) => {
    if (REPLICATION_ID.test(ctx.value)) return;
    ctx.issues.push({
      code: 'custom',
      message: `${quoteInput(ctx.value)} is not a replication job id (<vmid>-<number>, e.g. 100-0)`,
      input: ctx.value,
    });
  });

const definition = defineCommand({
  name: 'replication',
  summary: 'Show the storage replication jobs, or run one now',
  description:
    'Without a word: every replication job with its guest, target, schedule, last sync, duration, fail count and PVE’s error. `run <id>` starts the job now (on the node where its guest lives) and reports when the run finished. `replicate <vm> <node>` creates a job.',
  positionals: [
    {
      name: 'action',
      schema: choice(['list', 'run'], 'a replication action').default('list'),
      description: 'list (default) or run',
      optional: true,
    },
    { name: 'id', schema: replicationId(), description: 'the job id (<vmid>-<number>)', optional: true },
  ],
  validate(args) {
    if (args.action === 'run' && args.id === undefined)
      return 'replication run needs a job id (<vmid>-<number>; `replication` lists them)';
    if (args.action === 'list' && args.id !== undefined) return 'replication list takes no job id';
    return undefined;
  },
  discord: [
    { group: 'replication', name: 'list', summary: 'Show the storage replication jobs', positionals: [] },
    {
      group: 'replication',
      name: 'run',
      summary: 'Run a storage replication job now',
      words: ['run'],
      positionals: [{ name: 'id', required: true }],
    },
  ],
  risk: 'read',
  examples: ['replication', 'replication run 100-0'],
});

export const replicationCommand = defineChatCommand({
  definition,
  handle: (ctx, args) =>
    ctx.read({
      kind: 'replication',
      payload: { action: args.action, ...(args.id === undefined ? {} : { id: args.id }) },
    }),
});
