// The names pve-access-control accepts for users, API tokens, groups and ACL paths, shared by
// the platform (permission checks, parameter formats) and the domain (the access-control model).

/** PVE::Auth::Plugin $user_regex and $realm_regex. */
const USER_RE = '[^\\s:/]+';
const REALM_RE = '[A-Za-z][A-Za-z0-9.\\-_]+';
const USERID_RE = new RegExp(`^(${USER_RE})@(${REALM_RE})$`);
/** AccessControl.pm $token_full_regex: `<user>@<realm>!<name>`. */
const TOKENID_RE = new RegExp(`^((${USER_RE})@(${REALM_RE}))!(${REALM_RE})$`);
const GROUPNAME_RE = /^[A-Za-z0-9.\-_]+$/;
const ROLENAME_RE = /^[A-Za-z0-9.\-_]+$/;

/** PVE::Auth::Plugin verify_username's die message (3 to 64 characters, `user@realm`), or null. */
export function usernameError(userid: string): string | null {
  if (userid.length < 3) return `user name '${userid}' is too short`;
  if (userid.length > 64) return `user name '${userid}' is too long (${userid.length} > 64)`;
  return USERID_RE.test(userid) ? null : `value '${userid}' does not look like a valid user name`;
}

/** The realm of a valid user id. */
export function userRealm(userid: string): string | undefined {
  return USERID_RE.exec(userid)?.[2];
}

/** AccessControl.pm split_tokenid with $noerr: [user, token name], or undefined. */
export function splitTokenId(tokenid: string): [string, string] | undefined {
  const m = TOKENID_RE.exec(tokenid);
  return m ? [m[1] as string, m[4] as string] : undefined;
}

/** AccessControl.pm pve_verify_tokenid's die message, or null. */
export function tokenIdError(tokenid: string): string | null {
  return TOKENID_RE.test(tokenid) ? null : `value '${tokenid}' does not look like a valid token ID`;
}

/** AccessControl.pm verify_groupname's die message, or null. */
export function groupnameError(group: string): string | null {
  return GROUPNAME_RE.test(group) ? null : `group name '${group}' contains invalid characters`;
}

/** AccessControl.pm verify_rolename's die message, or null. */
export function rolenameError(role: string): string | null {
  return ROLENAME_RE.test(role) ? null : `role name '${role}' contains invalid characters`;
}

/**
 * AccessControl.pm normalize_path: collapses slashes, drops a trailing one, adds the leading one;
 * undefined for an empty value (Perl's false, so also "0") or a character outside
 * [[:alnum:].-_/].
 */
export function normalizeAclPath(path: string | undefined): string | undefined {
  if (path === undefined || path === '' || path === '0') return undefined;
  let p = path.replace(/\/+/g, '/').replace(/\/$/, '');
  if (!p) p = '/';
  if (!p.startsWith('/')) p = `/${p}`;
  return /^[\p{L}\p{N}.\-_/]+$/u.test(p) ? p : undefined;
}
