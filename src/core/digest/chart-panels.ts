// Where the digest chart's two panels sit: what is left between the legend and the node names goes
// 60/40 to the load panel above and the guests panel below. Its own module because the axes and
// the series both size themselves from these numbers (tick spacing, whether bars get value labels).
import { nodeBandWidth, PANEL_GAP } from './chart-style.js';
import type { ChartFrame } from './cluster-chart-types.js';
import type { AxisLabelLayout } from './node-axis-labels.js';

/** Bars get value labels while a node's band is at least this wide (px). */
const VALUE_LABEL_MIN_BAND = 56;

export interface ChartPanels {
  /** The width (px) each node gets along the category axis. */
  band: number;
  /** Where the load panel starts (under the header and legend). */
  top: number;
  loadHeight: number;
  guestsTop: number;
  guestsHeight: number;
  /** Whether bars carry their numbers: only where there is room both ways. */
  valueLabels: boolean;
}

export function chartPanels(
  nodeCount: number,
  frame: ChartFrame,
  top: number,
  labels: AxisLabelLayout,
): ChartPanels {
  const band = nodeBandWidth(nodeCount, frame);
  const bottom = labels.height + 6;
  const panels = Math.max(frame.height - top - PANEL_GAP - bottom, 40);
  const loadHeight = Math.round(panels * 0.6);
  const guestsHeight = panels - loadHeight;
  const guestsTop = top + loadHeight + PANEL_GAP;
  // Numbers on the bars need room both ways; small pictures keep the axes' numbers only.
  const valueLabels = band >= VALUE_LABEL_MIN_BAND && guestsHeight >= 80;
  return { band, top, loadHeight, guestsTop, guestsHeight, valueLabels };
}
