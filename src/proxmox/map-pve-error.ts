import { PveError, PveErrorCode, type PveErrorFields } from './pve-error.js';

export interface PveErrorResponse {
  statusCode: number;
  /** The HTTP reason phrase: pve-http-server puts the first line of the error message there. */
  statusText?: string;
  /** The raw body text: `{"data":null,"message":"…\n","errors"?:{…}}`, or empty (401, 595). */
  body: string;
  method: string;
  path: string;
  host: string;
}

// `AbstractConfig::check_lock` dies with "VM is locked (migrate)" / "CT is locked (backup)";
// some callers prefix the vmid ("VM 100 is locked (migrate)"), so both shapes match. Lock names
// may contain hyphens (`snapshot-delete`).
const LOCKED = /\b(VM|CT)(?: \d+)? is locked \(([\w-]+)\)/;
// `PVE::Cluster::check_cfs_quorum`.
const NO_QUORUM = /cluster not ready - no quorum\?/;
// pve-manager PVE/HTTPServer.pm auth_handler raises this (no code, so pve-http-server answers
// 500) when RPCEnvironment init_request cannot read user.cfg: pmxcfs is not answering.
const CLUSTER_FS_DOWN = /^RPCEnvironment init request failed: /;
// `load_config` on the node named in the path: the guest is not (or no longer) there. QEMU's
// reboot, reset and clone find out through `check_running` first, in other words (qemu-server
// QemuServer/Helpers.pm vm_running_locally / QemuServer.pm check_running).
const NOT_ON_NODE =
  /Configuration file 'nodes\/[^/']+\/(?:qemu-server|lxc)\/(\d+)\.conf' does not exist|unable to find configuration file for VM (\d+) on node '/;
// `PVE::Cluster::check_node_exists`.
const NO_SUCH_NODE = /\bno such cluster node '[^']*'/;
// Pre-fork power checks: `VM 100 not running`, `CT 101 already running` (check_running before
// fork_worker in qemu-server PVE/API2/Qemu.pm and pve-container PVE/API2/LXC/Status.pm).
const GUEST_STATE = /\b(?:VM|CT) (\d+) (?:not|already) running\b/;
// `check_vmid_unused` ("VM 105 already exists on node 'x'"), nextid's 400
// `{vmid: "VM 105 already exists"}`, and QEMU clone's own pre-fork check of the local config path (qemu-server API2/Qemu.pm clone_vm:
// "unable to create VM 105: config file already exists").
const VMID_EXISTS =
  /\b(?:VM|CT) (\d+) already exists|unable to create (?:VM|CT) (\d+): config file already exists/;

interface ErrorBody {
  message?: string;
  errors?: Record<string, string>;
}

function parseBody(body: string): ErrorBody {
  if (body.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null) return {};
    const { message, errors } = parsed as { message?: unknown; errors?: unknown };
    const result: ErrorBody = {};
    if (typeof message === 'string') result.message = message;
    if (typeof errors === 'object' && errors !== null) {
      result.errors = Object.fromEntries(
        Object.entries(errors as Record<string, unknown>).map(([k, v]) => [k, String(v).trimEnd()]),
      );
    }
    return result;
  } catch {
    return {};
  }
}

/**
 * Turns a non-2xx PVE answer into a PveError. This is the ONLY place that reads PVE's message
 * text; everything else branches on the resulting `code`.
 *
 * The status line comes first: old pve-http-server (< 5.2.0) sends the message only there, and
 * 401s never have a body. The body's `message` (with its trailing newline) is the fallback.
 */
export function mapPveError(response: PveErrorResponse): PveError {
  const { statusCode, method, path, host } = response;
  const body = parseBody(response.body);
  const statusText = response.statusText?.trim() ?? '';
  const bodyMessage = body.message?.trimEnd() ?? '';
  // The reason phrase is only the first line; prefer the body's full text when it extends it.
  const text =
    bodyMessage.startsWith(statusText) && bodyMessage !== '' ? bodyMessage : statusText || bodyMessage;
  const base = { statusCode, method, path, host, errors: body.errors };
  const make = (code: PveErrorCode, message: string, extra: Partial<PveErrorFields> = {}) =>
    new PveError({ ...base, ...extra, code, message });
  const fieldText = Object.values(body.errors ?? {}).join('; ');

  const exists = VMID_EXISTS.exec(`${text}\n${fieldText}`);
  if (exists && (statusCode === 400 || statusCode === 500)) {
    return make(PveErrorCode.VmidExists, `${text}${fieldText ? `: ${fieldText}` : ''}`, {
      vmid: Number(exists[1] ?? exists[2]),
    });
  }
  if (statusCode === 400) {
    const detail = Object.entries(body.errors ?? {})
      .map(([param, message]) => `${param}: ${message}`)
      .join('; ');
    return make(
      PveErrorCode.Parameter,
      detail ? `${text || 'Parameter verification failed.'} (${detail})` : text,
    );
  }
  if (statusCode === 401) {
    // PVE says only "Authentication failed!" whatever the reason (auth_handler logs the reason on
    // the node, not in the answer), so the message names everything the operator can check.
    return make(
      PveErrorCode.AuthFailed,
      `authentication failed: ${text || 'no reason given'}. PVE refused the API token: check PVE_TOKEN_ID ` +
        '(user@realm!tokenname) and PVE_TOKEN_SECRET, that the token still exists and has not expired, ' +
        'and that its user is enabled (Datacenter → Permissions → API Tokens)',
    );
  }
  if (statusCode === 403) return make(PveErrorCode.Permission, text || 'permission denied');
  if (statusCode === 501)
    return make(PveErrorCode.UnknownEndpoint, text || 'PVE has no such method or path (501)');
  if (statusCode === 595 || statusCode === 596 || statusCode === 597 || statusCode === 599) {
    // pveproxy's AnyEvent::HTTP pseudo-status for a proxied call: the target node is down or
    // unreachable; the reason phrase is the OS error ("No route to host").
    return make(
      PveErrorCode.NodeUnreachable,
      `node unreachable (${statusCode} ${text || 'no reason given'})`,
    );
  }
  if (statusCode >= 500) {
    const locked = LOCKED.exec(text);
    if (locked) return make(PveErrorCode.Locked, text, { lock: locked[2] });
    if (NO_QUORUM.test(text)) return make(PveErrorCode.NoQuorum, text);
    if (CLUSTER_FS_DOWN.test(text)) return make(PveErrorCode.ClusterFsUnavailable, text);
    const notOnNode = NOT_ON_NODE.exec(text);
    if (notOnNode)
      return make(PveErrorCode.GuestNotOnNode, text, { vmid: Number(notOnNode[1] ?? notOnNode[2]) });
    if (NO_SUCH_NODE.test(text)) return make(PveErrorCode.NoSuchNode, text);
    const state = GUEST_STATE.exec(text);
    if (state) return make(PveErrorCode.GuestState, text, { vmid: Number(state[1]) });
    return make(PveErrorCode.ServerError, text || `HTTP ${statusCode}`);
  }
  return make(PveErrorCode.HttpError, `HTTP ${statusCode}${text ? ` ${text}` : ''}`);
}
