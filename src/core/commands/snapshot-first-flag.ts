// `--snapshot` on the commands whose jobs put guests at risk (migrate, stop, shutdown, reboot,
// rollback, upgrade): the safety net for one request, as the policy's `snapshots.before` gives it
// to every request of a command. The job snapshots each guest at risk first (named
// chatops-<date>-<time>-<command>, under the policy's retention) and its result offers Roll back.
import { z } from 'zod';

export const snapshotFirstFlag = {
  snapshot: {
    schema: z.boolean(),
    description: 'snapshot each guest at risk first (the safety net); the result offers Roll back',
  },
} as const;
