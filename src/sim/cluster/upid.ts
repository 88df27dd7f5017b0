// UPIDs exactly as pve-common PVE/UPID.pm encodes them:
// sprintf("UPID:%s:%08X:%08X:%08X:%s:%s:%s:", node, pid, pstart, starttime, type, id, user)

export interface UpidFields {
  node: string;
  pid: number;
  pstart: number;
  starttime: number;
  type: string;
  id: string;
  user: string;
}

const hex8 = (value: number): string => value.toString(16).toUpperCase().padStart(8, '0');

export function formatUpid(fields: UpidFields): string {
  const { node, pid, pstart, starttime, type, id, user } = fields;
  return `UPID:${node}:${hex8(pid)}:${hex8(pstart)}:${hex8(starttime)}:${type}:${id}:${user}:`;
}

// The decode regex of UPID.pm, with a non-capturing group for the node name.
const UPID_PATTERN =
  /^UPID:([a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):([^:\s/]+):([^:\s/]*):([^:\s/]+):$/;

export function parseUpid(upid: string): UpidFields | null {
  const match = UPID_PATTERN.exec(upid);
  if (!match) return null;
  const [, node = '', pid = '', pstart = '', starttime = '', type = '', id = '', user = ''] = match;
  return {
    node,
    pid: Number.parseInt(pid, 16),
    pstart: Number.parseInt(pstart, 16),
    starttime: Number.parseInt(starttime, 16),
    type,
    id,
    user,
  };
}

/** Tasks.pm $convert_token_task: `bot@pve!ops` is reported as user `bot@pve` plus tokenid `ops`. */
export function splitTaskUser(user: string): { user: string; tokenid?: string } {
  const bang = user.indexOf('!');
  if (bang < 0) return { user };
  return { user: user.slice(0, bang), tokenid: user.slice(bang + 1) };
}
