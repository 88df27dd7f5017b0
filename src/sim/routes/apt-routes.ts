// /nodes/{node}/apt: the cached list of upgradable packages, `apt-get update` as an aptupdate
// task (empty id), and the versions of the important Proxmox packages.
import { APT_TIMINGS, APT_UPDATE_TAIL, aptSourceLines } from '../cluster/apt-output.js';
import { managerRepoid, NOT_INSTALLED_CANDIDATES } from '../cluster/node-packages.js';
import { packageUpdatesNotification } from '../cluster/notification-events.js';
import type { SimCluster } from '../cluster/sim-cluster.js';
import type { RouteRegistry } from '../types.js';
import { bool, str } from './request-params.js';

export function registerAptRoutes(registry: RouteRegistry, cluster: SimCluster): void {
  registry.on('GET', '/nodes/{node}/apt/update', (request) =>
    cluster.node(str(request, 'node')).pendingUpdates.map((update) => ({ ...update })),
  );

  registry.on('POST', '/nodes/{node}/apt/update', (request) => {
    const node = str(request, 'node');
    const notify = bool(request, 'notify');
    return cluster.startTask({ node, type: 'aptupdate', id: '', user: request.user }, async (task) => {
      task.log('starting apt-get update');
      for (const line of aptSourceLines()) {
        await task.sleep(APT_TIMINGS.perSourceMs);
        task.log(line);
      }
      task.failurePoint();
      for (const line of APT_UPDATE_TAIL) task.log(line);
      // With notify, a package-updates notification goes out for what was not announced yet and
      // each package remembers the version it announced (pve-manager APT.pm update_database).
      if (notify) {
        const fresh = cluster
          .node(node)
          .pendingUpdates.filter((update) => update.NotifyStatus !== update.Version);
        for (const update of fresh) update.NotifyStatus = update.Version;
        if (fresh.length > 0)
          void cluster.notifications.send(
            packageUpdatesNotification(
              node,
              fresh.map((update) => ({
                name: update.Package,
                installed: update.OldVersion ?? '',
                available: update.Version,
              })),
              Math.floor(cluster.now() / 1000),
            ),
          );
      }
    }).upid;
  });

  registry.on('GET', '/nodes/{node}/apt/versions', (request) => {
    const node = cluster.node(str(request, 'node'));
    const pending = new Map(node.pendingUpdates.map((update) => [update.Package, update.Version]));
    const describe = (name: string, version: string): Record<string, unknown> => ({
      Package: name,
      Version: version,
      Title: name,
      Origin: 'Proxmox',
      Priority: 'optional',
      Section: name.startsWith('proxmox-kernel') ? 'kernel' : 'admin',
      Arch: 'amd64',
      Description: name,
    });
    // pve-manager APT.pm versions: `Version` is the candidate (what an upgrade would install),
    // `OldVersion` the installed one; a package of the fixed list that is not installed comes
    // with its candidate, CurrentState NotInstalled and no OldVersion.
    const installed = [...node.installed].map(([name, version]) => {
      const entry = {
        ...describe(name, pending.get(name) ?? version),
        OldVersion: version,
        CurrentState: 'Installed',
      };
      if (name === 'proxmox-ve') return { ...entry, RunningKernel: node.runningKernel };
      // PVE::pvecfg::version_text(): `<version>/<repoid>`.
      if (name === 'pve-manager')
        return { ...entry, ManagerVersion: `${node.managerVersion}/${managerRepoid(node.managerVersion)}` };
      return entry;
    });
    const missing = NOT_INSTALLED_CANDIDATES.filter(([name]) => !node.installed.has(name)).map(
      ([name, version]) => ({
        ...describe(name, version),
        CurrentState: 'NotInstalled',
      }),
    );
    return [...installed, ...missing];
  });
}
