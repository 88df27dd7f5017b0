// The read-only client of `pve-record`: GET is the only method it has and the only one its
// dispatchers let through; answers come back raw (status line and body text), errors included;
// the TLS check is the transport's.
import type { Dispatcher } from 'undici';
import { describe, expect, it } from 'vitest';
import { isPveError, PveErrorCode } from '../../src/proxmox/pve-error.js';
import { createPveReadOnlyTransport, getOnlyInterceptor } from '../../src/proxmox/pve-raw-get.js';
import { useSimulatedCluster } from './helpers/simulated-cluster.js';

const cluster = useSimulatedCluster();

function readOnly(overrides: { fingerprints?: string[] } = {}) {
  const { sim } = cluster;
  return createPveReadOnlyTransport({
    hosts: sim.hosts,
    tokenId: sim.tokenId,
    tokenSecret: sim.tokenSecret,
    fingerprints: sim.fingerprints,
    ...overrides,
  });
}

describe('createPveReadOnlyTransport', () => {
  it('has no method that could send anything but GET', async () => {
    const pve = readOnly();
    try {
      expect(Object.keys(pve).sort()).toEqual(['close', 'get', 'hosts']);
      // @ts-expect-error: there is no request(method, …) to call.
      expect(pve.request).toBeUndefined();
    } finally {
      await pve.close();
    }
  });

  it('refuses POST, PUT and DELETE in the dispatcher before anything is sent', () => {
    const sent: string[] = [];
    const dispatch = ((opts: Dispatcher.DispatchOptions) => {
      sent.push(opts.method);
      return true;
    }) as Dispatcher['dispatch'];
    const guarded = getOnlyInterceptor()(dispatch);
    const handler = {} as Dispatcher.DispatchHandler;
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH'] as const) {
      expect(() =>
        guarded({ method, path: '/api2/json/nodes/node01/qemu/100/status/start' }, handler),
      ).toThrow(/GET only/);
    }
    expect(sent).toEqual([]);
    guarded({ method: 'GET', path: '/api2/json/version' }, handler);
    expect(sent).toEqual(['GET']);
  });

  it('returns the status line and the body text as PVE sent them, error answers too', async () => {
    const pve = readOnly();
    const before = cluster.sim.requests.length;
    try {
      const ok = await pve.get('/cluster/resources', { type: 'vm' });
      expect(ok).toMatchObject({ status: 200, statusText: 'OK' });
      expect(JSON.parse(ok.body).data.find((g: { vmid: number }) => g.vmid === 100).name).toBe('TestVM');
      const missing = await pve.get('/nodes/node01/qemu/999/status/current');
      expect(missing.status).toBeGreaterThanOrEqual(400);
      expect(missing.statusText).not.toBe('OK');
      expect(JSON.parse(missing.body)).toMatchObject({ data: null });
    } finally {
      await pve.close();
    }
    expect(cluster.sim.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /cluster/resources',
      'GET /nodes/node01/qemu/999/status/current',
    ]);
  });

  it('keeps the certificate check: an unpinned fingerprint is refused', async () => {
    const pve = readOnly({ fingerprints: [Array(32).fill('AB').join(':')] });
    try {
      const error = await pve.get('/version').catch((e: unknown) => e);
      expect(isPveError(error)).toBe(true);
      expect(error).toMatchObject({ code: PveErrorCode.Tls });
      expect((error as Error).message).toContain('is not pinned');
    } finally {
      await pve.close();
    }
  });
});
