// /nodes/{node}/apt: the cached list of upgradable packages, `apt-get update` as an aptupdate
// task (empty id), and the versions of the important Proxmox packages.
import type { SimCluster } from '../cluster/sim-cluster.js';
import type { RouteRegistry } from '../types.js';
import { str } from './request-params.js';

const APT_SOURCES = [
  'http://deb.debian.org/debian trixie InRelease',
  'http://deb.debian.org/debian trixie-updates InRelease',
  'http://security.debian.org/debian-security trixie-security InRelease',
  'http://download.proxmox.com/debian/pve trixie InRelease',
  'http://download.proxmox.com/debian/ceph-squid trixie InRelease',
] as const;

export function registerAptRoutes(registry: RouteRegistry, cluster: SimCluster): void {
  registry.on('GET', '/nodes/{node}/apt/update', (request) =>
    cluster.node(str(request, 'node')).pendingUpdates.map((update) => ({ ...update })),
  );

  registry.on('POST', '/nodes/{node}/apt/update', (request) => {
    const node = str(request, 'node');
    return cluster.startTask({ node, type: 'aptupdate', id: '', user: request.user }, async (task) => {
      task.log('starting apt-get update');
      for (const [index, source] of APT_SOURCES.entries()) {
        await task.sleep(600);
        task.log(
          index % 2 === 0
            ? `Hit:${index + 1} ${source}`
            : `Get:${index + 1} ${source} [${47 + index * 13}.${index} kB]`,
        );
      }
      task.failurePoint();
      task.log(
        `Get:6 http://download.proxmox.com/debian/pve trixie/pve-no-subscription amd64 Packages [312 kB]`,
      );
      task.log('Fetched 471 kB in 2s (235 kB/s)');
      task.log('Reading package lists...');
    }).upid;
  });

  registry.on('GET', '/nodes/{node}/apt/versions', (request) => {
    const node = cluster.node(str(request, 'node'));
    const pending = new Map(node.pendingUpdates.map((update) => [update.Package, update.Version]));
    // pve-manager assemble_pkginfo: `Version` is the candidate (what an upgrade would install),
    // `OldVersion` the installed one, for every installed package.
    return [...node.installed].map(([name, installed]) => {
      const entry: Record<string, unknown> = {
        Package: name,
        Version: pending.get(name) ?? installed,
        OldVersion: installed,
        CurrentState: 'Installed',
        Title: name,
        Origin: 'Proxmox',
        Priority: 'optional',
        Section: name.startsWith('proxmox-kernel') ? 'kernel' : 'admin',
        Arch: 'amd64',
        Description: name,
      };
      if (name === 'proxmox-ve') entry.RunningKernel = node.runningKernel;
      if (name === 'pve-manager') entry.ManagerVersion = node.managerVersion;
      return entry;
    });
  });
}
