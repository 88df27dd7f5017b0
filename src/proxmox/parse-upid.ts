import { PveError, PveErrorCode } from './pve-error.js';

export interface Upid {
  upid: string;
  /** The node the task runs on: its status and log are only served there. */
  node: string;
  pid: number;
  /** Process start in clock ticks since boot; 9 hex digits after ~497 days of uptime. */
  pstart: number;
  /** Unix epoch seconds. */
  starttime: number;
  type: string;
  /** Usually the vmid; empty for e.g. `aptupdate`. */
  id: string;
  /** `user@realm`, without the token part (as the task APIs report it). */
  user: string;
  /** The token name when a token started the task (`bot@pve!ops` → `ops`). */
  tokenid?: string;
}

// pve-common `PVE/UPID.pm` decode, verbatim apart from a non-capturing group for the node.
const UPID_RE =
  /^UPID:([a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):([^:\s/]+):([^:\s/]*):([^:\s/]+):$/;

export function parseUpid(upid: string): Upid {
  const match = UPID_RE.exec(upid);
  if (!match)
    throw new PveError({ code: PveErrorCode.Config, message: `not a valid UPID: ${JSON.stringify(upid)}` });
  const [, node, pid, pstart, starttime, type, id, fullUser] = match as unknown as [string, ...string[]];
  const bang = fullUser!.indexOf('!');
  const result: Upid = {
    upid,
    node: node!,
    pid: Number.parseInt(pid!, 16),
    pstart: Number.parseInt(pstart!, 16),
    starttime: Number.parseInt(starttime!, 16),
    type: type!,
    id: id!,
    user: bang === -1 ? fullUser! : fullUser!.slice(0, bang),
  };
  if (bang !== -1) result.tokenid = fullUser!.slice(bang + 1);
  return result;
}
