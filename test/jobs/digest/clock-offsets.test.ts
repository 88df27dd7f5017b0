import { describe, expect, it } from 'vitest';
import { clockOffsets } from '../../../src/jobs/digest/clock-offsets.js';
import type { NodeTimeReading } from '../../../src/jobs/digest/collect-digest.js';

/** A node read `delay` ms into the collection, its clock `offset` ms off true time. */
function reading(start: number, delay: number, offset: number, roundTrip = 20): NodeTimeReading {
  const sentAt = start + delay;
  const atNode = sentAt + roundTrip / 2 + offset;
  return { time: Math.floor(atNode / 1000), sentAt, receivedAt: sentAt + roundTrip };
}

describe('clock offsets', () => {
  const start = Date.parse('2025-11-04T08:00:00.300Z');

  it('blames only the node that drifted, not its neighbours (median of all nodes)', () => {
    const offsets = clockOffsets(
      new Map([
        ['node01', reading(start, 0, 0)],
        ['node02', reading(start, 10, 30_000)],
        ['node03', reading(start, 20, 0)],
      ]),
    );
    expect(Math.round((offsets.get('node02') ?? 0) / 1000)).toBe(30);
    expect(Math.abs(offsets.get('node01') ?? 0)).toBeLessThan(1000);
    expect(Math.abs(offsets.get('node03') ?? 0)).toBeLessThan(1000);
  });

  it('is not fooled by reads spread over seconds (each compared with its own request time)', () => {
    const readings = new Map(
      Array.from({ length: 64 }, (_, i) => [`node${i}`, reading(start, i * 97, 0)] as const),
    );
    for (const offset of clockOffsets(readings).values()) expect(Math.abs(offset)).toBeLessThan(1000);
  });

  it('needs three nodes to name one', () => {
    expect(clockOffsets(new Map([['node01', reading(start, 0, 0)]])).size).toBe(0);
  });
});
