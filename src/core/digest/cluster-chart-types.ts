// What the digest's chart is drawn from, and how big it is drawn. Kept apart from the renderer so
// the option builder and the renderer share it without importing each other.

import type { DigestNodeFigures } from '../../jobs/digest/digest-report.js';

/** One node's load, as the digest read it from PVE: the digest job's own figures, one type for both. */
export type NodeLoad = DigestNodeFigures;

export interface ChartOptions {
  /** Pixels; the PNG is exactly this wide. Default CHART_SIZE.width. */
  width?: number;
  /** Pixels; the PNG is exactly this high. Default CHART_SIZE.height. */
  height?: number;
  /** The chart's heading. Default 'Cluster load'. */
  title?: string;
}

/** What the option builder lays the chart out in: the picture's size and its heading, resolved. */
export interface ChartFrame {
  width: number;
  height: number;
  title: string;
}

/** The default size, and exactly the PNG's size when no other is asked for. */
export const CHART_SIZE = { width: 1000, height: 500 } as const;

/** Beyond this a chat client shrinks the picture anyway, and resvg's memory grows with the area. */
export const CHART_MAX_SIDE = 4000;
/** Below this the two panels, their axes and the legend no longer fit legibly. */
export const CHART_MIN_SIZE = { width: 400, height: 240 } as const;
