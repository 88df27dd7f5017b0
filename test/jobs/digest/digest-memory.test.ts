import { describe, expect, it } from 'vitest';
import { digestMemorySchema, memoryOf } from '../../../src/jobs/digest/digest-memory.js';
import { calmInput, NOW } from './helpers/digest-fixture.js';

describe('the digest memory', () => {
  it('keeps each guest where it was and each node’s boot time, and survives JSON', () => {
    const input = calmInput();
    const node03 = input.nodes[2];
    if (node03) node03.online = false;
    const memory = memoryOf(input);
    expect(memory.at).toBe(NOW);
    expect(memory.guests['100']).toEqual({ name: 'TestVM', node: 'node01', type: 'qemu' });
    expect(memory.guests['201']).toEqual({ name: 'ct-proxy01', node: 'node01', type: 'lxc' });
    expect(Object.keys(memory.guests)).toHaveLength(7);
    expect(memory.nodeBoots).toEqual({ node01: NOW - 20 * 86_400_000, node02: NOW - 21 * 86_400_000 });
    expect(digestMemorySchema.parse(JSON.parse(JSON.stringify(memory)))).toEqual(memory);
  });

  it('refuses what is not a memory', () => {
    expect(digestMemorySchema.safeParse(undefined).success).toBe(false);
    expect(
      digestMemorySchema.safeParse({ at: 1, guests: { 100: { node: 'x', type: 'vm' } }, nodeBoots: {} })
        .success,
    ).toBe(false);
  });
});
