// The cluster's access control: what /etc/pve/user.cfg holds (users, groups, custom roles, ACLs,
// API tokens), the token secrets of priv/token.cfg and the `pve` realm's passwords, and the
// permission computation of pve-access-control: PVE/AccessControl.pm roles() and
// PVE/RPCEnvironment.pm permissions / compile_acl_path / get_effective_permissions /
// compute_api_permission / check / check_any / check_perm_modify / filter_groups. The answers
// are what PVE computes from the same user.cfg, including its quirks (a user ACL on a path
// replaces the group ACLs there; pool ACLs reach the pool's guests without propagation; a token
// with privilege separation gets the intersection with its user's privileges).
import { timingSafeEqual } from 'node:crypto';
import { normalizeAclPath, splitTokenId, usernameError, userRealm } from '../access-ids.js';
import { PveHttpError } from '../pve-http-error.js';
import type { PveVersion, SimAccessView } from '../types.js';
import { pveRoles } from './pve-roles.js';

/** domains.cfg of a new cluster: the realm types `realm-type` reports. */
const REALMS: Readonly<Record<string, string>> = { pam: 'pam', pve: 'pve' };

export interface SimApiToken {
  /** 1: the token's own ACLs, intersected with its user's privileges; 0: the user's privileges. */
  privsep: boolean;
  /** Seconds since the epoch, 0 for never. */
  expire: number;
  comment?: string;
}

export interface SimUser {
  enable: boolean;
  /** Seconds since the epoch, 0 for never. */
  expire: number;
  firstname?: string;
  lastname?: string;
  email?: string;
  comment?: string;
  keys?: string;
  tokens: Map<string, SimApiToken>;
}

export interface SimGroup {
  comment?: string;
  users: Set<string>;
}

export type AclType = 'user' | 'group' | 'token';

/** One line of GET /access/acl. */
export interface AclEntry {
  path: string;
  type: AclType;
  ugid: string;
  roleid: string;
  propagate: 0 | 1;
}

/** A pool's members, as the pool lines of user.cfg list them. */
export interface PoolMembers {
  pool: string;
  vms: number[];
  storage: string[];
}

/** role → propagate, for one user, group or token on one path. */
type RoleFlags = Map<string, 0 | 1>;
interface AclNode {
  user: Map<string, RoleFlags>;
  group: Map<string, RoleFlags>;
  token: Map<string, RoleFlags>;
}

/** A privilege set with each privilege's propagate flag, as RPCEnvironment permissions returns it. */
export type Privileges = Record<string, 0 | 1>;

export interface AccessSeed {
  users?: Array<{ userid: string; enable?: boolean; expire?: number; comment?: string; groups?: string[] }>;
  groups?: Array<{ groupid: string; comment?: string }>;
  tokens?: Array<{ tokenid: string; privsep: boolean; comment?: string }>;
  acl?: Array<{ path: string; type: AclType; ugid: string; roles: string[]; propagate?: boolean }>;
}

export interface AccessControlOptions {
  version: PveVersion;
  /** The pools and their guests and storages, read on every computation. */
  pools: () => PoolMembers[];
  /** Wall clock, epoch milliseconds (expiry of users and tokens). */
  now: () => number;
  seed?: AccessSeed;
}

/** AccessControl.pm check_path: the ACL paths PVE accepts for a new entry. */
const ACL_PATH_RE = new RegExp(
  `^(${[
    '/',
    '/access',
    '/access/groups',
    '/access/groups/[\\p{L}\\p{N}.\\-_]+',
    '/access/realm',
    '/access/realm/[\\p{L}\\p{N}.\\-_]+',
    '/nodes',
    '/nodes/[\\p{L}\\p{N}.\\-_]+',
    '/pool',
    '/pool/[A-Za-z0-9.\\-_]+(?:/[A-Za-z0-9.\\-_]+){0,2}',
    '/sdn',
    '/sdn/controllers',
    '/sdn/controllers/[\\p{L}\\p{N}_\\-]+',
    '/sdn/dns',
    '/sdn/dns/[\\p{L}\\p{N}]+',
    '/sdn/fabrics',
    '/sdn/fabrics/[\\p{L}\\p{N}]+',
    '/sdn/ipams',
    '/sdn/ipams/[\\p{L}\\p{N}]+',
    '/sdn/prefix-lists',
    '/sdn/prefix-lists/[\\p{L}\\p{N}]+',
    '/sdn/route-maps',
    '/sdn/route-maps/[\\p{L}\\p{N}]+',
    '/sdn/zones',
    '/sdn/zones/[\\p{L}\\p{N}.\\-_]+',
    '/sdn/zones/[\\p{L}\\p{N}.\\-_]+/[\\p{L}\\p{N}.\\-_]+',
    '/sdn/zones/[\\p{L}\\p{N}.\\-_]+/[\\p{L}\\p{N}.\\-_]+/[1-9][0-9]{0,3}',
    '/storage',
    '/storage/[\\p{L}\\p{N}.\\-_]+',
    '/vms',
    '/vms/[1-9][0-9]{2,}',
    '/mapping',
    '/mapping/[\\p{L}\\p{N}.\\-_]+',
    '/mapping/[\\p{L}\\p{N}.\\-_]+/[\\p{L}\\p{N}.\\-_]+',
  ].join('|')})$`,
  'u',
);

export function isValidAclPath(path: string): boolean {
  return ACL_PATH_RE.test(path);
}

/** Perl's split(/$separator/, $text): leading empty fields kept, trailing ones dropped. */
function perlSplit(text: string, separator = '/'): string[] {
  const parts = text.split(separator);
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** Perl truthiness of a config string ("" and "0" are false). */
function perlTrue(value: string | undefined): value is string {
  return value !== undefined && value !== '' && value !== '0';
}

function byPathSegments(a: string, b: string): number {
  const left = a.split('/').filter(Boolean);
  const right = b.split('/').filter(Boolean);
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const x = left[i] as string;
    const y = right[i] as string;
    if (x !== y) return x < y ? -1 : 1;
  }
  return left.length - right.length;
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** A plain `die "…\n"` inside lock_user_config, which prefixes the method's message. */
export class AccessConfigError extends Error {
  override readonly name = 'AccessConfigError';
}

/** raise_param_exc inside lock_user_config: PVE stringifies it into the die message. */
export class AccessParamError extends Error {
  override readonly name = 'AccessParamError';
  readonly errors: Record<string, string>;
  constructor(errors: Record<string, string>) {
    super(
      `400 Parameter verification failed.\n${Object.entries(errors)
        .map(([key, text]) => `${key}: ${text}\n`)
        .join('')}`,
    );
    this.errors = errors;
  }
}

export interface UserChanges {
  enable?: boolean;
  expire?: number;
  firstname?: string;
  lastname?: string;
  email?: string;
  comment?: string;
  keys?: string;
  /** A group list (split_list); with `append` added to the user's groups, else replacing them. */
  groups?: string;
  append?: boolean;
}

export interface AclChange {
  path: string;
  roles: string[];
  users: string[];
  groups: string[];
  tokens: string[];
  propagate: boolean;
  delete: boolean;
}

export class AccessControl implements SimAccessView {
  readonly version: PveVersion;
  readonly users = new Map<string, SimUser>();
  readonly groups = new Map<string, SimGroup>();
  /** Custom roles (role: lines); the built-in ones come from the release. */
  readonly customRoles = new Map<string, Set<string>>();
  readonly #acl = new Map<string, AclNode>();
  readonly #tokenSecrets = new Map<string, string>();
  readonly #passwords = new Map<string, string>();
  #pools: () => PoolMembers[];
  readonly #now: () => number;

  constructor(options: AccessControlOptions) {
    this.version = options.version;
    this.#pools = options.pools;
    this.#now = options.now;
    // userconfig_force_defaults: root@pam always exists.
    this.users.set('root@pam', { enable: true, expire: 0, tokens: new Map() });
    const seed = options.seed;
    for (const group of seed?.groups ?? []) this.createGroup(group.groupid, group.comment);
    for (const user of seed?.users ?? []) {
      this.createUser(user.userid, {
        ...(user.enable !== undefined ? { enable: user.enable } : {}),
        ...(user.expire !== undefined ? { expire: user.expire } : {}),
        ...(user.comment !== undefined ? { comment: user.comment } : {}),
        ...(user.groups ? { groups: user.groups.join(',') } : {}),
      });
    }
    for (const token of seed?.tokens ?? []) {
      const [userid, name] = splitTokenId(token.tokenid) ?? [];
      if (!userid || !name) throw new Error(`'${token.tokenid}' is not a token id`);
      this.addToken(userid, name, {
        privsep: token.privsep,
        ...(token.comment ? { comment: token.comment } : {}),
      });
    }
    for (const entry of seed?.acl ?? []) {
      const members = { user: [] as string[], group: [] as string[], token: [] as string[] };
      members[entry.type].push(entry.ugid);
      this.updateAcl('root@pam', {
        path: entry.path,
        roles: entry.roles,
        users: members.user,
        groups: members.group,
        tokens: members.token,
        propagate: entry.propagate ?? true,
        delete: false,
      });
    }
  }

  /** An access control read from a user.cfg text (loadUserCfg); its pools are the file's. */
  static fromUserCfg(text: string, options: { version: PveVersion; now: () => number }): AccessControl {
    const control = new AccessControl({ ...options, pools: () => [] });
    control.loadUserCfg(text);
    return control;
  }

  /**
   * Replaces users, groups, custom roles, tokens and ACLs with a user.cfg text, read as
   * parse_user_config reads it (lines it would ignore are ignored). Its pool lines, if any, then
   * say which guests and storages each pool holds, instead of the cluster's guests. Token
   * secrets are kept for the tokens that still exist; passwords for the users that do.
   */
  loadUserCfg(text: string): void {
    this.users.clear();
    this.groups.clear();
    this.customRoles.clear();
    this.#acl.clear();
    const pools: PoolMembers[] = [];
    const builtin = pveRoles(this.version).roles;
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (!line) continue;
      const [kind, ...data] = perlSplit(line, ':').map((f) => f.trim());
      if (kind === 'user') {
        const [userid = '', enable, expire, firstname, lastname, email, comment, keys] = data;
        if (usernameError(userid)) continue;
        const user: SimUser = { enable: perlTrue(enable), expire: Number(expire || 0), tokens: new Map() };
        if (perlTrue(firstname)) user.firstname = firstname;
        if (perlTrue(lastname)) user.lastname = lastname;
        if (perlTrue(email)) user.email = email;
        if (perlTrue(comment)) user.comment = comment;
        if (perlTrue(keys)) user.keys = keys;
        this.users.set(userid, user);
      } else if (kind === 'group') {
        const [groupid = '', members = '', comment] = data;
        const group = this.groups.get(groupid) ?? { users: new Set<string>() };
        if (perlTrue(comment)) group.comment = comment;
        for (const member of splitGroupList(members)) if (!usernameError(member)) group.users.add(member);
        this.groups.set(groupid, group);
      } else if (kind === 'role') {
        const [roleid = '', privileges = ''] = data;
        if (builtin.has(roleid)) continue;
        const valid = this.validPrivileges();
        this.customRoles.set(roleid, new Set(splitGroupList(privileges).filter((p) => valid.has(p))));
      } else if (kind === 'token') {
        const [tokenid = '', expire, privsep, comment] = data;
        const [userid, name] = splitTokenId(tokenid) ?? [];
        const user = userid ? this.users.get(userid) : undefined;
        if (!user || !name) continue;
        const token: SimApiToken = { privsep: perlTrue(privsep), expire: Number(expire || 0) };
        if (perlTrue(comment)) token.comment = comment;
        user.tokens.set(name, token);
      } else if (kind === 'pool') {
        const [pool = '', , vms = '', storage = ''] = data;
        pools.push({
          pool,
          vms: splitGroupList(vms)
            .filter((v) => /^\d+$/.test(v))
            .map(Number),
          storage: splitGroupList(storage),
        });
      } else if (kind === 'acl') {
        const [propagate, rawPath, members = '', roleList = ''] = data;
        const path = normalizeAclPath(rawPath);
        if (!path) continue;
        const roles = this.roleDefinitions();
        const flag = perlTrue(propagate) ? 1 : 0;
        for (const role of splitGroupList(roleList)) {
          if (!roles.has(role)) continue;
          for (const member of splitGroupList(members)) {
            const group = /^@(\S+)$/.exec(member)?.[1];
            if (group) this.#grant(path, 'group', group, role, flag);
            else if (!usernameError(member)) this.#grant(path, 'user', member, role, flag);
            else if (this.token(member)) this.#grant(path, 'token', member, role, flag);
          }
        }
      }
    }
    // userconfig_force_defaults.
    if (!this.users.has('root@pam'))
      this.users.set('root@pam', { enable: true, expire: 0, tokens: new Map() });
    for (const tokenid of [...this.#tokenSecrets.keys()])
      if (!this.token(tokenid)) this.#tokenSecrets.delete(tokenid);
    for (const userid of [...this.#passwords.keys()])
      if (!this.users.has(userid)) this.#passwords.delete(userid);
    if (pools.length > 0) this.#pools = () => pools;
  }

  #grant(path: string, type: AclType, ugid: string, role: string, propagate: 0 | 1): void {
    let node = this.#acl.get(path);
    if (!node) {
      node = { user: new Map(), group: new Map(), token: new Map() };
      this.#acl.set(path, node);
    }
    let flags = node[type].get(ugid);
    if (!flags) {
      flags = new Map();
      node[type].set(ugid, flags);
    }
    flags.set(role, propagate);
  }

  // Roles

  /** The built-in roles of the release and the custom ones: role → privileges. */
  roleDefinitions(): Map<string, ReadonlySet<string>> {
    const builtin = pveRoles(this.version).roles;
    const all = new Map<string, ReadonlySet<string>>(builtin);
    for (const [role, privileges] of this.customRoles) if (!builtin.has(role)) all.set(role, privileges);
    return all;
  }

  isBuiltinRole(role: string): boolean {
    return pveRoles(this.version).roles.has(role);
  }

  /** `$valid_privs`: every privilege the release knows. */
  validPrivileges(): ReadonlySet<string> {
    return pveRoles(this.version).privileges;
  }

  /** A custom role (pveum role add), its privileges checked as add_role_privs does. */
  addCustomRole(role: string, privileges: string[]): void {
    if (this.roleDefinitions().has(role)) throw new AccessConfigError(`role '${role}' already exists`);
    const valid = this.validPrivileges();
    for (const privilege of privileges) {
      if (!valid.has(privilege)) throw new AccessConfigError(`invalid privilege '${privilege}'`);
    }
    this.customRoles.set(role, new Set(privileges));
  }

  // Users, groups, tokens

  userExists(userid: string): boolean {
    return this.users.has(userid);
  }

  /** check_user_enabled (with $noerr): exists, enabled and not expired. */
  userEnabled(userid: string): boolean {
    const user = this.users.get(userid);
    if (!user?.enable) return false;
    return !(user.expire && user.expire < this.#nowSeconds());
  }

  groupMembers(): Map<string, ReadonlySet<string>> {
    return new Map([...this.groups].map(([group, data]) => [group, data.users]));
  }

  /** The type of the user's realm (domains.cfg), if the realm exists. */
  realmType(userid: string): string | undefined {
    const realm = userRealm(userid);
    return realm === undefined ? undefined : REALMS[realm];
  }

  /**
   * create_user's work inside the lock: the user must be new, its groups must exist. Throws
   * AccessConfigError with PVE's text (without the "create user failed: " prefix).
   */
  createUser(userid: string, options: UserChanges & { password?: string } = {}): void {
    if (this.users.has(userid)) throw new AccessConfigError(`user '${userid}' already exists`);
    const realm = userRealm(userid) ?? '';
    if (options.password !== undefined) {
      // AccessControl.pm domain_set_password; PVE's own realm keeps the password.
      if (!REALMS[realm]) throw new AccessConfigError(`auth domain '${realm}' does not exist`);
      this.#passwords.set(userid, options.password);
    }
    const user: SimUser = { enable: options.enable ?? true, expire: options.expire ?? 0, tokens: new Map() };
    const groups = options.groups ? splitGroupList(options.groups) : [];
    for (const group of groups) {
      if (!this.groups.has(group)) throw new AccessConfigError(`no such group '${group}'`);
    }
    for (const key of ['firstname', 'lastname', 'email', 'comment', 'keys'] as const) {
      if (perlTrue(options[key])) user[key] = options[key];
    }
    this.users.set(userid, user);
    for (const group of groups) this.groups.get(group)?.users.add(userid);
  }

  /** update_user's work inside the lock. */
  updateUser(userid: string, changes: UserChanges): void {
    const user = this.users.get(userid);
    if (!user) throw new AccessConfigError(`no such user ('${userid}')`);
    const groups = changes.groups ? splitGroupList(changes.groups) : [];
    for (const group of groups) {
      if (!this.groups.has(group)) throw new AccessConfigError(`no such group '${group}'`);
    }
    if (changes.enable !== undefined) user.enable = changes.enable;
    if (changes.expire !== undefined) user.expire = changes.expire;
    if (!changes.append && changes.groups !== undefined) {
      for (const group of this.groups.values()) group.users.delete(userid);
    }
    for (const group of groups) this.groups.get(group)?.users.add(userid);
    for (const key of ['firstname', 'lastname', 'email', 'comment', 'keys'] as const) {
      const value = changes[key];
      if (value === undefined) continue;
      // Written to user.cfg and read back: an empty (or "0") value is no value.
      if (perlTrue(value)) user[key] = value;
      else delete user[key];
    }
  }

  /** delete_user: the user, its tokens, its password, its group memberships and its ACLs. */
  deleteUser(userid: string): void {
    this.users.delete(userid);
    this.#passwords.delete(userid);
    for (const group of this.groups.values()) group.users.delete(userid);
    for (const [path, node] of this.#acl) {
      node.user.delete(userid);
      // Token lines of a user that is gone are dropped when user.cfg is read again.
      for (const tokenid of [...node.token.keys()])
        if (splitTokenId(tokenid)?.[0] === userid) node.token.delete(tokenid);
      this.#dropIfEmpty(path);
    }
    for (const tokenid of [...this.#tokenSecrets.keys()]) {
      if (splitTokenId(tokenid)?.[0] === userid) this.#tokenSecrets.delete(tokenid);
    }
  }

  /** The `pve` realm's password of a user (pveum passwd), for ticket logins. */
  setPassword(userid: string, password: string): void {
    if (!this.users.has(userid)) throw new AccessConfigError(`no such user ('${userid}')`);
    this.#passwords.set(userid, password);
  }

  createGroup(groupid: string, comment?: string): void {
    if (this.groups.has(groupid)) throw new AccessConfigError(`group '${groupid}' already exists`);
    const group: SimGroup = { users: new Set() };
    if (perlTrue(comment)) group.comment = comment;
    this.groups.set(groupid, group);
  }

  updateGroup(groupid: string, comment: string | undefined): void {
    const group = this.groups.get(groupid);
    if (!group) throw new AccessConfigError(`group '${groupid}' does not exist`);
    if (comment === undefined) return;
    if (perlTrue(comment)) group.comment = comment;
    else delete group.comment;
  }

  deleteGroup(groupid: string): void {
    if (!this.groups.has(groupid)) throw new AccessConfigError(`group '${groupid}' does not exist`);
    this.groups.delete(groupid);
    for (const [path, node] of this.#acl) {
      node.group.delete(groupid);
      this.#dropIfEmpty(path);
    }
  }

  /** An API token of an existing user; returns its full id (`user@realm!name`). */
  addToken(userid: string, name: string, options: Partial<SimApiToken> = {}): string {
    const user = this.users.get(userid);
    if (!user) throw new AccessConfigError(`no such user ('${userid}')`);
    if (user.tokens.has(name)) throw new AccessConfigError(`Token already exists.`);
    const token: SimApiToken = { privsep: options.privsep ?? true, expire: options.expire ?? 0 };
    if (perlTrue(options.comment)) token.comment = options.comment;
    user.tokens.set(name, token);
    return `${userid}!${name}`;
  }

  token(tokenid: string): SimApiToken | undefined {
    const [userid, name] = splitTokenId(tokenid) ?? [];
    return userid && name ? this.users.get(userid)?.tokens.get(name) : undefined;
  }

  /** The secret a token authenticates with (priv/token.cfg). */
  setTokenSecret(tokenid: string, secret: string): void {
    if (!this.token(tokenid)) throw new Error(`no such token '${tokenid}'`);
    this.#tokenSecrets.set(tokenid, secret);
  }

  /** AccessControl.pm verify_token: user enabled and unexpired, token existing and unexpired, secret. */
  verifyToken(tokenid: string, secret: string): boolean {
    const [userid] = splitTokenId(tokenid) ?? [];
    const token = this.token(tokenid);
    const known = this.#tokenSecrets.get(tokenid);
    if (!userid || !token || known === undefined || !this.userEnabled(userid)) return false;
    if (token.expire && token.expire < this.#nowSeconds()) return false;
    return sameSecret(secret, known);
  }

  /** authenticate_user for the `pve` realm: enabled, and the password set for the user. */
  authenticateUser(userid: string, password: string): boolean {
    const known = this.#passwords.get(userid);
    if (!this.userEnabled(userid) || known === undefined || !password) return false;
    return this.realmType(userid) === 'pve' && sameSecret(password, known);
  }

  // ACLs

  /** GET /access/acl's entries in iterate_acl_tree order (paths depth-first, sorted). */
  aclEntries(): AclEntry[] {
    const out: AclEntry[] = [];
    for (const path of [...this.#acl.keys()].sort(byPathSegments)) {
      const node = this.#acl.get(path) as AclNode;
      for (const type of ['user', 'group', 'token'] as const) {
        for (const [ugid, roles] of [...node[type]].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
          for (const [roleid, propagate] of [...roles].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
            out.push({ path, type, ugid, roleid, propagate });
          }
        }
      }
    }
    return out;
  }

  /** Every path the ACL tree has a node for (the entries' paths and their parents). */
  aclTreePaths(): string[] {
    const paths = new Set<string>();
    for (const path of this.#acl.keys()) {
      paths.add('/');
      const parts = path.split('/').filter(Boolean);
      for (let i = 1; i <= parts.length; i++) paths.add(`/${parts.slice(0, i).join('/')}`);
    }
    return [...paths].sort(byPathSegments);
  }

  /**
   * update_acl's work inside the lock, as `authid` asks it (its privileges limit what it may
   * hand out without Permissions.Modify). Throws AccessConfigError or AccessParamError with
   * PVE's texts; nothing changes when it throws.
   */
  updateAcl(authid: string, change: AclChange): void {
    const path = normalizeAclPath(change.path);
    if (!path) throw new Error('the path is checked before');
    const mine = this.permissions(authid, path);
    const propagate: 0 | 1 = change.propagate ? 1 : 0;
    const roles = this.roleDefinitions();
    const edits: Array<[AclType, string, string]> = [];
    const verb = change.delete ? 'remove' : 'add';
    for (const role of change.roles) {
      const privileges = roles.get(role);
      if (!privileges) throw new AccessConfigError(`role '${role}' does not exist`);
      if (mine['Permissions.Modify'] === undefined) {
        for (const privilege of privileges) {
          if (mine[privilege] === undefined) {
            throw new AccessParamError({
              role: `Cannot ${verb} role '${role}' - requires 'Permissions.Modify' or superset of privileges.`,
            });
          }
          if (propagate && mine[privilege] !== propagate && !change.delete) {
            throw new AccessParamError({
              role: `Cannot ${verb} role '${role}' with propagation - requires 'Permissions.Modify' or propagated superset of privileges.`,
            });
          }
        }
        if (role === 'NoAccess') {
          throw new AccessParamError({
            role: `Cannot ${verb} role '${role}' - requires 'Permissions.Modify'`,
          });
        }
      }
      for (const group of change.groups) {
        if (!this.groups.has(group)) throw new AccessConfigError(`group '${group}' does not exist`);
        edits.push(['group', group, role]);
      }
      for (const userid of change.users) {
        const error = usernameError(userid);
        if (error) throw new AccessConfigError(error);
        if (!this.users.has(userid)) throw new AccessConfigError(`user '${userid}' does not exist`);
        // write_user_config never writes root@pam's ACLs: it always is Administrator.
        if (userid !== 'root@pam') edits.push(['user', userid, role]);
      }
      for (const tokenid of change.tokens) {
        const [userid, name] = splitTokenId(tokenid) ?? [];
        if (!userid || !name) {
          throw new AccessConfigError(
            `'${tokenid}' is not a valid token ID - not able to split into user and token parts`,
          );
        }
        const user = this.users.get(userid);
        if (!user) throw new AccessConfigError(`no such user ('${userid}')`);
        if (!user.tokens.has(name))
          throw new AccessConfigError(`no such token '${name}' for user '${userid}'`);
        edits.push(['token', tokenid, role]);
      }
    }
    let node = this.#acl.get(path);
    if (!node) {
      node = { user: new Map(), group: new Map(), token: new Map() };
      this.#acl.set(path, node);
    }
    for (const [type, ugid, role] of edits) {
      const members = node[type];
      if (change.delete) {
        members.get(ugid)?.delete(role);
        if (members.get(ugid)?.size === 0) members.delete(ugid);
      } else {
        let flags = members.get(ugid);
        if (!flags) {
          flags = new Map();
          members.set(ugid, flags);
        }
        flags.set(role, propagate);
      }
    }
    this.#dropIfEmpty(path);
  }

  #dropIfEmpty(path: string): void {
    const node = this.#acl.get(path);
    if (node && node.user.size + node.group.size + node.token.size === 0) this.#acl.delete(path);
  }

  // Permissions

  /**
   * AccessControl.pm roles(): the roles `authid` has on `path` from the ACLs alone (no pools),
   * each with its propagate flag. Walking from `/` down, a path's token entries, else its user
   * entries, else its group entries replace what the parents gave; only the final path's entries
   * count when they do not propagate. NoAccess anywhere in the result leaves only NoAccess.
   */
  roles(authid: string, path: string): RoleFlags {
    if (authid === 'root@pam') return new Map([['Administrator', 1]]);
    const token = splitTokenId(authid);
    if (token) {
      const info = this.users.get(token[0])?.tokens.get(token[1]);
      if (!info) return new Map();
      if (!info.privsep) return this.roles(token[0], path);
    }
    let roles: RoleFlags = new Map();
    const split = path === '/' ? [''] : perlSplit(path);
    const walked: string[] = [];
    for (let i = 0; i < split.length; i++) {
      const part = split[i] as string;
      const final = i === split.length - 1;
      // $acl = $acl->{children}->{$p}; an empty part ("//") stays on the same node.
      if (part !== '') walked.push(part);
      const node = this.#acl.get(`/${walked.join('/')}`);
      if (!node) continue;
      const fromTokens = applicable(node.token.get(authid), final);
      if (fromTokens) {
        roles = fromTokens;
        continue;
      }
      const fromUser = applicable(node.user.get(authid), final);
      if (fromUser) {
        roles = fromUser;
        continue;
      }
      let fromGroups: RoleFlags | undefined;
      for (const [group, flags] of node.group) {
        if (!this.groups.get(group)?.users.has(authid)) continue;
        for (const [role, propagate] of flags) {
          if (final || propagate) {
            fromGroups ??= new Map();
            fromGroups.set(role, propagate);
          }
        }
      }
      if (fromGroups) roles = fromGroups;
    }
    const noAccess = roles.get('NoAccess');
    return noAccess === undefined ? roles : new Map([['NoAccess', noAccess]]);
  }

  /**
   * RPCEnvironment permissions(): the privileges `authid` (a user or a token) holds on `path`,
   * each mapped to its propagate flag. root@pam holds every privilege; a token without privilege
   * separation holds its user's; one with it, those of its own ACLs that its user also holds.
   */
  permissions(authid: string, path: string): Privileges {
    const roleDefs = this.roleDefinitions();
    if (authid === 'root@pam') {
      return Object.fromEntries([...(roleDefs.get('Administrator') ?? [])].map((p) => [p, 1]));
    }
    const token = splitTokenId(authid);
    if (token) {
      const info = this.users.get(token[0])?.tokens.get(token[1]);
      if (!info) return {};
      const owner = this.permissions(token[0], path);
      if (!info.privsep) return owner;
      return this.#compile(authid, path, roleDefs, token[0] === 'root@pam' ? undefined : owner);
    }
    if (usernameError(authid)) return {};
    return this.#compile(authid, path, roleDefs);
  }

  /** RPCEnvironment compile_acl_path. */
  #compile(
    authid: string,
    path: string,
    roleDefs: Map<string, ReadonlySet<string>>,
    owner?: Privileges,
  ): Privileges {
    // The roles the identity has on each pool reach the pool's guests and storages.
    const poolRoles = new Map<string, Set<string>>();
    for (const { pool, vms, storage } of this.#pools()) {
      const roles = this.roles(authid, `/pool/${pool}`);
      if (roles.size === 0) continue;
      const targets = [...vms.map((vmid) => `/vms/${vmid}`), ...storage.map((id) => `/storage/${id}`)];
      for (const target of targets) {
        let set = poolRoles.get(target);
        if (!set) {
          set = new Set();
          poolRoles.set(target, set);
        }
        for (const role of roles.keys()) set.add(role);
      }
    }
    let roles = this.roles(authid, path);
    const fromPool = poolRoles.get(path);
    // NoAccess must not be trumped by pool ACLs, but a pool's NoAccess trumps the path's ACLs;
    // pool-derived roles never propagate.
    if (fromPool && !roles.has('NoAccess')) {
      if (fromPool.has('NoAccess')) roles = new Map([['NoAccess', 0]]);
      else for (const role of fromPool) if (!roles.has(role)) roles.set(role, 0);
    }
    let privileges: Privileges = {};
    for (const [role, propagate] of roles) {
      for (const privilege of roleDefs.get(role) ?? []) {
        // $privs->{$p} ||= $roles->{$role}: propagated if any role holding it propagates.
        privileges[privilege] = privileges[privilege] || propagate;
      }
    }
    if (owner) {
      const both: Privileges = {};
      for (const [privilege, propagate] of Object.entries(privileges)) {
        const mine = owner[privilege];
        if (mine !== undefined) both[privilege] = mine && propagate;
      }
      privileges = both;
    }
    return privileges;
  }

  /** RPCEnvironment check / check_any with $noerr. */
  check(authid: string, path: string, privileges: readonly string[], any = false): boolean {
    const held = this.permissions(authid, path);
    return any
      ? privileges.some((p) => held[p] !== undefined)
      : privileges.every((p) => held[p] !== undefined);
  }

  /** RPCEnvironment check / check_any without $noerr: 403 naming the path and the (first) missing privilege. */
  assertPrivileges(authid: string, path: string, privileges: readonly string[], any = false): void {
    const held = this.permissions(authid, path);
    if (any) {
      if (privileges.some((p) => held[p] !== undefined)) return;
      throw new PveHttpError(403, `Permission check failed (${path}, ${privileges.join('|')})`);
    }
    const missing = privileges.find((p) => held[p] === undefined);
    if (missing !== undefined) throw new PveHttpError(403, `Permission check failed (${path}, ${missing})`);
  }

  /** RPCEnvironment check_perm_modify with $noerr. */
  checkPermModify(authid: string, path: string | undefined): boolean {
    if (!path) return this.check(authid, '/access', ['Permissions.Modify']);
    const wanted = ['Permissions.Modify'];
    if (/^\/storage\/.+$/.test(path)) wanted.push('Datastore.Allocate');
    else if (/^\/vms\/.+$/.test(path)) wanted.push('VM.Allocate');
    else if (/^\/pool\/.+$/.test(path)) wanted.push('Pool.Allocate');
    return this.check(authid, path, wanted, true);
  }

  /** RPCEnvironment filter_groups then group_member_join: the users of the groups it may see. */
  usersVisibleThroughGroups(authid: string, privileges: readonly string[]): Set<string> {
    const users = new Set<string>();
    for (const [group, data] of this.groups) {
      if (!this.check(authid, `/access/groups/${group}`, privileges, true)) continue;
      for (const user of data.users) users.add(user);
    }
    return users;
  }

  /**
   * RPCEnvironment get_effective_permissions: the privileges on the top-level paths, every
   * path of the ACL tree and every pool member's path, leaving out paths with none.
   */
  effectivePermissions(authid: string): Record<string, Privileges> {
    const paths = new Set(['/', '/access', '/access/groups', '/nodes', '/pool', '/sdn', '/storage', '/vms']);
    for (const path of this.aclTreePaths()) paths.add(path);
    for (const { vms, storage } of this.#pools()) {
      for (const vmid of vms) paths.add(`/vms/${vmid}`);
      for (const id of storage) paths.add(`/storage/${id}`);
    }
    const out: Record<string, Privileges> = {};
    for (const path of [...paths].sort(byPathSegments)) {
      const privileges = this.permissions(authid, path);
      if (Object.keys(privileges).length > 0) out[path] = privileges;
    }
    return out;
  }

  /** RPCEnvironment compute_api_permission: the `cap` of a ticket, for the web UI. */
  apiCapabilities(authid: string): Record<string, Record<string, number>> {
    const patterns: Record<string, RegExp> = {
      vms: /^(VM\.|Permissions\.Modify)/,
      access: /^((User|Group)\.|Permissions\.Modify)/,
      storage: /^(Datastore\.|Permissions\.Modify)/,
      nodes: /^(Sys\.|Permissions\.Modify)/,
      sdn: /^(SDN\.|Permissions\.Modify)/,
      dc: /^(Sys\.Audit|Sys\.Modify|SDN\.)/,
      mapping: /^(Mapping\.|Permissions.Modify)/,
    };
    const out: Record<string, Record<string, number>> = {};
    for (const key of Object.keys(patterns)) out[key] = {};
    const required = ['/', '/nodes', '/access/groups', '/vms', '/storage', '/sdn', '/mapping'];
    const seen = new Set<string>();
    for (const path of [...required, ...this.aclTreePaths()]) {
      if (seen.has(path)) continue;
      seen.add(path);
      const privileges = Object.keys(this.permissions(authid, path));
      const toplevel = /^\/(\w+)/.exec(path)?.[1] ?? 'dc';
      if (toplevel === 'pool') {
        for (const privilege of privileges) {
          if (privilege.startsWith('VM.')) (out.vms as Record<string, number>)[privilege] = 1;
          else if (privilege.startsWith('Datastore.')) (out.storage as Record<string, number>)[privilege] = 1;
          else if (privilege === 'Permissions.Modify') {
            (out.storage as Record<string, number>)[privilege] = 1;
            (out.vms as Record<string, number>)[privilege] = 1;
          }
        }
        continue;
      }
      const pattern = patterns[toplevel];
      if (!pattern) continue;
      for (const privilege of privileges) {
        if (pattern.test(privilege)) (out[toplevel] as Record<string, number>)[privilege] = 1;
      }
    }
    return out;
  }

  #nowSeconds(): number {
    return Math.floor(this.#now() / 1000);
  }
}

/** The roles of one ACL entry that apply here: all on the final path, else the propagating ones. */
function applicable(flags: RoleFlags | undefined, final: boolean): RoleFlags | undefined {
  if (!flags) return undefined;
  let out: RoleFlags | undefined;
  for (const [role, propagate] of flags) {
    if (final || propagate) {
      out ??= new Map();
      out.set(role, propagate);
    }
  }
  return out;
}

/** PVE::Tools::split_list. */
function splitGroupList(text: string): string[] {
  if (text.includes('\0')) return text.split('\0');
  return text
    .replace(/[,;]/g, ' ')
    .split(/\s+/)
    .filter((item) => item !== '');
}
