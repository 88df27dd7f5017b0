// The state of the simulated cluster: plain records the SimCluster owns and the routes render.

export type GuestType = 'qemu' | 'lxc';

export interface SimDisk {
  /** Config key: `scsi0`, `virtio1` for QEMU; `rootfs`, `mp0` for LXC. */
  key: string;
  storage: string;
  /** Volume name without the storage, e.g. `vm-100-disk-0` or `base-9000-disk-0`. */
  volume: string;
  sizeGiB: number;
}

export interface SimCdrom {
  /** Config key, e.g. `ide2`. */
  key: string;
  /** `local:iso/debian-12.iso`, `local-lvm:vm-100-cloudinit`. */
  volid: string;
  /** The drive's `size=` (bytes): set when the medium was attached through the API. */
  size?: number;
}

export interface SimGuest {
  vmid: number;
  type: GuestType;
  /** QEMU `name`, LXC `hostname`. */
  name: string;
  node: string;
  running: boolean;
  template: boolean;
  lock?: string;
  memoryMiB: number;
  cores: number;
  disks: SimDisk[];
  /**
   * QEMU CD-ROM drives with a medium (`ide2: local:iso/debian-12.iso,media=cdrom`), including a
   * cloud-init drive (`vm-<id>-cloudinit`). Not disks: they are not cloned, replicated or copied.
   */
  cdroms?: SimCdrom[];
  /** QEMU host devices tying the VM to its node, by config key: `hostpci0`, `usb0`. */
  localDevices?: Record<string, string>;
  /** Other QEMU config keys set through the API and kept as written: `bios`, `net1`. */
  options?: Record<string, string>;
  /**
   * qemu-server's `[PENDING]` section: keys set while the VM ran that cannot be hot-plugged
   * (`bios`, `hostpci0`); vm_start applies them (vmconfig_apply_pending).
   */
  pending?: Record<string, string>;
  /** MAC address of net0, stable across migrations. */
  mac: string;
  tags?: string;
  pool?: string;
  description?: string;
  onboot: boolean;
  ostype: string;
  /** Epoch ms of the last start, when running. */
  startedAt?: number;
  /** The guest's typical load, so metrics look alive but stay deterministic. */
  load: { cpu: number; mem: number; netBytesPerSec: number; diskBytesPerSec: number };
  /** smbios1 uuid / vmgenid, for a realistic config. */
  uuid: string;
  /** The config's `[snapshot]` sections, oldest first (guest-snapshots.ts). */
  snapshots?: SimSnapshot[];
  /** `parent`: the snapshot the current state derives from (set by a snapshot and a rollback). */
  parent?: string;
}

/**
 * What a snapshot section keeps of the guest (AbstractConfig __snapshot_copy_config copies every
 * key but snapshots, snapstate, snaptime, vmstate, lock, digest, description and unusedN).
 */
export type SnapshotState = Pick<
  SimGuest,
  | 'name'
  | 'memoryMiB'
  | 'cores'
  | 'disks'
  | 'cdroms'
  | 'localDevices'
  | 'options'
  | 'tags'
  | 'onboot'
  | 'ostype'
  | 'parent'
>;

export interface SimSnapshot {
  name: string;
  /** Epoch seconds when it was taken. */
  snaptime: number;
  /** The snapshot's own comment (not the guest's description, which a rollback keeps). */
  description?: string;
  /** The RAM state volume (`ceph-vm:vm-100-state-<name>`) when taken with vmstate of a running VM. */
  vmstate?: string;
  /** `prepare` while it is being taken, `delete` while it is being deleted. */
  snapstate?: 'prepare' | 'delete';
  state: SnapshotState;
}

export interface AptPackage {
  Package: string;
  Title: string;
  Description: string;
  Version: string;
  /** The installed version; absent for a package the update would newly install. */
  OldVersion?: string;
  /** The candidate a package-updates notification was sent for (`apt/update` with notify). */
  NotifyStatus?: string;
  Origin: string;
  Priority: string;
  Section: string;
  Arch: string;
}

export interface SimNode {
  name: string;
  nodeid: number;
  address: string;
  online: boolean;
  /** Epoch ms of the last boot. */
  bootedAt: number;
  fingerprint: string;
  /** Seconds this node's clock is ahead (+) or behind (-) true time. */
  clockOffset: number;
  timezone: string;
  cpuModel: string;
  sockets: number;
  cores: number;
  threads: number;
  memTotal: number;
  /** Host memory used besides guests (kernel, pmxcfs, ceph…). */
  memBase: number;
  rootfsTotal: number;
  rootfsUsed: number;
  cpuBase: number;
  /** The kernel that is running, and the newest one installed (differs after an upgrade). */
  runningKernel: string;
  installedKernel: string;
  managerVersion: string;
  pendingUpdates: AptPackage[];
  /** Installed versions of the packages /apt/versions reports. */
  installed: Map<string, string>;
  /**
   * Debian's /var/run/reboot-required: created by a kernel package's postinst, gone after the
   * next boot (/var/run is a tmpfs).
   */
  rebootRequired: boolean;
  /** The apt/dpkg lock holder while `apt-get` runs over SSH (`apt-get update` or `dist-upgrade`). */
  aptLock?: { command: string; pid: number };
  /** Set while a reboot or shutdown requested through the API is in progress. */
  powerAction?: 'reboot' | 'shutdown';
}

export interface SimStorage {
  storage: string;
  type: 'dir' | 'lvmthin' | 'zfspool' | 'rbd' | 'pbs';
  content: string;
  shared: boolean;
  /** Capacity per node (or of the pool, when shared). */
  total: number;
  baseUsed: number;
  /** storage.cfg `nodes`: the nodes it is enabled on (all when absent). */
  nodes?: string[];
  /** Files every node has on it (a non-shared storage: each its own copy), volname → bytes. */
  files?: Record<string, number>;
}

/** A PCI resource mapping (/cluster/mapping/pci): the nodes it has a device on. */
export interface PciMapping {
  id: string;
  nodes: string[];
  /** `live-migration-capable`: a running VM may migrate with the device. */
  liveMigration: boolean;
}

export interface HaResource {
  sid: string;
  type: 'vm' | 'ct';
  vmid: number;
  state: 'started' | 'stopped' | 'disabled' | 'ignored';
  max_restart: number;
  max_relocate: number;
  failback: boolean;
  comment?: string;
  group?: string;
}

/**
 * An HA rule of /etc/pve/ha/rules.cfg (PVE 9.x): node affinity (the resources prefer, or with
 * `strict` are limited to, `nodes`) or resource affinity (kept together or apart).
 */
export interface HaRule {
  rule: string;
  type: 'node-affinity' | 'resource-affinity';
  /** HA resource ids, `vm:100` / `ct:200`. */
  resources: string[];
  /** node-affinity only: node → priority (higher preferred). */
  nodes?: Map<string, number>;
  /** node-affinity only; kept only when it was given, as PVE's section config does. */
  strict?: boolean;
  /** resource-affinity only. */
  affinity?: 'positive' | 'negative';
  /** Set only when true (the GUI deletes the key to enable a rule again). */
  disable?: true;
  comment?: string;
  /** The rule's ordinal in rules.cfg (`order` in the API). */
  order: number;
}

export type CrmState =
  | 'stopped'
  | 'request_stop'
  | 'request_start'
  | 'started'
  | 'fence'
  | 'recovery'
  | 'migrate'
  | 'relocate'
  | 'freeze'
  | 'error';

export interface HaServiceStatus {
  node: string;
  state: CrmState;
  uid: string;
  /** Target node while migrating or relocating. */
  target?: string;
  /**
   * The node the CRM moved the service away from because it entered maintenance; the service
   * goes back there once maintenance ends (`maintenance_node` in manager_status).
   */
  maintenanceNode?: string;
}

export interface ReplicationJob {
  id: string;
  guest: number;
  jobnum: number;
  target: string;
  schedule: string;
  type: 'local';
  rate?: number;
  comment?: string;
  disable?: boolean;
  remove_job?: 'local' | 'full';
  source?: string;
  lastSync: number;
  lastTry: number;
  duration: number;
  failCount: number;
  error?: string;
  nextSync: number;
  running: boolean;
  log: string[];
}
