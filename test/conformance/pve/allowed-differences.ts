// Where the simulator may answer differently from a real PVE answer in the corpus, and why. Each
// entry names the endpoint (as `METHOD /template`), the shape path (see shape.ts; a trailing `*`
// matches every path below) and the reason. Keep it short: a difference without a good reason
// is a simulator bug to fix, not an entry to add.

export interface AllowedDifference {
  endpoint: string;
  path: string;
  why: string;
}

export const ALLOWED_DIFFERENCES: AllowedDifference[] = [
  {
    endpoint: 'GET /nodes/{node}/replication',
    path: 'data[local].pid',
    why: 'present only while a run is in progress (Replication.pm $extract_job_status); the simulated 103-0 runs every few seconds at 100x speed, so an answer may catch it running',
  },
  {
    endpoint: 'GET /cluster/resources',
    path: 'data[qemu].hastate',
    why: 'only for HA-managed guests (101 in the default cluster); the captured guests had none',
  },
  {
    endpoint: 'GET /cluster/resources',
    path: 'data[qemu].pool',
    why: 'only for guests in a pool (101, 102 in prod); the captured guests were in none',
  },
  {
    endpoint: 'GET /cluster/resources',
    path: 'data[node].hastate',
    why: 'only while the HA manager tracks nodes (the default cluster has HA resource 101); the capture had no HA',
  },
  {
    endpoint: 'GET /cluster/ha/resources',
    path: 'data[vm].failback',
    why: "a section's own options only: the fixture's vm:101 has failback 0 written (by the group migration), the default cluster's only its state",
  },
  {
    endpoint: 'GET /cluster/resources',
    path: 'data[qemu].tags',
    why: 'only for guests with tags (101, 102 in the default cluster); the guests of resources-all.8.json have none',
  },
  {
    endpoint: 'GET /cluster/resources',
    path: 'data[lxc].tags',
    why: 'only for guests with tags (200 in the default cluster); the CT of resources-all.8.json has none',
  },
  {
    endpoint: 'GET /nodes/{node}/status',
    path: 'data.boot-info.secureboot',
    why: 'only on EFI boots: the PVE 8.4 capture comes from a legacy-BIOS host, the simulated nodes boot EFI',
  },
  {
    endpoint: 'GET /nodes/{node}/qemu/{vmid}/status/current',
    path: 'data.tags',
    why: 'only for guests with tags (101, 102 in the default cluster); the captured VMs had none',
  },
  {
    endpoint: 'GET /nodes/{node}/lxc/{vmid}/status/current',
    path: 'data.tags',
    why: 'only for guests with tags (200 in the default cluster); the modelled CT had none',
  },
  {
    endpoint: 'GET /nodes/{node}/qemu/{vmid}/status/current',
    path: 'data.serial',
    why: 'only when the config has a serialN line: the captured VMs had serial0, the simulated configs have none',
  },
  {
    endpoint: 'GET /nodes/{node}/qemu/{vmid}/status/current',
    path: 'data.clipboard',
    why: 'only when the config has a vga line (the captured template had one); the simulated configs have none',
  },
  {
    endpoint: 'GET /nodes/{node}/qemu/{vmid}/status/current',
    path: 'data.spice',
    why: 'only when the config has a qxl or virtio vga line (the captured PVE 8 VMs had one); the simulated configs have none',
  },
  {
    endpoint: 'GET /nodes/{node}/qemu/{vmid}/status/current',
    path: 'data.balloon_min',
    why: 'only when the config has a balloon line below memory (the captured PVE 8 VMs had one, shares with it); the simulated configs have none',
  },
  {
    endpoint: 'GET /nodes/{node}/qemu/{vmid}/status/current',
    path: 'data.shares',
    why: 'sent with balloon_min, only when the config has a balloon line (see data.balloon_min)',
  },
  {
    endpoint: 'GET /nodes/{node}/qemu/{vmid}/status/current',
    path: 'data.blockstat*',
    why: 'the 9.1 capture elides it as {...}; vmstatus(full) sends it for every running VM (QMP query-blockstats)',
  },
  {
    endpoint: 'GET /nodes/{node}/qemu/{vmid}/status/current',
    path: 'data.ballooninfo*',
    why: 'the 9.1 capture elides it as {...}; vmstatus(full) sends it for a running VM with a balloon device',
  },
  {
    endpoint: 'GET /nodes/{node}/qemu/{vmid}/status/current',
    path: 'data.proxmox-support*',
    why: 'the 9.1 capture elides it as {...}; vmstatus(full) sends it for every running VM (QMP query-proxmox-support)',
  },
  {
    endpoint: 'GET /nodes/{node}/tasks/{upid}/status',
    path: 'data.tokenid',
    why: 'only for tasks an API token started; task-status-error.9.json was root@pam, the check runs as the token',
  },
  {
    endpoint: 'GET /cluster/ha/status/current',
    path: 'data[service].comment',
    why: "only for HA resources with a comment (Status.pm copies group, max_restart, max_relocate, failback, comment when set); the captured vm:100 had one, the default cluster's vm:101 has none",
  },
  {
    endpoint: 'GET /cluster/ha/status/current',
    path: 'data[service].auto-rebalance',
    why: 'sent by the PVE 9.2 HA manager (status-current-maintenance-capture.9.json, PVE 9.2.10); pve-ha-manager 5.2.0 and older do not send it, and the simulator models PVE 9.1',
  },
  {
    endpoint: 'GET /cluster/tasks',
    path: 'data[vzdump]*',
    why: "the default cluster starts with its nightly backup job's history (vzdump tasks on every node); the captured task list had none",
  },
  {
    endpoint: 'GET /nodes/{node}/storage',
    path: 'data[pbs]*',
    why: 'the default cluster has a Proxmox Backup Server storage (pbs-backup); the captured node had none',
  },
];

export function isAllowed(endpoint: string, path: string): AllowedDifference | undefined {
  return ALLOWED_DIFFERENCES.find(
    (a) =>
      a.endpoint === endpoint &&
      (a.path === path || (a.path.endsWith('*') && path.startsWith(a.path.slice(0, -1)))),
  );
}
