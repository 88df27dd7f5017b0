// The simulator's read-only token (role PVEAuditor on `/`) gets PVE's permission checks: the
// method's `permissions` from the schema, then the checks handlers make themselves; the 403
// names the path and the missing privilege as RPCEnvironment raise_perm_exc does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, type SimCluster, startSimulator } from '../../src/sim/simulator.js';
import { call } from './helpers/https-call.js';

let sim: RunningSimulator<SimCluster>;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, speed: 100, authFailureDelayMs: 0 });
});
afterAll(async () => {
  await sim.stop();
});

function ask(method: string, path: string, body?: Record<string, string>, full = false) {
  const token = full
    ? `${sim.tokenId}=${sim.tokenSecret}`
    : `${sim.auditorTokenId}=${sim.auditorTokenSecret}`;
  return call(sim.hosts[0] ?? '', sim.caPem, method, `/api2/json${path}`, {
    headers: { Authorization: `PVEAPIToken=${token}` },
    ...(body ? { body } : {}),
  });
}

describe('the auditor token', () => {
  it('reads what Sys.Audit, VM.Audit and Datastore.Audit allow', async () => {
    for (const path of [
      '/cluster/resources',
      '/cluster/status',
      '/cluster/ha/status/current',
      '/nodes/node02/status',
      '/nodes/node01/qemu/100/status/current',
      '/nodes/node01/qemu/100/config',
      '/nodes/node01/storage',
      '/nodes/node01/apt/versions',
    ]) {
      expect((await ask('GET', path)).status, path).toBe(200);
    }
  });

  it('is refused what needs more, with the path and the privilege', async () => {
    const cases: Array<[string, string, Record<string, string> | undefined, string]> = [
      ['GET', '/nodes/node01/apt/update', undefined, '/nodes/node01, Sys.Modify'],
      ['GET', '/nodes/node01/qemu/100/migrate', undefined, '/vms/100, VM.Migrate'],
      ['POST', '/nodes/node01/qemu/100/status/start', {}, '/vms/100, VM.PowerMgmt'],
      [
        'PUT',
        '/nodes/node01/qemu/100/config',
        { cores: '4' },
        '/vms/100, VM.Config.Disk|VM.Config.CDROM|VM.Config.CPU|VM.Config.Memory|VM.Config.Network|VM.Config.HWType|VM.Config.Options|VM.Config.Cloudinit',
      ],
      ['POST', '/nodes/node01/migrateall', { target: 'node02' }, '/, VM.Migrate'],
      ['POST', '/cluster/ha/resources', { sid: 'vm:100' }, '/, Sys.Console'],
      [
        'POST',
        '/cluster/replication',
        { id: '100-0', type: 'local', target: 'node02' },
        '/vms/100, VM.Replicate',
      ],
    ];
    for (const [method, path, body, what] of cases) {
      const answer = await ask(method, path, body);
      expect([answer.status, answer.statusText], `${method} ${path}`).toEqual([
        403,
        `Permission check failed (${what})`,
      ]);
      expect((answer.json as { message?: string }).message).toBe(`Permission check failed (${what})\n`);
    }
  });

  it('is refused a new guest without naming a path, as create_vm raises it', async () => {
    // qemu-server create_vm: VM.Allocate on /vms/<vmid>, else on the pool, else raise_perm_exc().
    const answer = await ask('POST', '/nodes/node01/qemu', { vmid: '150' });
    expect([answer.status, answer.statusText]).toEqual([403, 'Permission check failed']);
  });

  it('lets the full token through (Administrator on /)', async () => {
    expect((await ask('GET', '/nodes/node01/apt/update', undefined, true)).status).toBe(200);
  });
});
