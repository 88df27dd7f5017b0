// How far each node's clock is from the others'. Each node's reading is compared with our own
// clock at the middle of its request (the node read its clock somewhere in between), which
// cancels the seconds between one node's read and the next; the nodes are then compared with
// the median of all of them, so one drifting node does not shift the reference of the others.
// (The median of the *others* would be the mean of two in a 3-node cluster, blaming the two
// good nodes for half the third one's drift.)
import type { NodeTimeReading } from './digest-input.js';

/** Each node's offset from the cluster's median clock, in ms (+ ahead). Needs three readings. */
export function clockOffsets(readings: ReadonlyMap<string, NodeTimeReading>): Map<string, number> {
  const skews = new Map([...readings].map(([node, reading]) => [node, skewOf(reading)] as const));
  const offsets = new Map<string, number>();
  if (skews.size < 3) return offsets;
  const reference = median([...skews.values()]);
  for (const [node, skew] of skews) offsets.set(node, skew - reference);
  return offsets;
}

/** The node's clock minus ours, ms. PVE rounds its time down to the second: + 500 ms on average. */
export function skewOf(reading: NodeTimeReading): number {
  return reading.time * 1000 + 500 - (reading.sentAt + reading.receivedAt) / 2;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
