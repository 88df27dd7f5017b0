// The privileges and built-in roles of each PVE release, as pve-access-control
// src/PVE/AccessControl.pm defines them: `$privgroups` (per category, the privileges only root,
// an admin, a user or an auditor gets) and create_roles, which derives the PVE*Admin, PVE*User,
// PVEAuditor and PVEAdmin roles from it. 8.4 ships libpve-access-control 8.2.x (branch
// stable-bookworm, 8.2.3); 9.1 ships 9.1.x (master at "bump version to 9.1.1"). Between them,
// 9.0.2 dropped VM.Monitor ("privileges: drop VM.Monitor") and added the VM.GuestAgent.*
// privileges ("add VM.GuestAgent privileges"), and 9.0.3 added VM.Replicate.
import type { PveVersion } from '../types.js';

interface PrivGroup {
  root: readonly string[];
  admin: readonly string[];
  user: readonly string[];
  audit: readonly string[];
}

/** `$privgroups`, in the source's category order (the roles do not depend on it). */
function privGroups(version: PveVersion): Record<string, PrivGroup> {
  const nine = version !== '8.4';
  return {
    VM: {
      root: [],
      admin: [
        'VM.Config.Disk',
        'VM.Config.CPU',
        'VM.Config.Memory',
        'VM.Config.Network',
        'VM.Config.HWType',
        'VM.Config.Options',
        'VM.Allocate',
        'VM.Clone',
        ...(nine ? ['VM.GuestAgent.Unrestricted'] : []),
        'VM.Migrate',
        ...(nine ? ['VM.Replicate'] : ['VM.Monitor']),
        'VM.Snapshot',
        'VM.Snapshot.Rollback',
      ],
      user: [
        'VM.Config.CDROM',
        'VM.Config.Cloudinit',
        'VM.Console',
        'VM.Backup',
        ...(nine
          ? ['VM.GuestAgent.FileRead', 'VM.GuestAgent.FileSystemMgmt', 'VM.GuestAgent.FileWrite']
          : []),
        'VM.PowerMgmt',
      ],
      audit: ['VM.Audit', ...(nine ? ['VM.GuestAgent.Audit'] : [])],
    },
    Sys: {
      root: ['Sys.PowerMgmt', 'Sys.Modify', 'Sys.Incoming', 'Sys.AccessNetwork'],
      admin: ['Sys.Console', 'Sys.Syslog'],
      user: [],
      audit: ['Sys.Audit'],
    },
    Datastore: {
      root: [],
      admin: ['Datastore.Allocate', 'Datastore.AllocateTemplate'],
      user: ['Datastore.AllocateSpace'],
      audit: ['Datastore.Audit'],
    },
    SDN: { root: [], admin: ['SDN.Allocate', 'SDN.Audit'], user: ['SDN.Use'], audit: ['SDN.Audit'] },
    User: {
      root: ['Realm.Allocate'],
      admin: ['User.Modify', 'Group.Allocate', 'Realm.AllocateUser'],
      user: [],
      audit: [],
    },
    Pool: { root: [], admin: ['Pool.Allocate'], user: ['Pool.Audit'], audit: ['Pool.Audit'] },
    Mapping: { root: [], admin: ['Mapping.Modify'], user: ['Mapping.Use'], audit: ['Mapping.Audit'] },
  };
}

export interface PveRoleSet {
  /** `$valid_privs`: every privilege of the release (Administrator's). */
  privileges: ReadonlySet<string>;
  /** `$special_roles` after create_roles: the built-in roles, by id. */
  roles: ReadonlyMap<string, ReadonlySet<string>>;
}

const cache = new Map<PveVersion, PveRoleSet>();

/** create_roles, for the release. */
export function pveRoles(version: PveVersion): PveRoleSet {
  const known = cache.get(version);
  if (known) return known;
  const valid = new Set<string>(['Permissions.Modify']);
  const roles = new Map<string, Set<string>>();
  const add = (role: string, privilege: string) => {
    let set = roles.get(role);
    if (!set) {
      set = new Set();
      roles.set(role, set);
    }
    set.add(privilege);
  };
  roles.set('NoAccess', new Set());
  roles.set('Administrator', valid);
  for (const [category, group] of Object.entries(privGroups(version))) {
    for (const privilege of [...group.root, ...group.admin, ...group.user, ...group.audit])
      valid.add(privilege);
    for (const privilege of [...group.admin, ...group.user, ...group.audit]) {
      add(`PVE${category}Admin`, privilege);
      add('PVEAdmin', privilege);
    }
    if (group.user.length > 0)
      for (const privilege of [...group.user, ...group.audit]) add(`PVE${category}User`, privilege);
    for (const privilege of group.audit) add('PVEAuditor', privilege);
  }
  // "only Administrator, root@pam and PVEMappingAdmin should be able to use that for now"
  roles.get('PVEAdmin')?.delete('Mapping.Modify');
  roles.set('PVETemplateUser', new Set(['VM.Clone', 'VM.Audit']));
  const set: PveRoleSet = { privileges: valid, roles };
  cache.set(version, set);
  return set;
}
