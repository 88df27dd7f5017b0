// A simulated pve-ha-manager: the CRM (one master deciding service states every round) and the
// LRMs (running start/stop/migrate workers as root@pam, "task started by HA resource agent"),
// node maintenance included (`ha-manager crm-command node-maintenance enable|disable NODE`).
import type { CrmState, HaResource, HaRule, HaServiceStatus, SimGuest } from './cluster-model.js';
import { haSid } from './cluster-seed.js';
import { startPowerTask } from './guest-power.js';
import { groupCandidates, type HaGroup } from './ha-groups.js';
import { HaRuleSet } from './ha-rules.js';
import { logTimestamp } from './log-format.js';
import { startLxcMigrationTask } from './lxc-migrate.js';
import { fencingNotification } from './notification-events.js';
import { startQemuMigrationTask } from './qemu-migrate.js';
import type { SimCluster } from './sim-cluster.js';
import type { SimTask } from './sim-task.js';

/** Simulated (real-time) timings: CRM round, and how long fencing a dead node takes. */
export const HA_TIMINGS = { crmRoundMs: 10_000, kickMs: 1_000, fenceMs: 60_000 } as const;

export type HaNodeState = 'online' | 'unknown' | 'fence' | 'maintenance' | 'gone';

/** An LRM's `state` in its status file (LRM.pm work: the agent lock it holds, or waits for). */
export type LrmState = 'wait_for_agent_lock' | 'active' | 'maintenance' | 'lost_agent_lock';

/** The resource options a section of resources.cfg can set besides `state` (and `type`). */
export type HaResourceOption = 'state' | 'max_restart' | 'max_relocate' | 'failback' | 'group' | 'comment';

/**
 * LRM.pm $max_active_idle_rounds: an active LRM without services gives its agent lock (and
 * watchdog) up only after this many rounds of 10 s.
 */
const MAX_ACTIVE_IDLE_ROUNDS = 60;

export class HaManager {
  readonly resources = new Map<string, HaResource>();
  readonly services = new Map<string, HaServiceStatus>();
  /** /etc/pve/ha/rules.cfg (PVE 9.x placement rules); stored and served, not enforced by this CRM. */
  readonly rules: HaRuleSet;
  /**
   * /etc/pve/ha/groups.cfg (PVE 8.x placement, by name): a resource's `group` limits (restricted)
   * or orders (by priority) the nodes the CRM recovers or evacuates it to.
   */
  readonly groups = new Map<string, HaGroup>();
  readonly nodeStatus = new Map<string, HaNodeState>();
  /** Which options each resource's section in resources.cfg sets (what GET …/resources shows). */
  private readonly written = new Map<string, Set<HaResourceOption>>();
  /** Each LRM's state and the time it last wrote its status file (epoch seconds). */
  private readonly lrms = new Map<string, { state: LrmState; timestamp: number; idleRounds: number }>();
  /**
   * manager_status.node_request: `{maintenance: 1}` per node the CRM was asked to put into
   * maintenance. It lives in the CRM's state in /etc/pve, so it survives the node's reboots.
   */
  readonly nodeRequests = new Map<string, { maintenance: 1 }>();
  /** Whether manager_status has a node_request hash at all (the first command creates it). */
  hasNodeRequests = false;
  master: string;
  /** CRM timestamp of the last round, epoch seconds. */
  timestamp: number;
  private readonly cluster: SimCluster;
  private readonly busy = new Set<string>();
  private readonly fenceDeadline = new Map<string, number>();
  private readonly cleanlyDown = new Set<string>();
  private readonly pendingMigrations = new Map<string, string>();
  /** /etc/pve/ha/crm_commands: queued by the CLI, read and emptied by the CRM's next round. */
  private readonly crmCommands: string[] = [];
  private uidCounter = 0;
  private rounds = 0;
  /** The CRM round in which each service entered its current state. */
  private readonly enteredAt = new WeakMap<HaServiceStatus, number>();
  private kickTimer: NodeJS.Timeout | undefined;

  constructor(cluster: SimCluster, resources: HaResource[], rules: HaRule[] = [], groups: HaGroup[] = []) {
    this.cluster = cluster;
    this.rules = new HaRuleSet(rules);
    for (const group of groups) this.groups.set(group.group, group);
    this.master = cluster.nodeNames()[0] ?? '';
    this.timestamp = Math.floor(cluster.now() / 1000);
    for (const node of cluster.nodeNames()) this.nodeStatus.set(node, 'online');
    // The seeded resources have been in the CRM's status for a while already.
    for (const resource of resources) {
      this.resources.set(resource.sid, resource);
      this.written.set(resource.sid, new Set(resource.group ? ['state', 'group'] : ['state']));
      this.track(resource);
    }
    for (const node of cluster.nodeNames())
      this.lrms.set(node, {
        state: this.activeServiceCount(node) > 0 ? 'active' : 'wait_for_agent_lock',
        timestamp: this.timestamp,
        idleRounds: 0,
      });
    cluster.scheduler.every(HA_TIMINGS.crmRoundMs, () => this.round());
  }

  /**
   * `vm_is_ha_managed`: configured and not `ignored` ("ignored services behave as if they were
   * not managed by HA"), so the API acts on the guest directly.
   */
  isManaged(guest: SimGuest): boolean {
    const resource = this.resources.get(haSid(guest.type, guest.vmid));
    return resource !== undefined && resource.state !== 'ignored';
  }

  serviceState(sid: string): HaServiceStatus | undefined {
    return this.services.get(sid);
  }

  /**
   * The `hastate` /cluster/resources shows for every configured resource, ignored ones included,
   * and the `state` of its entry in /cluster/ha/status/current.
   */
  verboseState(guest: SimGuest): string | undefined {
    const sid = haSid(guest.type, guest.vmid);
    return this.resources.has(sid) ? this.verboseServiceState(sid) : undefined;
  }

  /**
   * pve-ha-manager PVE::HA::Tools::get_verbose_service_state: the CRM state, except `queued`
   * before the CRM took the resource up, `starting`/`stopping`/`disabled` while the requested
   * state is not reached yet, and `clearing error flag` for a disabled service in error.
   */
  verboseServiceState(sid: string): string {
    const resource = this.resources.get(sid);
    if (!resource) return 'deleting';
    if (resource.state === 'ignored') return 'ignored';
    const guest = this.cluster.guest(resource.vmid);
    if (!guest) return 'not found';
    const service = this.services.get(sid);
    if (!service) return 'queued';
    const requested = resource.state;
    switch (service.state) {
      case 'stopped':
        if (requested === 'started') return 'starting';
        return requested === 'disabled' ? 'disabled' : 'stopped';
      case 'started':
        // `running` comes from the LRM's last result: a guest not running yet is still starting.
        if (!guest.running) return 'starting';
        return requested === 'stopped' || requested === 'disabled' ? 'stopping' : 'started';
      case 'error':
        return requested === 'disabled' ? 'clearing error flag' : 'error';
      default:
        return service.state;
    }
  }

  /** The options the resource's section sets (the others take PVE's defaults). */
  writtenOptions(sid: string): ReadonlySet<HaResourceOption> {
    return this.written.get(sid) ?? new Set();
  }

  /** A resource option was written to its section (POST/PUT …/resources), or deleted from it. */
  setWritten(sid: string, option: HaResourceOption, written = true): void {
    const options = this.written.get(sid) ?? new Set<HaResourceOption>();
    if (written) options.add(option);
    else options.delete(option);
    this.written.set(sid, options);
  }

  /**
   * PVE::HA::Tools::count_active_services: the services on the node or on their way to it, unless
   * stopped, frozen, in error or only requesting a start.
   */
  activeServiceCount(node: string): number {
    let count = 0;
    for (const service of this.services.values()) {
      if (service.node !== node && service.target !== node) continue;
      if (['stopped', 'freeze', 'error', 'request_start'].includes(service.state)) continue;
      count += 1;
    }
    return count;
  }

  /** The node's LRM status file: its state and when it last wrote it. */
  lrmStatus(node: string): { state: LrmState; timestamp: number } {
    const lrm = this.lrms.get(node) ?? {
      state: 'wait_for_agent_lock',
      timestamp: this.timestamp,
      idleRounds: 0,
    };
    // A running LRM rewrites its status every few seconds; without quorum /etc/pve is read-only.
    if (this.cluster.isNodeOnline(node) && this.cluster.isQuorate())
      lrm.timestamp = Math.floor(this.cluster.now() / 1000);
    this.lrms.set(node, lrm);
    return { state: lrm.state, timestamp: lrm.timestamp };
  }

  /**
   * POST /cluster/ha/resources: written to resources.cfg with the options given; the CRM takes it
   * up in its next round (until then the status shows it `queued`, without crm_state).
   */
  add(resource: HaResource, written: Iterable<HaResourceOption> = ['state']): void {
    this.resources.set(resource.sid, resource);
    this.written.set(resource.sid, new Set(written));
    this.kick();
  }

  remove(sid: string): void {
    this.resources.delete(sid);
    this.services.delete(sid);
    this.written.delete(sid);
  }

  /** `ha-manager set <sid> --state …`, what hastart/hastop tasks run. */
  setRequestedState(sid: string, state: HaResource['state']): void {
    const resource = this.resources.get(sid);
    if (!resource) return;
    resource.state = state;
    this.track(resource);
    this.kick();
  }

  /**
   * `ha-manager crm-command …` (PVE::HA::Config::queue_crm_commands): the CLI only appends the
   * command, e.g. `enable-node-maintenance node01`; the CRM acts on it in its next round.
   */
  queueCrmCommand(command: string): void {
    this.crmCommands.push(command);
    this.kick();
  }

  /** Whether the CRM has a maintenance request for the node (set until it is disabled). */
  maintenanceRequested(node: string): boolean {
    return this.nodeRequests.get(node)?.maintenance === 1;
  }

  /** The mode the node's LRM reports: it follows the node_request as soon as it reads it. */
  lrmMode(node: string): 'active' | 'maintenance' {
    return this.maintenanceRequested(node) ? 'maintenance' : 'active';
  }

  /**
   * The service could not be started: its start failed `max_restart` times on its node and on
   * every node it was relocated to (`max_relocate`). The CRM then gives up and puts it in the
   * `error` state (Manager.pm next_state_started, "recovery policy"): the guest stays stopped and
   * HA no longer touches it until an admin sets the resource to `disabled` (next_state_error).
   */
  failService(sid: string): void {
    const service = this.services.get(sid);
    const resource = this.resources.get(sid);
    if (!service || !resource) throw new Error(`no HA service '${sid}'`);
    const guest = this.cluster.guest(resource.vmid);
    if (guest?.running) this.cluster.markStopped(guest);
    this.pendingMigrations.delete(sid);
    delete service.target;
    this.setState(service, 'error');
  }

  /** `ha-manager migrate <sid> <node>`: queued for the CRM's next round. */
  requestMigration(sid: string, node: string): void {
    this.pendingMigrations.set(sid, node);
    this.kick();
  }

  guestMoved(guest: SimGuest, node: string): void {
    const service = this.services.get(haSid(guest.type, guest.vmid));
    if (service) service.node = node;
  }

  /** shutdown_policy=conditional: a reboot freezes the node's services, a shutdown stops them. */
  prepareNodePowerOff(node: string, command: 'reboot' | 'shutdown'): void {
    for (const service of this.services.values()) {
      if (service.node !== node) continue;
      if (command === 'reboot') this.setState(service, 'freeze');
    }
    if (command === 'shutdown') this.cleanlyDown.add(node);
  }

  nodeWentDown(node: string, reason: 'reboot' | 'shutdown' | 'failure'): void {
    if (reason === 'failure') this.cleanlyDown.delete(node);
    // Its LRM status file keeps the last state and timestamp it wrote.
    this.lrmStatus(node);
    this.kick();
  }

  nodeCameUp(node: string): void {
    this.cleanlyDown.delete(node);
    this.fenceDeadline.delete(node);
    // A restarted LRM waits for its agent lock again (LRM.pm new: startup, wait_for_agent_lock).
    const lrm = this.lrms.get(node);
    if (lrm) {
      lrm.state = 'wait_for_agent_lock';
      lrm.idleRounds = 0;
    }
    this.kick();
  }

  /** Runs a CRM round soon, as the real CRM reacts within a round of a request. */
  kick(): void {
    if (this.kickTimer) return;
    this.kickTimer = this.cluster.scheduler.after(HA_TIMINGS.kickMs, () => {
      this.kickTimer = undefined;
      this.round();
    });
  }

  /** One CRM round plus the LRMs acting on its decisions. Without quorum nothing moves. */
  round(): void {
    const cluster = this.cluster;
    if (!cluster.isQuorate()) return;
    this.rounds += 1;
    this.timestamp = Math.floor(cluster.now() / 1000);
    if (!cluster.isNodeOnline(this.master))
      this.master = cluster.nodeNames().find((n) => cluster.isNodeOnline(n)) ?? '';
    this.readCrmCommands();
    this.updateNodes();
    // Manager.pm update_service_status... : resources new in resources.cfg enter the CRM's status.
    for (const resource of this.resources.values()) this.track(resource);
    for (const [sid, node] of this.pendingMigrations) {
      const service = this.services.get(sid);
      this.pendingMigrations.delete(sid);
      if (!service || service.node === node || !cluster.isNodeOnline(node)) continue;
      // A node in maintenance takes no service, not even on request ("node is not online").
      if (this.maintenanceRequested(node)) continue;
      if (service.state !== 'started' && service.state !== 'stopped') continue;
      const guest = cluster.guest(this.resources.get(sid)?.vmid ?? -1);
      // Containers cannot move live: HA turns their migration into a relocation.
      this.setState(service, guest?.type === 'lxc' && guest.running ? 'relocate' : 'migrate');
      service.target = node;
      // The admin chose where it goes: it no longer returns to a former maintenance node.
      delete service.maintenanceNode;
    }
    for (const [sid, service] of this.services) this.step(sid, service);
    for (const node of cluster.nodeNames()) this.lrmRound(node);
  }

  /**
   * pve-ha-manager LRM.pm work (the state changes): an LRM takes its agent lock (and arms its
   * watchdog) once it has active services, enters `maintenance` from `active` when asked, and
   * leaves `active` only after MAX_ACTIVE_IDLE_ROUNDS rounds without a service or worker.
   */
  private lrmRound(node: string): void {
    const lrm = this.lrms.get(node);
    if (!lrm || !this.cluster.isNodeOnline(node)) return;
    const active = this.activeServiceCount(node);
    const working = [...this.busy].some((sid) => {
      const service = this.services.get(sid);
      return service?.node === node || service?.target === node;
    });
    const hasService = [...this.services.values()].some((service) => service.node === node);
    switch (lrm.state) {
      case 'wait_for_agent_lock':
      case 'lost_agent_lock':
        if (active > 0) lrm.state = 'active';
        break;
      case 'active':
        if (this.maintenanceRequested(node)) {
          lrm.state = 'maintenance';
        } else if (!hasService && !working) {
          lrm.idleRounds += 1;
          if (lrm.idleRounds > MAX_ACTIVE_IDLE_ROUNDS) {
            lrm.state = 'wait_for_agent_lock';
            lrm.idleRounds = 0;
          }
        } else {
          lrm.idleRounds = 0;
        }
        break;
      case 'maintenance':
        if (active === 0 && !working && !this.maintenanceRequested(node)) lrm.state = 'active';
        break;
    }
  }

  /** Manager.pm read_crm_commands: only the maintenance commands are simulated. */
  private readCrmCommands(): void {
    for (const command of this.crmCommands.splice(0)) {
      const match = /^(enable|disable)-node-maintenance\s+(\S+)\s*$/.exec(command);
      const node = match?.[2];
      // The real CRM logs `crm command error - unknown node` and drops the command.
      if (!match || !node || !this.nodeStatus.has(node)) continue;
      this.hasNodeRequests = true;
      if (match[1] === 'enable') this.nodeRequests.set(node, { maintenance: 1 });
      else this.nodeRequests.delete(node);
    }
  }

  private updateNodes(): void {
    const cluster = this.cluster;
    const simNow = cluster.scheduler.simNow();
    for (const node of cluster.nodeNames()) {
      const online = cluster.isNodeOnline(node);
      const status = this.nodeStatus.get(node);
      if (online) {
        // NodeStatus.pm: `maintenance` while the node's LRM runs in maintenance mode.
        this.nodeStatus.set(node, this.lrmMode(node) === 'maintenance' ? 'maintenance' : 'online');
        continue;
      }
      if (status === 'online' || status === 'maintenance') this.nodeStatus.set(node, 'unknown');
      const needsFence = [...this.services.values()].some(
        (service) => service.node === node && service.state !== 'freeze' && service.state !== 'recovery',
      );
      if (!needsFence) continue;
      if (this.cleanlyDown.has(node)) {
        // The LRM stopped its services and released its lock: no fencing needed.
        for (const service of this.services.values())
          if (service.node === node) this.setState(service, 'recovery');
        continue;
      }
      if (!this.fenceDeadline.has(node)) {
        this.fenceDeadline.set(node, simNow + HA_TIMINGS.fenceMs);
        this.nodeStatus.set(node, 'fence');
        for (const service of this.services.values()) {
          if (service.node === node && service.state !== 'freeze') this.setState(service, 'fence');
        }
        this.notifyFencing(node, false);
      } else if (simNow >= (this.fenceDeadline.get(node) ?? 0)) {
        // The node's watchdog has expired: it is fenced, its services can be recovered.
        this.fenceDeadline.delete(node);
        this.nodeStatus.set(node, 'unknown');
        this.notifyFencing(node, true);
        for (const service of this.services.values())
          if (service.node === node) this.setState(service, 'recovery');
      }
    }
  }

  /**
   * NodeStatus.pm $send_fence_state_email: the master notifies "Trying to fence" when fencing
   * starts and "Successfully fenced" once it holds the node's agent lock (both severity error).
   */
  private notifyFencing(node: string, success: boolean): void {
    const cluster = this.cluster;
    const now = cluster.now();
    void cluster.notifications.send(
      fencingNotification({
        node,
        master: this.master,
        cluster: cluster.name,
        success,
        time: logTimestamp(now, cluster.node(this.master || node).timezone),
        nodes: cluster.nodeNames().map((name) => ({ name, status: this.nodeStatus.get(name) ?? 'unknown' })),
        resources: [...this.services.entries()].map(([sid, service]) => ({
          sid,
          node: service.node,
          state: service.state,
        })),
        timestamp: Math.floor(now / 1000),
      }),
    );
  }

  private step(sid: string, service: HaServiceStatus): void {
    const cluster = this.cluster;
    const resource = this.resources.get(sid);
    const guest = resource ? cluster.guest(resource.vmid) : undefined;
    if (!resource || !guest || this.busy.has(sid)) return;
    const wantRunning = resource.state === 'started';
    const nodeUp = cluster.isNodeOnline(service.node);
    switch (service.state) {
      case 'recovery': {
        // Recovery is its own CRM round: the state is visible before the service moves.
        if (this.enteredAt.get(service) === this.rounds) return;
        const node = this.placementNode(service.node, sid);
        if (!node) return;
        cluster.markStopped(guest);
        delete guest.lock;
        guest.node = node;
        service.node = node;
        this.setState(service, wantRunning ? 'started' : 'stopped');
        break;
      }
      case 'freeze':
        // Frozen until the node is back from its reboot (its LRM is active again).
        if (nodeUp && !cluster.node(service.node).powerAction)
          this.setState(service, wantRunning ? 'started' : 'stopped');
        return;
      case 'fence':
        return;
      case 'error':
        // Only disabling the resource gets a service out of the error state.
        if (resource.state === 'disabled') this.setState(service, 'stopped');
        return;
      case 'migrate':
      case 'relocate':
        if (nodeUp && service.target) this.runMigration(sid, service, guest);
        return;
      case 'stopped':
        if (wantRunning) this.setState(service, 'started');
        break;
      case 'started':
      case 'request_start':
        if (!wantRunning) this.setState(service, 'request_stop');
        break;
      case 'request_stop':
        if (!guest.running) this.setState(service, 'stopped');
        break;
      default:
        break;
    }
    if (!nodeUp || guest.lock) return;
    if (this.moveForMaintenance(sid, service, guest)) return;
    if (service.state === 'started' && !guest.running) {
      this.lrm(sid, startPowerTask(cluster, guest, 'start', { user: 'root@pam', byHa: true }));
    } else if ((service.state === 'request_stop' || service.state === 'stopped') && guest.running) {
      const task = startPowerTask(cluster, guest, 'shutdown', { user: 'root@pam', byHa: true });
      this.lrm(sid, task, () => {
        if (!guest.running) this.setState(service, 'stopped');
      });
    }
  }

  /**
   * Manager.pm next_state_started/stopped: a service on a node in maintenance moves to the best
   * other node (live when it runs, a config move when it is stopped) and remembers the node as
   * `maintenance_node`; once that node has left maintenance the service moves back.
   */
  private moveForMaintenance(sid: string, service: HaServiceStatus, guest: SimGuest): boolean {
    if (service.state !== 'started' && service.state !== 'stopped') return false;
    let target: string | undefined;
    if (this.nodeStatus.get(service.node) === 'maintenance') {
      target = this.placementNode(service.node, sid);
      // No other node can take it: it stays until one can.
      if (!target) return false;
      service.maintenanceNode ??= service.node;
    } else if (service.maintenanceNode) {
      if (service.maintenanceNode === service.node) {
        delete service.maintenanceNode;
        return false;
      }
      if (this.nodeStatus.get(service.maintenanceNode) !== 'online') return false;
      target = service.maintenanceNode;
    } else {
      return false;
    }
    this.setState(service, guest.type === 'lxc' && guest.running ? 'relocate' : 'migrate');
    service.target = target;
    this.runMigration(sid, service, guest);
    return true;
  }

  private runMigration(sid: string, service: HaServiceStatus, guest: SimGuest): void {
    const target = service.target ?? '';
    const after = () => {
      delete service.target;
      // Back home after maintenance: nothing left to return to.
      if (service.maintenanceNode === service.node) delete service.maintenanceNode;
      const wanted = this.resources.get(sid)?.state === 'started';
      this.setState(service, wanted ? 'started' : 'stopped');
    };
    const task =
      guest.type === 'qemu'
        ? startQemuMigrationTask(this.cluster, guest, target, {
            online: guest.running,
            withLocalDisks: true,
            user: 'root@pam',
            byHa: true,
          })
        : startLxcMigrationTask(this.cluster, guest, target, {
            online: false,
            restart: guest.running,
            user: 'root@pam',
            byHa: true,
          });
    this.lrm(sid, task, after);
  }

  /**
   * The CRM drops ignored services from its status and leaves their guests alone; a resource
   * that is no longer ignored is taken up again from the guest's current state.
   */
  private track(resource: HaResource): void {
    if (resource.state === 'ignored') {
      this.services.delete(resource.sid);
      this.pendingMigrations.delete(resource.sid);
      return;
    }
    if (this.services.has(resource.sid)) return;
    const guest = this.cluster.guest(resource.vmid);
    if (!guest) return;
    const running = guest.running && resource.state === 'started';
    this.services.set(resource.sid, {
      node: guest.node,
      state: running ? 'started' : 'stopped',
      uid: this.uid(),
    });
  }

  private lrm(sid: string, task: SimTask, after?: () => void): void {
    this.busy.add(sid);
    task.onDone(() => {
      this.busy.delete(sid);
      after?.();
      this.kick();
    });
  }

  /**
   * The online node with the fewest HA services (the CRM's default placement), counting those
   * on their way there; never a node in maintenance, neither for a recovery nor an evacuation.
   * A resource in an HA group (PVE 8.x) goes to the group's online nodes of highest priority,
   * else (unless the group is restricted) anywhere (Manager.pm select_service_node).
   */
  private placementNode(leaving: string, sid?: string): string | undefined {
    let candidates = this.cluster
      .nodeNames()
      .filter(
        (node) => node !== leaving && this.cluster.isNodeOnline(node) && !this.maintenanceRequested(node),
      );
    const groupName = sid === undefined ? undefined : this.resources.get(sid)?.group;
    const group = groupName === undefined ? undefined : this.groups.get(groupName);
    if (group) candidates = groupCandidates(group, candidates);
    const load = (node: string) =>
      [...this.services.values()].filter((service) => (service.target ?? service.node) === node).length;
    return candidates.sort((a, b) => load(a) - load(b))[0];
  }

  private setState(service: HaServiceStatus, state: CrmState): void {
    if (service.state === state) return;
    service.state = state;
    service.uid = this.uid();
    this.enteredAt.set(service, this.rounds);
  }

  private uid(): string {
    this.uidCounter += 1;
    return Buffer.from(`sim-ha-${this.uidCounter}-${this.cluster.name}`).toString('base64url').slice(0, 22);
  }
}
