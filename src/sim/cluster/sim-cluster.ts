// The simulated cluster's state and the rules every operation shares (quorum, locks, which node
// a guest lives on), plus node power. Operations live in their own modules (guest-*.ts).
import { PveHttpError } from '../pve-http-error.js';
import type { SimClusterView } from '../types.js';
import { AccessControl, type PoolMembers } from './access-control.js';
import { defaultAccessSeed } from './access-seed.js';
import { BackupArchives } from './backup-archives.js';
import { BackupJobs } from './backup-jobs.js';
import type { GuestType, SimGuest, SimNode, SimStorage } from './cluster-model.js';
import { type ClusterSeed, haSid } from './cluster-seed.js';
import { HaManager } from './ha-manager.js';
import { SimNotifications } from './notification-bus.js';
import { type PveRelease, pveRelease } from './pve-release.js';
import { ReplicationManager } from './replication-manager.js';
import { Scheduler } from './scheduler.js';
import type { SimTask, TaskWork } from './sim-task.js';
import { storageUsed } from './storage-usage.js';
import { TaskManager, type TaskSpec } from './task-manager.js';

/** Simulated (real-time) durations of node power events, divided by `speed` on the wall clock. */
export const NODE_TIMINGS = { rebootDelayMs: 2_000, guestShutdownMs: 8_000, bootMs: 75_000 } as const;

export class SimCluster implements SimClusterView {
  readonly name: string;
  /** The PVE release it answers as: what differs between 8.4 and 9.1 (pve-release.ts). */
  readonly release: PveRelease;
  readonly scheduler: Scheduler;
  readonly now: () => number;
  readonly tasks: TaskManager;
  readonly ha: HaManager;
  readonly replication: ReplicationManager;
  readonly storages: SimStorage[];
  readonly pools: Set<string>;
  /** Backup archives on every storage (vzdump.ts writes them, storage content lists them). */
  readonly backups: BackupArchives;
  /** Scheduled backup jobs (/cluster/backup); the simulator lists them but does not run them. */
  readonly backupJobs: BackupJobs;
  /**
   * PVE's notification system: webhook targets and matchers (/cluster/notifications), and the
   * deliveries the events (a backup's end, a replication failure, fencing) send to them.
   */
  readonly notifications: SimNotifications;
  /**
   * Users, groups, roles, API tokens and ACLs (user.cfg), and the privileges they give on each
   * path: the platform checks every request but root@pam's against them.
   */
  readonly access: AccessControl;
  private readonly nodes = new Map<string, SimNode>();
  private readonly guestsById = new Map<number, SimGuest>();
  private readonly listeners: Array<(node: string, online: boolean) => void> = [];
  private readonly certificates = new Map<string, string>();
  private caCertificatePem: string | undefined;
  private readonly certificateExpiry = new Map<string, number>();
  /** Bytes written to a storage besides guest disks, by `node/storage` (`*\/storage` when shared). */
  private readonly storageExtra = new Map<string, number>();
  private readonly upgradeFailures = new Map<string, { message?: string }>();

  constructor(seed: ClusterSeed, options: { speed: number; now: () => number; release?: PveRelease }) {
    this.name = seed.name;
    this.release = options.release ?? pveRelease('9.1');
    this.now = options.now;
    this.scheduler = new Scheduler(options.speed);
    for (const node of seed.nodes) this.nodes.set(node.name, node);
    for (const guest of seed.guests) this.guestsById.set(guest.vmid, guest);
    this.storages = seed.storages;
    this.pools = new Set(seed.pools);
    this.tasks = new TaskManager(this.scheduler, this.now, (name) => this.node(name));
    this.ha = new HaManager(this, seed.haResources, seed.haRules, seed.haGroups);
    this.replication = new ReplicationManager(this, seed.replication);
    this.backups = new BackupArchives(seed.backups?.archives);
    this.backupJobs = new BackupJobs(seed.backups?.jobs);
    // proxmox-http's version is in the User-Agent: 1.0.x on PVE 9, 0.9.x on 8.4 (bookworm).
    this.notifications = new SimNotifications({
      httpClientVersion: this.release.version === '8.4' ? '0.9.5' : '1.0.6',
    });
    for (const past of seed.backups?.history ?? []) this.tasks.recordPast(past);
    this.access = new AccessControl({
      version: this.release.version,
      now: this.now,
      pools: () => this.poolMembers(),
      seed: seed.access ?? defaultAccessSeed(),
    });
  }

  /** The pools with their guests (user.cfg's pool lines); the simulator puts no storage in a pool. */
  poolMembers(): PoolMembers[] {
    const vms = new Map<string, number[]>([...this.pools].map((pool) => [pool, []]));
    for (const guest of this.guestsById.values()) if (guest.pool) vms.get(guest.pool)?.push(guest.vmid);
    return [...vms].map(([pool, list]) => ({ pool, vms: list, storage: [] }));
  }

  // SimClusterView

  nodeNames(): string[] {
    return [...this.nodes.keys()];
  }

  nodeAddress(node: string): string {
    return this.node(node).address;
  }

  isNodeOnline(node: string): boolean {
    return this.nodes.get(node)?.online ?? false;
  }

  /** Power loss (false) or power-on (true); see `bootNode` for what a boot does. */
  setNodeOnline(name: string, online: boolean): void {
    const node = this.node(name);
    if (node.online === online) return;
    if (online) this.bootNode(node);
    else this.powerOff(node, 'failure');
  }

  /** Quorum: more than half of all votes (one per node) online, as corosync votequorum. */
  isQuorate(): boolean {
    let online = 0;
    for (const node of this.nodes.values()) if (node.online) online += 1;
    return online * 2 > this.nodes.size;
  }

  setNodeFingerprint(node: string, fingerprint: string): void {
    this.node(node).fingerprint = fingerprint;
  }

  /** The cluster CA in PEM (pve-root-ca.pem), shown by /certificates/info when the platform provides it. */
  setCaCertificatePem(pem: string): void {
    this.caCertificatePem = pem;
  }

  caCertificate(): string | undefined {
    return this.caCertificatePem;
  }

  /** The node's certificate in PEM, shown by /certificates/info when the platform provides it. */
  setNodeCertificatePem(node: string, pem: string): void {
    this.certificates.set(node, pem);
  }

  nodeCertificatePem(node: string): string | undefined {
    return this.certificates.get(node);
  }

  /**
   * When the node's `pve-ssl.pem` stops being valid (epoch ms), as /certificates/info reports
   * it; by default two years after it was issued. Only the reported date changes: the simulator
   * keeps serving its own certificate.
   */
  setCertificateExpiry(node: string, notAfterMs: number): void {
    this.node(node);
    this.certificateExpiry.set(node, notAfterMs);
  }

  certificateExpiryOf(node: string): number | undefined {
    return this.certificateExpiry.get(node);
  }

  /**
   * Something besides guest disks (backups, ISO images, a runaway log) fills the storage until
   * `fraction` (0..1) of it is used, on `node` for a local storage, everywhere for a shared one.
   * /cluster/resources and /nodes/{node}/storage report the new use.
   */
  fillStorage(storage: string, fraction: number, node?: string): void {
    const config = this.storages.find((candidate) => candidate.storage === storage);
    if (!config) throw new Error(`no such simulated storage '${storage}'`);
    if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`fraction must be 0..1, got ${fraction}`);
    if (!config.shared && node === undefined) throw new Error(`'${storage}' is local: name the node`);
    const where = config.shared ? (this.nodeNames()[0] ?? '') : (node ?? '');
    this.node(where);
    const key = config.shared ? `*/${storage}` : `${where}/${storage}`;
    const others = storageUsed(this, config, where) - (this.storageExtra.get(key) ?? 0);
    this.storageExtra.set(key, Math.max(0, Math.ceil(fraction * config.total) - others));
  }

  storageExtraUsed(storage: string, node: string): number {
    return this.storageExtra.get(`*/${storage}`) ?? this.storageExtra.get(`${node}/${storage}`) ?? 0;
  }

  onNodeOnlineChange(listener: (node: string, online: boolean) => void): void {
    this.listeners.push(listener);
  }

  // Faults and lifecycle

  /** The next task of `type` (e.g. `qmigrate`) fails with a realistic log ending `TASK ERROR: <message>`. */
  failNextTask(type: string, message: string): void {
    this.tasks.failNext(type, message);
  }

  /**
   * The next `apt-get dist-upgrade` on the node that has something to install fails in dpkg
   * (exit 100), with `message` as dpkg's reason; nothing counts as installed.
   */
  failNextUpgrade(node: string, message?: string): void {
    this.node(node);
    this.upgradeFailures.set(node, message === undefined ? {} : { message });
  }

  /** The armed upgrade failure of the node, consumed by the dist-upgrade that takes it. */
  takeUpgradeFailure(node: string): { message?: string } | undefined {
    const failure = this.upgradeFailures.get(node);
    this.upgradeFailures.delete(node);
    return failure;
  }

  /** Shifts a node's clock (seconds, + ahead): /nodes/{node}/time, UPIDs and task logs follow it. */
  setNodeClockOffset(node: string, seconds: number): void {
    this.node(node).clockOffset = seconds;
  }

  /** Clears every timer so a test process can exit; the cluster must not be used afterwards. */
  close(): void {
    this.scheduler.close();
  }

  // Inspection

  node(name: string): SimNode {
    const node = this.nodes.get(name);
    if (!node) throw new Error(`no such simulated node '${name}'`);
    return node;
  }

  hasNode(name: string): boolean {
    return this.nodes.has(name);
  }

  allNodes(): SimNode[] {
    return [...this.nodes.values()];
  }

  guest(vmid: number): SimGuest | undefined {
    return this.guestsById.get(vmid);
  }

  guests(): SimGuest[] {
    return [...this.guestsById.values()];
  }

  guestsOn(node: string): SimGuest[] {
    return this.guests().filter((guest) => guest.node === node);
  }

  /** The crm state of a guest's HA service, if it is HA-managed. */
  haState(vmid: number): string | undefined {
    const guest = this.guest(vmid);
    return guest ? this.ha.serviceState(haSid(guest.type, vmid))?.state : undefined;
  }

  task(upid: string): SimTask | undefined {
    return this.tasks.get(upid);
  }

  // Rules shared by the operations

  addGuest(guest: SimGuest): void {
    if (this.guestsById.has(guest.vmid)) throw new Error(`guest ${guest.vmid} exists`);
    this.guestsById.set(guest.vmid, guest);
  }

  removeGuest(vmid: number): void {
    this.guestsById.delete(vmid);
  }

  /** PVE::Cluster::check_cfs_quorum: writes to /etc/pve need quorum. */
  assertQuorum(): void {
    if (!this.isQuorate()) throw PveHttpError.die('cluster not ready - no quorum?');
  }

  /** The guest's config must be on the node the request was sent for (load_config). */
  guestOn(node: string, vmid: number, type: GuestType): SimGuest {
    const guest = this.guestsById.get(vmid);
    if (!guest || guest.node !== node || guest.type !== type) {
      const dir = type === 'qemu' ? 'qemu-server' : 'lxc';
      throw PveHttpError.die(`Configuration file 'nodes/${node}/${dir}/${vmid}.conf' does not exist`);
    }
    return guest;
  }

  /** AbstractConfig check_lock: `VM is locked (migrate)` / `CT is locked (backup)`. */
  assertUnlocked(guest: SimGuest): void {
    if (guest.lock)
      throw PveHttpError.die(`${guest.type === 'qemu' ? 'VM' : 'CT'} is locked (${guest.lock})`);
  }

  /** PVE::Cluster::check_node_exists. */
  assertNodeExists(name: string): SimNode {
    const node = this.nodes.get(name);
    if (!node) throw PveHttpError.die(`no such cluster node '${name}'`);
    return node;
  }

  startTask(spec: TaskSpec, work: TaskWork): SimTask {
    return this.tasks.start(spec, work);
  }

  markRunning(guest: SimGuest): void {
    guest.running = true;
    guest.startedAt = this.now();
  }

  markStopped(guest: SimGuest): void {
    guest.running = false;
    delete guest.startedAt;
  }

  // Node power

  /**
   * POST /nodes/{node}/status: `(sleep 2; /sbin/reboot)&` or poweroff. Guests shut down first;
   * with the default HA shutdown_policy `conditional`, a reboot freezes the node's HA services
   * and a shutdown stops them so other nodes take them over.
   */
  requestPowerAction(name: string, command: 'reboot' | 'shutdown'): void {
    const node = this.node(name);
    if (node.powerAction) return;
    node.powerAction = command;
    this.scheduler.after(NODE_TIMINGS.rebootDelayMs, () => {
      this.ha.prepareNodePowerOff(name, command);
      for (const guest of this.guestsOn(name)) if (guest.running) this.markStopped(guest);
      this.scheduler.after(NODE_TIMINGS.guestShutdownMs, () => {
        this.powerOff(node, command);
        if (command === 'reboot') this.scheduler.after(NODE_TIMINGS.bootMs, () => this.bootNode(node));
      });
    });
  }

  private powerOff(node: SimNode, reason: 'reboot' | 'shutdown' | 'failure'): void {
    if (!node.online) return;
    node.online = false;
    // Workers die with the node: no final log line, `unexpected status` once it is back.
    this.tasks.killNode(node.name);
    for (const guest of this.guestsOn(node.name)) if (guest.running) this.markStopped(guest);
    this.ha.nodeWentDown(node.name, reason);
    this.notify(node.name, false);
  }

  /**
   * A node boots: new uptime, the newest installed kernel (no reboot required any more), and (as pve-guests.service does)
   * the guests with `onboot: 1` start. Everything else, including guests that ran before a
   * power loss, stays stopped; HA services are started by the HA stack instead.
   */
  private bootNode(node: SimNode): void {
    if (node.online) return;
    node.online = true;
    node.bootedAt = this.now();
    node.runningKernel = node.installedKernel;
    // /var/run is a tmpfs: the flag the kernel's postinst left is gone with the reboot.
    node.rebootRequired = false;
    delete node.powerAction;
    const onboot = this.guestsOn(node.name).filter(
      (guest) => guest.onboot && !guest.template && !this.ha.isManaged(guest),
    );
    if (onboot.length > 0) {
      this.startTask({ node: node.name, type: 'startall', id: '', user: 'root@pam' }, async (task) => {
        for (const guest of onboot) {
          task.log(`Starting ${guest.type === 'qemu' ? 'VM' : 'CT'} ${guest.vmid}`);
          await task.sleep(1_500);
          this.markRunning(guest);
        }
      });
    }
    this.ha.nodeCameUp(node.name);
    this.notify(node.name, true);
  }

  private notify(node: string, online: boolean): void {
    for (const listener of this.listeners) listener(node, online);
  }
}
