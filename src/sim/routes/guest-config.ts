// Guest configs as GET …/config returns them, and the few keys PUT …/config may change here.
import { createHash } from 'node:crypto';
import type { SimGuest } from '../cluster/cluster-model.js';
import type { SimCluster } from '../cluster/sim-cluster.js';
import { PveHttpError } from '../pve-http-error.js';
import type { SimRequest } from '../types.js';
import { cdromLine, updateQemuDevices } from './qemu-config-update.js';
import { optInt, optMemoryMiB, optStr } from './request-params.js';

function digest(config: Record<string, unknown>): string {
  return createHash('sha1').update(JSON.stringify(config)).digest('hex');
}

export function qemuConfig(guest: SimGuest): Record<string, unknown> {
  const config: Record<string, unknown> = {
    name: guest.name,
    memory: String(guest.memoryMiB),
    cores: guest.cores,
    sockets: 1,
    cpu: 'x86-64-v2-AES',
    numa: 0,
    ostype: guest.ostype,
    scsihw: 'virtio-scsi-single',
    boot: `order=${guest.disks[0]?.key ?? 'scsi0'};ide2;net0`,
    ide2: 'none,media=cdrom',
    net0: `virtio=${guest.mac},bridge=vmbr0,firewall=1`,
    agent: '1',
    smbios1: `uuid=${guest.uuid}`,
    vmgenid: guest.uuid.split('').reverse().join(''),
    meta: 'creation-qemu=10.1.2,ctime=1730000000',
  };
  for (const disk of guest.disks) {
    config[disk.key] = `${disk.storage}:${disk.volume},iothread=1,size=${disk.sizeGiB}G`;
  }
  for (const cdrom of guest.cdroms ?? []) config[cdrom.key] = cdromLine(cdrom);
  Object.assign(config, guest.options, guest.localDevices);
  return finish(guest, config);
}

export function lxcConfig(guest: SimGuest): Record<string, unknown> {
  const config: Record<string, unknown> = {
    arch: 'amd64',
    hostname: guest.name,
    memory: guest.memoryMiB,
    swap: 512,
    cores: guest.cores,
    ostype: guest.ostype,
    unprivileged: 1,
    features: 'nesting=1',
    net0: `name=eth0,bridge=vmbr0,firewall=1,hwaddr=${guest.mac},ip=dhcp,type=veth`,
  };
  for (const disk of guest.disks) config[disk.key] = `${disk.storage}:${disk.volume},size=${disk.sizeGiB}G`;
  return finish(guest, config);
}

function finish(guest: SimGuest, config: Record<string, unknown>): Record<string, unknown> {
  if (guest.onboot) config.onboot = 1;
  if (guest.template) config.template = 1;
  if (guest.tags) config.tags = guest.tags;
  if (guest.description) config.description = guest.description;
  if (guest.lock) config.lock = guest.lock;
  if (guest.parent) config.parent = guest.parent;
  config.digest = digest(config);
  return config;
}

/**
 * PUT …/config for name/hostname, memory, cores, tags, onboot, description and `delete`; for QEMU
 * also drives, NICs, host devices and `bios` (qemu-config-update.ts).
 */
export function updateConfig(cluster: SimCluster, guest: SimGuest, request: SimRequest): void {
  cluster.assertQuorum();
  cluster.assertUnlocked(guest);
  const current = guest.type === 'qemu' ? qemuConfig(guest) : lxcConfig(guest);
  const wantedDigest = optStr(request, 'digest');
  if (wantedDigest && wantedDigest !== current.digest) {
    throw PveHttpError.die('detected modified configuration - file changed by other user? Try again.');
  }
  const name = optStr(request, guest.type === 'qemu' ? 'name' : 'hostname');
  if (name !== undefined) guest.name = name;
  // qemu `memory` is a property string (`[current=]<integer>`), lxc's a plain integer.
  const memory = guest.type === 'qemu' ? optMemoryMiB(request) : optInt(request, 'memory');
  if (memory !== undefined) guest.memoryMiB = memory;
  const cores = optInt(request, 'cores');
  if (cores !== undefined) guest.cores = cores;
  const tags = optStr(request, 'tags');
  if (tags !== undefined) guest.tags = tags;
  const description = optStr(request, 'description');
  if (description !== undefined) guest.description = description;
  if (request.params.onboot !== undefined) guest.onboot = request.params.onboot === true;
  if (guest.type === 'qemu') updateQemuDevices(cluster, guest, request);
  for (const key of (optStr(request, 'delete') ?? '').split(/[,;\s]+/).filter(Boolean)) {
    if (key === 'tags') delete guest.tags;
    else if (key === 'description') delete guest.description;
    else if (key === 'onboot') guest.onboot = false;
  }
}
