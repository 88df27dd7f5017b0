import { describe, expect, it } from 'vitest';
import { followHaMigration } from '../../src/proxmox/follow-ha-migration.js';
import { PveError } from '../../src/proxmox/pve-error.js';
import { fixedTransport } from './helpers/fixed-transport.js';

const HA_UPID = 'UPID:node02:00001234:00ABCDEF:68D7279C:hamigrate:101:chatops@pve!bot:';
const WEB01 = { type: 'qemu', vmid: 101, node: 'node02' } as const;
const POLL = { initialMs: 2, maxMs: 5 };

const web01 = (node: string, hastate: string) => [
  { id: 'qemu/101', type: 'qemu', vmid: 101, node, status: 'running', hastate },
];
const refused = () =>
  new PveError({ code: 'PVE_NODE_UNREACHABLE', message: 'node unreachable (595 Connection refused)' });

describe('followHaMigration', () => {
  it('rides out a few transient errors while polling, like waitForTask', async () => {
    const transport = fixedTransport({
      'GET /cluster/resources': (_params, call) =>
        call < 4 ? refused() : call === 4 ? web01('node02', 'migrate') : web01('node03', 'started'),
      'GET /cluster/tasks': [],
    });
    const result = await followHaMigration(transport, WEB01, 'node03', {
      haUpid: HA_UPID,
      pollInterval: POLL,
    });
    expect(result.guest).toMatchObject({ node: 'node03', hastate: 'started' });
  });

  it('gives up after five transient errors in a row', async () => {
    const transport = fixedTransport({ 'GET /cluster/resources': () => refused(), 'GET /cluster/tasks': [] });
    const error = await followHaMigration(transport, WEB01, 'node03', {
      haUpid: HA_UPID,
      pollInterval: POLL,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PVE_NODE_UNREACHABLE' });
    expect(transport.calls.filter((c) => c === 'GET /cluster/resources')).toHaveLength(5);
  });

  it('fails with PVE_MIGRATION_BLOCKED when the HA stack never starts the migration', async () => {
    const transport = fixedTransport({
      'GET /cluster/resources': web01('node02', 'started'),
      'GET /cluster/tasks': [],
    });
    const error = await followHaMigration(transport, WEB01, 'node03', {
      haUpid: HA_UPID,
      pollInterval: POLL,
      haStartTimeoutMs: 50,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'PveError',
      code: 'PVE_MIGRATION_BLOCKED',
      vmid: 101,
      reasons: ['the HA stack did not start the migration'],
    });
    expect((error as Error).message).toContain('HA stack did not start the migration');
  });

  it('keeps waiting past haStartTimeoutMs once the HA state shows the migration started', async () => {
    let polls = 0;
    const transport = fixedTransport({
      'GET /cluster/resources': () => {
        polls += 1;
        return polls < 30 ? web01('node02', 'migrate') : web01('node03', 'started');
      },
      'GET /cluster/tasks': [],
    });
    const result = await followHaMigration(transport, WEB01, 'node03', {
      haUpid: HA_UPID,
      pollInterval: POLL,
      haStartTimeoutMs: 1,
    });
    expect(result.guest.node).toBe('node03');
  });
});
