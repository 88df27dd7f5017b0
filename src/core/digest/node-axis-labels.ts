// How the node names fit under the digest chart: their size, their angle and the room they take.
// Its own module because this is the part that lets 3 nodes read comfortably and 64 still fit:
// labels shrink, then turn 45° or 90°, and are cut when even that would take too much height.

import { LABEL_MARGIN, nodeBandWidth } from './chart-style.js';
import { chartTextWidth } from './chart-text-width.js';
import type { ChartFrame, NodeLoad } from './cluster-chart-types.js';

export interface AxisLabelLayout {
  fontSize: number;
  rotate: 0 | 45 | 90;
  /** The vertical room the labels take under the lower panel. */
  height: number;
  /** Set when even rotated labels would take too much room: they are cut to this width. */
  truncateTo?: number;
  /** Show every label (0) or let ECharts skip some ('auto') when they cannot all fit. */
  interval: 0 | 'auto';
}

/** How the node names fit under the chart: size, angle and the room they need. */
export function axisLabelLayout(nodes: NodeLoad[], frame: ChartFrame): AxisLabelLayout {
  const band = nodeBandWidth(nodes.length, frame);
  const fontSize = band >= 60 ? 12 : band >= 24 ? 11 : band >= 12 ? 10 : 9;
  const longest = Math.max(fontSize, ...nodes.map((n) => chartTextWidth(n.node, `${fontSize}px`)));
  const interval = band >= fontSize + 1 ? 0 : 'auto';
  const pad = LABEL_MARGIN + 4;
  // Rotated labels may take at most a quarter of the picture; longer names are cut.
  const room = Math.floor(frame.height * 0.25);
  let rotate: AxisLabelLayout['rotate'];
  let height: number;
  if (longest <= band * 0.9) {
    rotate = 0;
    height = Math.ceil(fontSize * 1.3) + pad;
  } else if (band >= fontSize * 2) {
    rotate = 45;
    height = Math.ceil((longest + fontSize) * Math.SQRT1_2) + pad;
  } else {
    rotate = 90;
    height = Math.ceil(longest) + pad;
  }
  if (height <= room) return { fontSize, rotate, height, interval };
  const along = rotate === 45 ? (room - pad) / Math.SQRT1_2 - fontSize : room - pad;
  return { fontSize, rotate, height: room, truncateTo: Math.max(along, fontSize * 2), interval };
}
