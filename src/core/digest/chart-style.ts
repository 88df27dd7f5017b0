// The digest chart's look and margins: colours, font and the fixed distances around the panels.
// Kept in one place because the label, legend, axis and series builders must agree on them (the
// legend's line count decides where the panels start; the side margins decide each node's band).
import type { ChartFrame } from './cluster-chart-types.js';

export const CHART_FONT_FAMILY = 'DejaVu Sans, Verdana, sans-serif';

export const CHART_COLORS = {
  cpu: '#3b82f6',
  memory: '#a855f7',
  running: '#22c55e',
  stopped: '#9ca3af',
  offlineBand: '#eceef2',
  offlineText: '#6b7280',
  offlineBar: '#d1d5db',
  text: '#1f2937',
  muted: '#6b7280',
  grid: '#e5e7eb',
} as const;

export const CHART_LEFT = 64;
export const CHART_RIGHT = 24;
/** Below the title and subtitle. */
export const CHART_HEADER = 62;
export const LEGEND_LINE = 20;
export const LEGEND_ITEM = { width: 14, height: 10, textGap: 5, gap: 10 } as const;
export const PANEL_GAP = 26;
/** ECharts' default gap between an axis and its labels. */
export const LABEL_MARGIN = 8;

/** The width (px) each node gets along the category axis. */
export function nodeBandWidth(nodeCount: number, frame: ChartFrame): number {
  return (frame.width - CHART_LEFT - CHART_RIGHT) / Math.max(nodeCount, 1);
}
