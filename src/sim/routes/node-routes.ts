// /nodes and the per-node reads and power commands.
import { timeZoneOffsetSeconds } from '../cluster/log-format.js';
import { managerRepoid } from '../cluster/node-packages.js';
import type { SimCluster } from '../cluster/sim-cluster.js';
import { certificateFingerprint } from '../server/certificates.js';
import type { RouteRegistry } from '../types.js';
import { nodeStats, pveVersion, versionInfo } from './render-node.js';
import { str } from './request-params.js';

export function registerNodeRoutes(registry: RouteRegistry, cluster: SimCluster): void {
  registry.on('GET', '/nodes', () =>
    cluster.allNodes().map((node) => {
      const entry: Record<string, unknown> = {
        id: `node/${node.name}`,
        type: 'node',
        node: node.name,
        status: node.online ? 'online' : 'offline',
        level: '',
        ssl_fingerprint: node.fingerprint,
      };
      // A dead node has no fresh statistics.
      if (node.online) Object.assign(entry, nodeStats(cluster, node));
      return entry;
    }),
  );

  registry.on('GET', '/nodes/{node}/status', (request) => {
    const node = cluster.node(str(request, 'node'));
    const stats = nodeStats(cluster, node);
    const load = stats.cpu * node.threads;
    const { software } = cluster.release;
    const kernelDate =
      node.runningKernel === software.kernel
        ? software.kernelBuilt
        : node.runningKernel.startsWith('6.17.4')
          ? '2025-11-20T09:12Z'
          : '2025-10-21T11:55Z';
    const kernelVersion = `#1 SMP PREEMPT_DYNAMIC PMX ${node.runningKernel.replace(/-pve$/, '')} (${kernelDate})`;
    const swapTotal = 8 * 1024 ** 3;
    return {
      uptime: stats.uptime,
      idle: 0,
      cpu: stats.cpu,
      wait: Number((stats.cpu * 0.02).toFixed(4)),
      loadavg: [load, load * 0.9, load * 0.8].map((value) => value.toFixed(2)),
      kversion: `Linux ${node.runningKernel} ${kernelVersion}`,
      'current-kernel': {
        sysname: 'Linux',
        release: node.runningKernel,
        version: kernelVersion,
        machine: 'x86_64',
      },
      'boot-info': { mode: 'efi', secureboot: 0 },
      cpuinfo: {
        model: node.cpuModel,
        cores: node.cores,
        cpus: node.threads,
        sockets: node.sockets,
        mhz: '3200.000',
        hvm: '1',
        flags:
          'fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx lm constant_tsc aes avx avx2',
        user_hz: 100,
      },
      memory: {
        total: stats.maxmem,
        used: stats.mem,
        free: stats.maxmem - stats.mem,
        // pve-manager 9.0 added it (MemAvailable of /proc/meminfo).
        ...(cluster.release.nodeMemoryAvailable ? { available: stats.maxmem - stats.mem } : {}),
      },
      swap: { total: swapTotal, used: 0, free: swapTotal },
      ksm: { shared: 0 },
      rootfs: {
        total: node.rootfsTotal,
        used: Math.floor(node.rootfsUsed),
        free: Math.floor(node.rootfsTotal - node.rootfsUsed),
        avail: Math.floor(node.rootfsTotal - node.rootfsUsed - 5 * 1024 ** 3),
      },
      pveversion: pveVersion(node, managerRepoid(node.managerVersion)),
    };
  });

  registry.on('POST', '/nodes/{node}/status', (request) => {
    // Synchronous, no task: `(sleep 2; /sbin/reboot)&` or poweroff, then `{"data":null}`.
    cluster.requestPowerAction(
      str(request, 'node'),
      str(request, 'command') === 'shutdown' ? 'shutdown' : 'reboot',
    );
    return null;
  });

  registry.on('GET', '/nodes/{node}/time', (request) => {
    const node = cluster.node(str(request, 'node'));
    const nowMs = cluster.now() + node.clockOffset * 1000;
    const time = Math.floor(nowMs / 1000);
    return { timezone: node.timezone, time, localtime: time + timeZoneOffsetSeconds(nowMs, node.timezone) };
  });

  registry.on('PUT', '/nodes/{node}/time', (request) => {
    const node = cluster.node(str(request, 'node'));
    // An invalid zone makes Intl throw; PVE checks against /usr/share/zoneinfo the same way.
    timeZoneOffsetSeconds(cluster.now(), str(request, 'timezone'));
    node.timezone = str(request, 'timezone');
    return null;
  });

  registry.on('GET', '/nodes/{node}/version', (request) => versionInfo(cluster.node(str(request, 'node'))));

  registry.on('GET', '/nodes/{node}/certificates/info', (request) => {
    const node = cluster.node(str(request, 'node'));
    const pem = cluster.nodeCertificatePem(node.name);
    const issued = Math.floor(node.bootedAt / 1000) - 200 * 86_400;
    const sslExpiry = cluster.certificateExpiryOf(node.name);
    const ssl: Record<string, unknown> = {
      filename: 'pve-ssl.pem',
      fingerprint: node.fingerprint,
      issuer: `/CN=Proxmox Virtual Environment/OU=${cluster.name}/O=PVE Cluster Manager CA`,
      subject: `/OU=PVE Cluster Node/O=Proxmox Virtual Environment/CN=${node.name}.local`,
      notbefore: issued,
      notafter: sslExpiry === undefined ? issued + 2 * 365 * 86_400 : Math.floor(sslExpiry / 1000),
      san: [
        '127.0.0.1',
        '0000:0000:0000:0000:0000:0000:0000:0001',
        'localhost',
        node.address,
        node.name,
        `${node.name}.local`,
      ],
      'public-key-type': 'rsaEncryption',
      'public-key-bits': 2048,
    };
    if (pem) ssl.pem = pem;
    // pve-common PVE::Certificate::get_certificate_info: the root CA has no SAN extension (san
    // []), and like every entry a fingerprint and its PEM.
    const caPem = cluster.caCertificate();
    const ca: Record<string, unknown> = {
      filename: 'pve-root-ca.pem',
      fingerprint: caPem ? certificateFingerprint(caPem) : node.fingerprint,
      issuer: `/CN=Proxmox Virtual Environment/OU=${cluster.name}/O=PVE Cluster Manager CA`,
      subject: `/CN=Proxmox Virtual Environment/OU=${cluster.name}/O=PVE Cluster Manager CA`,
      notbefore: issued,
      notafter: issued + 10 * 365 * 86_400,
      san: [],
      'public-key-type': 'rsaEncryption',
      'public-key-bits': 4096,
    };
    if (caPem) ca.pem = caPem;
    return [ca, ssl];
  });
}
