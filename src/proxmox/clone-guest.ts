import { getNextId } from './cluster-api.js';
import { type GuestRef, guestPath } from './guest-ref.js';
import { isPveError, PveError, PveErrorCode } from './pve-error.js';
import type { PveTransport } from './pve-transport.js';
import { upidSchema } from './schemas/guest-schemas.js';

export interface CloneOptions {
  /** The new guest's name: sent as `name` for QEMU and `hostname` for LXC. */
  name?: string;
  /** A fixed new vmid; without it `/cluster/nextid` picks one (and retries on a race). */
  newid?: number;
  full?: boolean;
  /** Target node; PVE allows it only when the source is on shared storage. */
  target?: string;
  pool?: string;
  storage?: string;
  description?: string;
  /** How many fresh ids to try when another caller took ours. Default 3. */
  attempts?: number;
  signal?: AbortSignal;
}

export interface CloneStarted {
  upid: string;
  newid: number;
}

/**
 * Starts a clone. `/cluster/nextid` is only a hint: another clone can take the id between the
 * read and the POST, answered with `VM <id> already exists` (PVE_VMID_EXISTS), so a fresh id is
 * fetched and the clone retried a few times. A caller-chosen id is never replaced.
 */
export async function cloneGuest(
  transport: PveTransport,
  source: GuestRef,
  options: CloneOptions = {},
): Promise<CloneStarted> {
  const attempts = options.newid === undefined ? (options.attempts ?? 3) : 1;
  const tried = new Set<number>();
  for (let attempt = 1; ; attempt++) {
    let newid = options.newid ?? (await getNextId(transport, undefined, options.signal));
    // nextid may repeat an id whose owner is not registered yet; step past the ones that failed.
    while (options.newid === undefined && tried.has(newid)) newid++;
    tried.add(newid);
    try {
      const upid = await transport.request('POST', `${guestPath(source)}/clone`, {
        params: {
          newid,
          [source.type === 'qemu' ? 'name' : 'hostname']: options.name,
          full: options.full,
          target: options.target,
          pool: options.pool,
          storage: options.storage,
          description: options.description,
        },
        schema: upidSchema,
        signal: options.signal,
      });
      return { upid, newid };
    } catch (error) {
      if (attempt >= attempts || !isPveError(error, PveErrorCode.VmidExists)) throw error;
    }
  }
}

// QEMU clone checks only its own node's config path before the task; a vmid whose config lives on
// another node is refused inside the task, when pmxcfs will not create a second config for it
// (pve-common File.pm file_set_contents: "close (rename) atomic file
// '/etc/pve/nodes/node01/qemu-server/101.conf' failed: File exists"). Nothing is copied by then.
const NEWID_TAKEN_IN_TASK = /atomic file '[^']*\/(\d+)\.conf' failed: File exists/;

/**
 * A clone task that failed because its new vmid already exists on another node, as the
 * PVE_VMID_EXISTS error the pre-fork check would have given; otherwise the error unchanged.
 */
export function newidTakenError(error: unknown): unknown {
  if (!isPveError(error, PveErrorCode.TaskFailed)) return error;
  const taken = NEWID_TAKEN_IN_TASK.exec(error.exitstatus ?? '');
  if (!taken) return error;
  return new PveError({
    code: PveErrorCode.VmidExists,
    message: `VM ${taken[1]} already exists on another node: PVE refused to create its configuration; nothing was copied`,
    vmid: Number(taken[1]),
    ...(error.upid === undefined ? {} : { upid: error.upid }),
    ...(error.exitstatus === undefined ? {} : { exitstatus: error.exitstatus }),
  });
}
