// What PVE checks before it does what a job asks of it: one rule per PVE call a job makes on a
// person's behalf, with the ACL path and privileges PVE requires there. `checkedBy: 'schema'` rules
// are the endpoint's own `permissions` in PVE's API schema (test/jobs/privilege-rules.test.ts holds
// each against it); the others are checks PVE's handler makes in its code, named in `source`
// (pve-behaviour.md, "Permissions"). Path templates use the schema's own names ({vmid}, {node},
// {storage}, {newid}, {pool}). The README's table is this list.

export interface PrivilegeRule {
  /** What the bot does, as the README's table says it. */
  action: string;
  /** The PVE call: method and path as in PVE's API schema (`{type}` is qemu or lxc). */
  endpoint: string;
  /** The ACL path PVE checks, as a template. */
  path: string;
  privileges: readonly string[];
  /** One of `privileges` is enough (PVE's `any => 1`). */
  any?: true;
  /** The PVE major version the rule belongs to, when 8.4 and 9.x check differently. */
  pve?: 8 | 9;
  /** `schema`: the endpoint's `permissions.check`; otherwise where in PVE's code the check is. */
  checkedBy: 'schema' | 'handler';
  /** For handler checks: the repository, file and function that make it. */
  source?: string;
}

export const PRIVILEGE_RULES = {
  'guest-power': {
    action: 'start, stop, shut down or reboot a guest',
    endpoint: 'POST /nodes/{node}/{type}/{vmid}/status/start',
    path: '/vms/{vmid}',
    privileges: ['VM.PowerMgmt'],
    checkedBy: 'schema',
  },
  'guest-migrate': {
    action: 'migrate a guest (also a balance move, an upgrade drain)',
    endpoint: 'POST /nodes/{node}/{type}/{vmid}/migrate',
    path: '/vms/{vmid}',
    privileges: ['VM.Migrate'],
    checkedBy: 'schema',
  },
  'guest-clone': {
    action: 'clone a guest',
    endpoint: 'POST /nodes/{node}/{type}/{vmid}/clone',
    path: '/vms/{vmid}',
    privileges: ['VM.Clone'],
    checkedBy: 'schema',
  },
  'clone-allocate': {
    action: 'clone a guest: its new id (allocated when the job runs: checked on `/vms`, propagated)',
    endpoint: 'POST /nodes/{node}/{type}/{vmid}/clone',
    path: '/vms/{newid}',
    privileges: ['VM.Allocate'],
    checkedBy: 'schema',
  },
  'clone-allocate-pool': {
    action: 'clone a guest into a pool',
    endpoint: 'POST /nodes/{node}/{type}/{vmid}/clone',
    path: '/pool/{pool}',
    privileges: ['VM.Allocate'],
    checkedBy: 'schema',
  },
  'vm-create': {
    action: 'create a VM (its id is allocated when the job runs: checked on `/vms`, propagated)',
    endpoint: 'POST /nodes/{node}/qemu',
    path: '/vms/{vmid}',
    privileges: ['VM.Allocate'],
    checkedBy: 'handler',
    source:
      'qemu-server PVE/API2/Qemu.pm create_vm: $rpcenv->check_vm_perm / VM.Allocate on /vms/{vmid} (or the pool)',
  },
  'guest-snapshot': {
    action: 'take or delete a snapshot (also the safety net and retention)',
    endpoint: 'POST /nodes/{node}/{type}/{vmid}/snapshot',
    path: '/vms/{vmid}',
    privileges: ['VM.Snapshot'],
    checkedBy: 'schema',
  },
  'guest-snapshot-delete': {
    action: 'delete a snapshot',
    endpoint: 'DELETE /nodes/{node}/{type}/{vmid}/snapshot/{snapname}',
    path: '/vms/{vmid}',
    privileges: ['VM.Snapshot'],
    checkedBy: 'schema',
  },
  'guest-rollback': {
    action: 'roll a guest back to a snapshot',
    endpoint: 'POST /nodes/{node}/{type}/{vmid}/snapshot/{snapname}/rollback',
    path: '/vms/{vmid}',
    privileges: ['VM.Snapshot', 'VM.Snapshot.Rollback'],
    any: true,
    checkedBy: 'schema',
  },
  'rollback-start': {
    action: 'roll back and start (`--start`)',
    endpoint: 'POST /nodes/{node}/{type}/{vmid}/snapshot/{snapname}/rollback',
    path: '/vms/{vmid}',
    privileges: ['VM.PowerMgmt'],
    checkedBy: 'handler',
    source:
      'qemu-server PVE/API2/Qemu.pm rollback: $rpcenv->check($authuser, "/vms/$vmid", [\'VM.PowerMgmt\']) if $param->{start}',
  },
  'guest-backup': {
    action: 'back up a guest',
    endpoint: 'POST /nodes/{node}/vzdump',
    path: '/vms/{vmid}',
    privileges: ['VM.Backup'],
    checkedBy: 'handler',
    source:
      'pve-manager PVE/API2/VZDump.pm vzdump → PVE::VZDump::verify_vzdump_parameters / check_vmids: VM.Backup on each guest',
  },
  'backup-storage': {
    action: 'back up a guest: the backup storage',
    endpoint: 'POST /nodes/{node}/vzdump',
    path: '/storage/{storage}',
    privileges: ['Datastore.AllocateSpace'],
    checkedBy: 'handler',
    source:
      'pve-manager PVE/API2/VZDump.pm vzdump: $rpcenv->check($user, "/storage/$storage", [\'Datastore.AllocateSpace\'])',
  },
  'node-power': {
    action: 'reboot or shut down a node (also an upgrade’s reboot)',
    endpoint: 'POST /nodes/{node}/status',
    path: '/nodes/{node}',
    privileges: ['Sys.PowerMgmt'],
    checkedBy: 'schema',
  },
  'node-packages': {
    action: "upgrade a node's packages (refresh and dist-upgrade)",
    endpoint: 'POST /nodes/{node}/apt/update',
    path: '/nodes/{node}',
    privileges: ['Sys.Modify'],
    checkedBy: 'schema',
  },
  'ha-resource': {
    action: 'put a guest under HA; an upgrade’s HA maintenance mode',
    endpoint: 'POST /cluster/ha/resources',
    path: '/',
    privileges: ['Sys.Console'],
    checkedBy: 'schema',
  },
  'ha-resource-remove': {
    action: 'take a guest out of HA',
    endpoint: 'DELETE /cluster/ha/resources/{sid}',
    path: '/',
    privileges: ['Sys.Console'],
    checkedBy: 'schema',
  },
  'replication-create': {
    action: 'create a replication job',
    endpoint: 'POST /cluster/replication',
    path: '/vms/{vmid}',
    privileges: ['VM.Replicate'],
    pve: 9,
    checkedBy: 'handler',
    source: 'pve-manager PVE/API2/ReplicationConfig.pm create: VM.Replicate on /vms/<vmid> (9.x)',
  },
  'replication-create-8': {
    action: 'create a replication job',
    endpoint: 'POST /cluster/replication',
    path: '/storage',
    privileges: ['Datastore.Allocate'],
    pve: 8,
    checkedBy: 'schema',
  },
  'replication-run': {
    action: 'run a replication job now',
    endpoint: 'POST /nodes/{node}/replication/{id}/schedule_now',
    path: '/vms/{vmid}',
    privileges: ['VM.Replicate'],
    pve: 9,
    checkedBy: 'handler',
    source: 'pve-manager PVE/API2/Replication.pm schedule_now: VM.Replicate on /vms/<vmid> (9.x)',
  },
  'replication-run-8': {
    action: 'run a replication job now',
    endpoint: 'POST /nodes/{node}/replication/{id}/schedule_now',
    path: '/storage',
    privileges: ['Datastore.Allocate'],
    pve: 8,
    checkedBy: 'schema',
  },
} as const satisfies Record<string, PrivilegeRule>;

export type PrivilegeRuleName = keyof typeof PRIVILEGE_RULES;
