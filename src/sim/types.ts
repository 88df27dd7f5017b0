// The contracts between the simulator's parts: the HTTPS platform (servers, TLS, auth, schema
// validation, faults) and the cluster domain (state, tasks, endpoint handlers). Each side only
// knows the other through these types.

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** The Proxmox VE release a simulator answers as: its API schema and its answers' shapes. */
export type PveVersion = '8.4' | '9.1';

/** A parameter value after schema validation, typed by the schema's declared type. */
export type ParamValue = string | number | boolean | string[];

/** What a handler sees: a request that already passed authentication and the schema check. */
export interface SimRequest {
  method: HttpMethod;
  /** The request path below /api2/json, e.g. `/nodes/node01/qemu/100/status/start`. */
  path: string;
  /** The schema path it matched, e.g. `/nodes/{node}/qemu/{vmid}/status/start`. */
  template: string;
  /** Path and query/body parameters merged and typed (path variables included, as PVE does). */
  params: Record<string, ParamValue>;
  /** The node whose HTTPS server received the request. */
  servingNode: string;
  /** The authenticated identity as PVE writes it in a UPID: `root@pam` or `chatops@pve!bot`. */
  user: string;
}

/** A handler returns the value of `data` in the `{"data": …}` envelope, or throws PveHttpError. */
export type SimHandler = (request: SimRequest) => unknown | Promise<unknown>;

export interface RouteRegistry {
  /** Registers a handler for a schema path; the template must exist in the shipped schema. */
  on(method: HttpMethod, template: string, handler: SimHandler): void;
}

/** What a node's API knows about the cluster it belongs to (implemented by the domain). */
export interface SimClusterView {
  readonly name: string;
  nodeNames(): string[];
  /** The loopback address the node serves on, e.g. 127.20.1.101. */
  nodeAddress(node: string): string;
  isNodeOnline(node: string): boolean;
  /** Takes a node down or brings it back (power, network): its API goes with it. */
  setNodeOnline(node: string, online: boolean): void;
  isQuorate(): boolean;
  /** Called once at start-up with each node's certificate fingerprint (`AA:BB:…`). */
  setNodeFingerprint(node: string, fingerprint: string): void;
  /** Listener for node power changes, so the platform can close or reopen that node's server. */
  onNodeOnlineChange(listener: (node: string, online: boolean) => void): void;
  /**
   * Users, tokens and ACLs: with them every request but root@pam's gets PVE's permission checks
   * on each path. Without them the platform's token holds every privilege and its auditor token
   * PVEAuditor on every path.
   */
  readonly access?: SimAccessView;
}

/**
 * The cluster's users, groups, API tokens and ACLs as pveproxy consults them on every request
 * (user.cfg through PVE::RPCEnvironment; implemented by the domain): who may authenticate, and
 * what each user or token may do on each ACL path.
 */
export interface SimAccessView {
  /**
   * RPCEnvironment permissions: the privileges the user or token (`user@realm!name`) holds on
   * `path`, each mapped to its propagate flag (0 or 1). A privilege is held when it is a key.
   */
  permissions(authid: string, path: string): Readonly<Record<string, number>>;
  /** check_user_exist (with $noerr). */
  userExists(userid: string): boolean;
  /** check_user_enabled (with $noerr): the user exists, is enabled and has not expired. */
  userEnabled(userid: string): boolean;
  /** Each group and its members (filter_groups, group_member_join). */
  groupMembers(): ReadonlyMap<string, ReadonlySet<string>>;
  /** verify_token: the token and its user exist, are enabled and unexpired, and the secret is its own. */
  verifyToken(tokenid: string, secret: string): boolean;
  /** authenticate_user for a user other than root@pam (whose password the platform holds). */
  authenticateUser(userid: string, password: string): boolean;
  /** compute_api_permission: the `cap` of a ticket answer. */
  apiCapabilities(userid: string): Record<string, Record<string, number>>;
  /** Sets the secret of an existing token (priv/token.cfg): the platform's own tokens at start-up. */
  setTokenSecret(tokenid: string, secret: string): void;
}

/** One request as the platform saw it; benchmarks count them and tests assert on them. */
export interface RecordedRequest {
  node: string;
  method: string;
  path: string;
  template: string | null;
  status: number;
  /** The per-parameter errors when the schema check refused the request. */
  errors?: Record<string, string>;
  /** The form or JSON parameters as received (strings), for the schema-conformance tests. */
  rawParams: Record<string, string | string[]>;
}

/**
 * One command line a client runs over SSH on a node (`ssh root@node01 'apt-get update'`), as the
 * domain sees it once the platform checked the key and matched the line against the registry.
 */
export interface SimCommandContext {
  /** The node whose sshd received the command. */
  node: string;
  /** The whole command line, exactly as sent. */
  command: string;
  /** The capture groups of the pattern that matched. */
  args: string[];
  /** Writes to the channel's stdout / stderr (add the newlines). */
  stdout(text: string): void;
  stderr(text: string): void;
  /**
   * Aborted when the process dies with its connection: the client went away, the node lost
   * power or the simulator stops. The handler must then stop without further effects.
   */
  signal: AbortSignal;
  /** Stops (false) or restarts (true) pveproxy on the node, as a package's postinst does. */
  setApiRunning(running: boolean): Promise<void>;
}

/** Runs a command and resolves with its exit status. */
export type SimCommandHandler = (context: SimCommandContext) => number | Promise<number>;

export interface CommandRegistry {
  /** Command lines matching `pattern` (anchored: whole lines only) run `handler`; others exit 127. */
  on(pattern: RegExp, handler: SimCommandHandler): void;
}

/** One command run over SSH; `exitCode` is null while it runs and when it died with its connection. */
export interface RecordedSshCommand {
  node: string;
  command: string;
  exitCode: number | null;
  /** Epoch ms when the command started. */
  at: number;
}
