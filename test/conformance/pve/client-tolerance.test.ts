// What later PVE releases may add must not break a read, and what the client cannot understand
// must say where. Starts from a real /cluster/resources answer (PVE 9) and changes it the ways
// PVE has changed between releases: new keys, new `type`s, numbers in exponent form, new status
// texts; then breaks one field to see the message.
import { describe, expect, it } from 'vitest';
import { isPveError, PveErrorCode } from '../../../src/proxmox/pve-error.js';
import type { Fixture } from './fixture-schema.js';
import { loadFixtures } from './load-fixtures.js';
import { useReplayClient } from './use-replay-client.js';

const real = loadFixtures().find((f) => f.file === 'cluster/resources-all.9.json');
const context = useReplayClient();

type Entry = Record<string, unknown>;

function answering(change: (entries: Entry[]) => Entry[]): Fixture {
  if (!real) throw new Error('cluster/resources-all.9.json is missing from the corpus');
  const entries = structuredClone((real.response.body as { data: Entry[] }).data);
  return { ...real, response: { ...real.response, body: { data: change(entries) } } };
}

describe('reading /cluster/resources as PVE grows', () => {
  it('keeps working with new keys, new types, exponent numbers and new status texts', async () => {
    const grown = answering((entries) => [
      ...entries.map((entry) => ({
        ...entry,
        'future-key': { nested: [1, 'x'] },
        ...(entry.type === 'qemu' ? { status: 'suspended-to-cxl', maxdisk: 1.2e21, cpu: '1.5e-05' } : {}),
      })),
      { id: 'gpu-pool/node01/a100', type: 'gpu-pool', node: 'node01', status: 'ok' },
    ]);
    // findGuests asks for ?type=vm: the same grown answer, guests only.
    const guestsOnly: Fixture = {
      ...grown,
      request: { ...grown.request, params: { type: 'vm' } },
      response: {
        ...grown.response,
        body: {
          data: (grown.response.body as { data: Entry[] }).data.filter(
            (e) => e.type === 'qemu' || e.type === 'lxc',
          ),
        },
      },
    };
    context.replay.use([grown, guestsOnly]);
    const resources = await context.client.clusterResources();
    const vm = resources.find((r) => r.type === 'qemu');
    expect(vm).toMatchObject({ status: 'suspended-to-cxl', maxdisk: 1.2e21, cpu: 1.5e-5 });
    expect(resources.find((r) => r.type === 'gpu-pool')).toMatchObject({ node: 'node01' });
    // Guests are still found by name among the new entries.
    const guests = await context.client.findGuests(String((vm as { name?: unknown }).name));
    expect(guests.map((g) => g.vmid)).toEqual([(vm as { vmid: number }).vmid]);
  });

  it('names the endpoint and the field it cannot read, and never guesses', async () => {
    context.replay.use([
      answering((entries) =>
        entries.map((entry) => (entry.type === 'qemu' ? { ...entry, vmid: 'one hundred' } : entry)),
      ),
    ]);
    const error = await context.client.clusterResources().catch((e: unknown) => e);
    expect(isPveError(error, PveErrorCode.BadResponse)).toBe(true);
    expect((error as Error).message).toMatch(/^GET \/cluster\/resources: unexpected response \(\d+\.vmid: /);
  });
});
