// PVE's access control answers (pve-access-control PVE/API2/AccessControl.pm permissions,
// PVE/API2/Role.pm, ACL.pm, User.pm; real answers in test/conformance/pve/fixtures/access).
import { z } from 'zod';
import { pveBool, pveString } from './pve-values.js';

/**
 * `GET /access/permissions`: ACL path → privilege → whether it propagates to the paths below (1)
 * or holds on that path alone (0). A privilege listed with 0 is still granted on the path itself:
 * presence is the grant, the value only says how far it reaches.
 */
export const permissionsSchema = z.record(z.string(), z.record(z.string(), pveBool));
export type PathPrivileges = Record<string, boolean>;
export type Permissions = z.output<typeof permissionsSchema>;

/** One role of `GET /access/roles`: its privileges comma-separated; `special` marks the built-in ones. */
export const roleSchema = z.looseObject({
  roleid: z.string(),
  privs: z.string().optional(),
  special: pveBool.optional(),
});
export const rolesSchema = z.array(roleSchema);
export type PveRole = z.output<typeof roleSchema>;

/** One entry of `GET /access/acl`. */
export const aclEntrySchema = z.looseObject({
  path: z.string(),
  type: z.enum(['user', 'group', 'token']).or(z.string()),
  ugid: z.string(),
  roleid: z.string(),
  propagate: pveBool.optional(),
});
export const aclSchema = z.array(aclEntrySchema);
export type AclEntry = z.output<typeof aclEntrySchema>;

/** One entry of `GET /access/users`. */
export const userEntrySchema = z.looseObject({
  userid: z.string(),
  enable: pveBool.optional(),
  expire: z.number().optional(),
  groups: z.union([z.string(), z.array(z.string())]).optional(),
  comment: pveString.optional(),
});
export const usersSchema = z.array(userEntrySchema);
export type UserEntry = z.output<typeof userEntrySchema>;

/** One entry of `GET /access/groups`. */
export const groupEntrySchema = z.looseObject({
  groupid: z.string(),
  users: z.string().optional(),
  comment: pveString.optional(),
});
export const groupsSchema = z.array(groupEntrySchema);
