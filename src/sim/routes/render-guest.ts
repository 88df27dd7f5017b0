// Guests as /cluster/resources, /nodes/{node}/qemu|lxc and …/status/current show them.
import type { SimGuest } from '../cluster/cluster-model.js';
import { haSid } from '../cluster/cluster-seed.js';
import { guestMetrics } from '../cluster/guest-metrics.js';
import { MiB } from '../cluster/log-format.js';
import type { SimCluster } from '../cluster/sim-cluster.js';
import { lxcConfig, qemuConfig } from './guest-config.js';

/** `type=vm` entries of /cluster/resources; a guest on a dead node is `unknown`. */
export function resourceEntry(cluster: SimCluster, guest: SimGuest): Record<string, unknown> {
  const m = guestMetrics(guest, cluster.now());
  const nodeUp = cluster.isNodeOnline(guest.node);
  const entry: Record<string, unknown> = {
    id: `${guest.type}/${guest.vmid}`,
    type: guest.type,
    vmid: guest.vmid,
    node: guest.node,
    name: guest.name,
    status: nodeUp ? (guest.running ? 'running' : 'stopped') : 'unknown',
    template: guest.template ? 1 : 0,
    maxcpu: guest.cores,
    ...m,
  };
  // The pve-vm-9.0 RRD row's memhost: the QEMU process's memory on the host; 0 for containers.
  if (cluster.release.guests.memhostAndPressure) entry.memhost = guest.type === 'qemu' ? m.mem : 0;
  optional(cluster, guest, entry);
  return entry;
}

/** GET /nodes/{node}/qemu and /lxc list entries. */
export function listEntry(cluster: SimCluster, guest: SimGuest): Record<string, unknown> {
  const m = guestMetrics(guest, cluster.now());
  const entry: Record<string, unknown> = {
    vmid: guest.vmid,
    name: guest.name,
    status: guest.running ? 'running' : 'stopped',
    cpus: guest.cores,
    ...m,
  };
  if (guest.type === 'lxc') {
    entry.type = 'lxc';
    entry.maxswap = 512 * 1024 ** 2;
  } else if (guest.running) {
    entry.pid = 10_000 + guest.vmid;
    entry.qmpstatus = 'running';
  }
  if (guest.template) entry.template = 1;
  if (guest.lock) entry.lock = guest.lock;
  if (guest.tags) entry.tags = guest.tags;
  return entry;
}

/** …/status/current: vmstatus for the one guest, plus `ha` (and, for QEMU, what the config adds). */
export function currentStatus(cluster: SimCluster, guest: SimGuest): Record<string, unknown> {
  const entry = guest.type === 'qemu' ? qemuStatus(cluster, guest) : lxcStatus(cluster, guest);
  // PVE::HA::Config::get_service_status: {managed: 0}, or managed 1 and the CRM state; 4.0 (PVE
  // 8.4) also the resource's group, null when it has none (no group on 9.x).
  const sid = haSid(guest.type, guest.vmid);
  const service = cluster.ha.isManaged(guest) ? cluster.ha.serviceState(sid) : undefined;
  if (!service) entry.ha = { managed: 0 };
  else if (cluster.release.ha.placement === 'groups')
    entry.ha = { managed: 1, group: cluster.ha.resources.get(sid)?.group ?? null, state: service.state };
  else entry.ha = { managed: 1, state: service.state };
  if (guest.type === 'qemu') qemuConfigExtras(guest, entry);
  return entry;
}

/** avg10 of the guest's cgroup pressure files (read_cgroup_pressure), idle-looking numbers. */
function pressures(guest: SimGuest): Record<string, number> {
  const cpu = Number((guest.load.cpu * 2).toFixed(2));
  return {
    pressurecpusome: cpu,
    pressurecpufull: Number((cpu / 2).toFixed(2)),
    pressureiosome: 0,
    pressureiofull: 0,
    pressurememorysome: 0,
    pressurememoryfull: 0,
  };
}

/**
 * qemu-server QemuServer.pm vmstatus($vmid, full = 1): the config and /proc part for every VM
 * (no diskread/diskwrite: those come from QMP blockstats); for a running one the cgroup part
 * (memhost, pressure*) and the QMP part (nics, blockstat, balloon info, versions, qmpstatus).
 */
function qemuStatus(cluster: SimCluster, guest: SimGuest): Record<string, unknown> {
  const m = guestMetrics(guest, cluster.now());
  const config = qemuConfig(guest);
  const entry: Record<string, unknown> = { vmid: guest.vmid };
  if (guest.running) entry.pid = 10_000 + guest.vmid;
  entry.status = guest.running ? 'running' : 'stopped';
  entry.disk = 0;
  entry.maxdisk = m.maxdisk;
  entry.cpus = guest.cores;
  entry.name = guest.name;
  entry.maxmem = m.maxmem;
  const balloonMiB = Number(config.balloon ?? Number.NaN);
  if (balloonMiB > 0) {
    entry.balloon_min = balloonMiB * MiB;
    entry.shares = Number(config.shares ?? 1000);
  }
  entry.uptime = m.uptime;
  entry.cpu = m.cpu;
  entry.mem = m.mem;
  const cgroupV2 = cluster.release.guests.memhostAndPressure;
  if (cgroupV2) entry.memhost = 0;
  entry.netout = m.netout;
  entry.netin = m.netin;
  if (guest.template) entry.template = 1;
  if (Object.keys(config).some((key) => /^serial\d$/.test(key))) entry.serial = 1;
  if (guest.lock) entry.lock = guest.lock;
  if (guest.tags !== undefined) entry.tags = guest.tags;
  if (guest.running) {
    // The cgroup's memory (memhost) includes QEMU's own overhead; mem is the guest's view.
    if (cgroupV2) entry.memhost = Math.min(m.maxmem, Math.floor(m.mem * 1.16));
    // /proc/net/dev tap<vmid>i<n> counters, per NIC only with full.
    const nics = Object.keys(config).filter((key) => /^net\d+$/.test(key));
    entry.nics = Object.fromEntries(
      nics.map((key, index) => [
        `tap${guest.vmid}i${key.slice(3)}`,
        index === 0 ? { netout: m.netout, netin: m.netin } : { netout: 0, netin: 0 },
      ]),
    );
    if (cgroupV2) Object.assign(entry, pressures(guest));
    Object.assign(entry, qmpStatus(guest, config, m));
  }
  entry.qmpstatus ??= entry.status;
  return entry;
}

/** The QMP queries of vmstatus: query-proxmox-support, -blockstats, -machines, -version, -balloon. */
function qmpStatus(
  guest: SimGuest,
  config: Record<string, unknown>,
  m: ReturnType<typeof guestMetrics>,
): Record<string, unknown> {
  const drives = Object.keys(config).filter((key) =>
    /^(ide|sata|scsi|virtio|efidisk|tpmstate)\d+$/.test(key),
  );
  const blockstat = Object.fromEntries(
    drives.map((key, index) => [
      key,
      blockStats(index === 0 ? m.diskread : 0, index === 0 ? m.diskwrite : 0),
    ]),
  );
  const result: Record<string, unknown> = {
    'proxmox-support': {
      'pbs-dirty-bitmap': true,
      'query-bitmap-info': true,
      'pbs-dirty-bitmap-savevm': true,
      'pbs-dirty-bitmap-migration': true,
      'pbs-masterkey': true,
      'backup-fleecing': true,
      'backup-max-workers': true,
      'pbs-library-version': '2.0.1 (UNKNOWN)',
    },
    blockstat,
    diskread: m.diskread,
    diskwrite: m.diskwrite,
    'running-machine': 'pc-i440fx-10.1+pve0',
    'running-qemu': '10.1.2',
    qmpstatus: 'running',
  };
  // query-balloon fails without a balloon device (`balloon: 0`): then none of these keys.
  if (config.balloon !== '0' && config.balloon !== 0) {
    const total = m.maxmem - 64 * MiB;
    const free = Math.max(0, total - m.mem);
    result.balloon = m.maxmem;
    result.freemem = free;
    result.ballooninfo = {
      actual: m.maxmem,
      max_mem: m.maxmem,
      total_mem: total,
      free_mem: free,
      major_page_faults: 1811,
      minor_page_faults: 3_803_793,
      mem_swapped_in: 0,
      mem_swapped_out: 0,
      last_update: Math.floor((guest.startedAt ?? 0) / 1000) + m.uptime,
    };
    result.mem = total - free;
  }
  return result;
}

/** One device of query-blockstats' `stats` (QEMU 9/10: with the zone_append counters). */
function blockStats(read: number, written: number): Record<string, unknown> {
  const stats: Record<string, unknown> = {
    rd_bytes: read,
    wr_bytes: written,
    rd_operations: Math.floor(read / 65_536),
    wr_operations: Math.floor(written / 32_768),
    rd_merged: 0,
    wr_merged: 0,
    rd_total_time_ns: Math.floor(read / 40),
    wr_total_time_ns: Math.floor(written / 20),
    flush_operations: Math.floor(written / 1_048_576),
    flush_total_time_ns: Math.floor(written / 200),
    unmap_bytes: 0,
    unmap_operations: 0,
    unmap_merged: 0,
    unmap_total_time_ns: 0,
    zone_append_bytes: 0,
    zone_append_operations: 0,
    zone_append_merged: 0,
    zone_append_total_time_ns: 0,
    wr_highest_offset: written,
    idle_time_ns: 4_427_685_914,
    account_failed: true,
    account_invalid: true,
    timed_stats: [],
  };
  for (const kind of ['rd', 'wr', 'flush', 'unmap', 'zone_append']) {
    stats[`failed_${kind}_operations`] = 0;
    stats[`invalid_${kind}_operations`] = 0;
  }
  return stats;
}

/** API2/Qemu.pm vm_status: spice and clipboard from a `vga` line, agent when the agent is enabled. */
function qemuConfigExtras(guest: SimGuest, entry: Record<string, unknown>): void {
  const config = qemuConfig(guest);
  if (typeof config.vga === 'string') {
    const vga = Object.fromEntries(
      config.vga.split(',').map((part, index) => {
        const [key, value] = part.includes('=') ? part.split('=', 2) : [index === 0 ? 'type' : part, '1'];
        return [key, value];
      }),
    );
    if (/^(qxl|virtio)/.test(vga.type ?? '')) entry.spice = 1;
    // Copied even when unset: `clipboard: null` for any vga line without clipboard=.
    entry.clipboard = vga.clipboard ?? null;
  }
  const agent = String(config.agent ?? '0').split(',');
  if (agent.includes('1') || agent.includes('enabled=1')) entry.agent = 1;
}

/**
 * pve-container LXC.pm vmstatus: type/vmid, the config part (maxswap from `swap`, tags, lock,
 * template), zeroed counters for a stopped CT; pid, cgroup memory/swap/io and pressure* only
 * while it runs. No qmpstatus.
 */
function lxcStatus(cluster: SimCluster, guest: SimGuest): Record<string, unknown> {
  const m = guestMetrics(guest, cluster.now());
  const config = lxcConfig(guest);
  const entry: Record<string, unknown> = { type: 'lxc', vmid: guest.vmid };
  if (guest.running) entry.pid = 20_000 + guest.vmid;
  entry.status = guest.running ? 'running' : 'stopped';
  entry.name = guest.name;
  entry.cpus = guest.cores;
  if (guest.tags !== undefined) entry.tags = guest.tags;
  entry.disk = m.disk;
  entry.maxdisk = m.maxdisk;
  entry.mem = m.mem;
  entry.swap = 0;
  entry.maxmem = m.maxmem;
  entry.maxswap = Number(config.swap ?? 0) * MiB;
  entry.uptime = m.uptime;
  entry.cpu = m.cpu;
  entry.netout = m.netout;
  entry.netin = m.netin;
  entry.diskread = m.diskread;
  entry.diskwrite = m.diskwrite;
  if (guest.template) entry.template = 1;
  if (guest.lock) entry.lock = guest.lock;
  if (guest.running && cluster.release.guests.memhostAndPressure) Object.assign(entry, pressures(guest));
  return entry;
}

function optional(cluster: SimCluster, guest: SimGuest, entry: Record<string, unknown>): void {
  if (guest.lock) entry.lock = guest.lock;
  if (guest.tags) entry.tags = guest.tags;
  if (guest.pool) entry.pool = guest.pool;
  // Every configured HA resource, ignored ones included, although those are not HA-managed.
  const hastate = cluster.ha.verboseState(guest);
  if (hastate) entry.hastate = hastate;
}
