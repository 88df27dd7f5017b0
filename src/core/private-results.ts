// Jobs whose results only the person who asked may see: `cluster join-info` lists every node's
// address and certificate fingerprint, which a channel's every member need not know. Such a job
// shows no progress message; its result is rendered for its requester alone.
import { clusterPayloadSchema } from '../jobs/kinds/cluster-kind.js';

/** The kinds that may have private results; only theirs need the job's payload looked up. */
export const KINDS_WITH_PRIVATE_RESULTS: ReadonlySet<string> = new Set(['cluster']);

/** Whether a job of `kind` with `payload` answers its requester alone (unreadable: yes, to be safe). */
export function isPrivateJob(kind: string, payload: unknown): boolean {
  if (!KINDS_WITH_PRIVATE_RESULTS.has(kind)) return false;
  const cluster = clusterPayloadSchema.safeParse(payload);
  return !cluster.success || cluster.data.view === 'join-info';
}
