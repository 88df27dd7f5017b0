import { describe, expect, it } from 'vitest';
import { compareShapes, describeDifference, shapeOf } from './shape.js';

const diff = (real: unknown, sim: unknown) =>
  compareShapes(shapeOf(real), shapeOf(sim)).map(describeDifference);

describe('shape comparison', () => {
  it('sees a key the simulator lacks, one it adds, and a type that differs', () => {
    expect(diff({ data: { a: 1, b: 's', c: 0 } }, { data: { a: 1, c: true, d: null } })).toEqual([
      'data.b: real PVE sends string, the simulator nothing',
      'data.c: real PVE sends number, the simulator boolean',
      'data.d: the simulator sends null, real PVE nothing',
    ]);
  });

  it('compares array elements kind by kind and reports a kind only one side has', () => {
    const real = {
      data: [
        { type: 'node', cpu: 0.1 },
        { type: 'sdn', sdn: 'z' },
        { type: 'qemu', vmid: 1 },
      ],
    };
    const sim = {
      data: [
        { type: 'node', cpu: '0.1' },
        { type: 'qemu', vmid: 1, extra: 1 },
      ],
    };
    expect(diff(real, sim)).toEqual([
      'data[node].cpu: real PVE sends number, the simulator string',
      'data[qemu].extra: the simulator sends number, real PVE nothing',
      'data[sdn]: real PVE sends object, the simulator nothing',
    ]);
  });

  it('says nothing about the elements of an array that is empty on one side', () => {
    expect(diff({ data: { disks: [] } }, { data: { disks: [{ volid: 'x' }] } })).toEqual([]);
  });

  it('treats node names, sids and ids used as keys as one key', () => {
    expect(diff({ m: { node02: {}, node03: {} } }, { m: { node01: {} } })).toEqual([]);
    expect(diff({ m: { node02: { x: 1 } } }, { m: { node03: {} } })).toEqual([
      'm.<node>.x: real PVE sends number, the simulator nothing',
    ]);
  });
});
