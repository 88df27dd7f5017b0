// /nodes/{node}/apt: the cached list of upgradable packages, `apt-get update` as an aptupdate
// task (empty id), and the versions of the important Proxmox packages.
import { APT_TIMINGS, APT_UPDATE_TAIL, aptSourceLines } from '../cluster/apt-output.js';
import type { SimCluster } from '../cluster/sim-cluster.js';
import type { RouteRegistry } from '../types.js';
import { str } from './request-params.js';

export function registerAptRoutes(registry: RouteRegistry, cluster: SimCluster): void {
  registry.on('GET', '/nodes/{node}/apt/update', (request) =>
    cluster.node(str(request, 'node')).pendingUpdates.map((update) => ({ ...update })),
  );

  registry.on('POST', '/nodes/{node}/apt/update', (request) => {
    const node = str(request, 'node');
    return cluster.startTask({ node, type: 'aptupdate', id: '', user: request.user }, async (task) => {
      task.log('starting apt-get update');
      for (const line of aptSourceLines()) {
        await task.sleep(APT_TIMINGS.perSourceMs);
        task.log(line);
      }
      task.failurePoint();
      for (const line of APT_UPDATE_TAIL) task.log(line);
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
