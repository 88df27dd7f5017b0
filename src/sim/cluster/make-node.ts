// A node of the simulated cluster, with the hardware and software of a small PVE 9.1 server.
import type { SimNode } from './cluster-model.js';
import { GiB } from './log-format.js';
import { INSTALLED_VERSIONS, MANAGER_VERSION, pendingUpdatesFor, RUNNING_KERNEL } from './node-packages.js';
import { type Random, randomInt } from './seeded-random.js';

/**
 * How a cluster names and places its nodes: `node01` on 127.20.1.101 by default; a second
 * simulated cluster uses another prefix and block (`srv01` on 127.20.2.101) so nothing collides.
 */
export interface NodeNaming {
  /** The node names' prefix, before the two-digit number (default `node`). */
  prefix: string;
  /** The third octet of the first node's address, 127.20.<block>.101 (default 1). */
  block: number;
}

export const DEFAULT_NODE_NAMING: NodeNaming = { prefix: 'node', block: 1 };

/** `node01`… with two digits, three from node 100 on. */
export function nodeName(index: number, prefix = DEFAULT_NODE_NAMING.prefix): string {
  return `${prefix}${String(index + 1).padStart(2, '0')}`;
}

/**
 * 127.20.1.101, .102… and on into 127.20.2.x past .254 (loopback only, never 172.20.1.x);
 * `block` moves the first address to 127.20.<block>.101.
 */
export function nodeAddress(index: number, block = DEFAULT_NODE_NAMING.block): string {
  const offset = 100 + index;
  return `127.20.${block + Math.floor(offset / 254)}.${(offset % 254) + 1}`;
}

/** How many 127.20.x blocks `nodes` nodes take from their first block on (1 up to 154 nodes). */
export function nodeAddressBlocks(nodes: number): number {
  return 1 + Math.floor((100 + nodes - 1) / 254);
}

const CPU_MODELS = [
  'Intel(R) Xeon(R) E-2388G CPU @ 3.20GHz',
  'AMD EPYC 7313P 16-Core Processor',
  'Intel(R) Xeon(R) Silver 4314 CPU @ 2.40GHz',
] as const;

export function makeNode(
  index: number,
  now: number,
  random: Random,
  naming: NodeNaming = DEFAULT_NODE_NAMING,
): SimNode {
  const installed = new Map(INSTALLED_VERSIONS);
  const cores = 8;
  return {
    name: nodeName(index, naming.prefix),
    nodeid: index + 1,
    address: nodeAddress(index, naming.block),
    online: true,
    bootedAt: now - randomInt(random, 12, 45) * 86_400_000 - randomInt(random, 0, 86_399) * 1000,
    fingerprint: '',
    clockOffset: 0,
    timezone: 'Europe/Paris',
    cpuModel: CPU_MODELS[index % CPU_MODELS.length] ?? CPU_MODELS[0],
    sockets: 1,
    cores,
    threads: cores * 2,
    memTotal: 64 * GiB - 512 * 1024 ** 2,
    memBase: (3 + random() * 2) * GiB,
    rootfsTotal: 98 * GiB,
    rootfsUsed: (9 + random() * 6) * GiB,
    cpuBase: 0.01 + random() * 0.03,
    runningKernel: RUNNING_KERNEL,
    installedKernel: RUNNING_KERNEL,
    managerVersion: MANAGER_VERSION,
    pendingUpdates: pendingUpdatesFor(index, installed),
    installed,
    rebootRequired: false,
  };
}
