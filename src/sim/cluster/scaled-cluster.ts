// Large clusters for benchmarks: N nodes, G guests spread round-robin, built from a seed.
import type { GuestType, HaResource } from './cluster-model.js';
import { type ClusterSeed, defaultStorages, haResource } from './cluster-seed.js';
import { makeGuest } from './make-guest.js';
import { DEFAULT_NODE_NAMING, makeNode, type NodeNaming } from './make-node.js';
import { pick, randomInt, seededRandom } from './seeded-random.js';

const ROLES = ['web', 'app', 'db', 'cache', 'mq', 'api', 'worker', 'build', 'mon', 'log'] as const;
const CT_ROLES = ['dns', 'proxy', 'ntp', 'mail', 'git'] as const;

export function buildScaledCluster(
  nodeCount: number,
  guestCount: number,
  now: number,
  name = 'MonCluster',
  naming: NodeNaming = DEFAULT_NODE_NAMING,
): ClusterSeed {
  const random = seededRandom(nodeCount * 100_003 + guestCount);
  const nodes = Array.from({ length: nodeCount }, (_, index) => makeNode(index, now, random, naming));
  const guests = [];
  const haResources: HaResource[] = [];
  for (let index = 0; index < guestCount; index += 1) {
    const vmid = 100 + index;
    const node = (nodes[index % nodeCount] as (typeof nodes)[number]).name;
    // Mostly VMs, one in eight a container, one in fifty a template.
    const template = index % 50 === 49;
    const type: GuestType = !template && index % 8 === 7 ? 'lxc' : 'qemu';
    const role = type === 'lxc' ? pick(random, CT_ROLES) : pick(random, ROLES);
    const name = template
      ? `tmpl-${String(index).padStart(4, '0')}`
      : `${role}-${String(index).padStart(4, '0')}`;
    const shared = random() < 0.8;
    const running = !template && random() < 0.75;
    guests.push(
      makeGuest(
        {
          vmid,
          type,
          name,
          node,
          running,
          memoryMiB: type === 'lxc' ? pick(random, [512, 1024, 2048]) : pick(random, [2048, 4096, 8192]),
          cores: type === 'lxc' ? 1 : pick(random, [1, 2, 4]),
          storage: shared ? 'ceph-vm' : 'local-lvm',
          diskGiB: type === 'lxc' ? 8 : randomInt(random, 2, 8) * 16,
          template,
          onboot: running,
          tags: role,
        },
        now,
        random,
      ),
    );
    // One in ten running guests on shared storage is HA-managed.
    if (running && shared && index % 10 === 3) haResources.push(haResource(type, vmid, 'started'));
  }
  return {
    name,
    nodes,
    guests,
    storages: defaultStorages(),
    pools: ['prod', 'test'],
    haResources,
    haRules: [],
    replication: [],
  };
}
