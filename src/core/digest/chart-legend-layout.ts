// Where the digest chart's legend goes and how much height it takes. Its own module because the
// answer moves the panels: a legend that fits beside the title costs nothing, one that does not
// takes lines of its own, counted the way ECharts wraps it.

import { CHART_HEADER, CHART_LEFT, CHART_RIGHT, LEGEND_ITEM, LEGEND_LINE } from './chart-style.js';
import { chartTextWidth } from './chart-text-width.js';
import type { ChartFrame } from './cluster-chart-types.js';

export interface LegendLayout {
  items: string[];
  /** Beside the title (wide pictures), or in lines of its own under it. */
  placement: { left?: number; right: number; top: number };
  /** Where the panels start. */
  top: number;
}

export function legendLayout(
  items: string[],
  title: string,
  subtitle: string,
  frame: ChartFrame,
): LegendLayout {
  const widths = items.map(
    (item) => LEGEND_ITEM.width + LEGEND_ITEM.textGap + chartTextWidth(item, '12px') + LEGEND_ITEM.gap,
  );
  const legend = widths.reduce((sum, w) => sum + w, 0);
  const header = Math.max(chartTextWidth(title, 'bold 16px'), chartTextWidth(subtitle, '12px'));
  if (CHART_LEFT - 8 + header + 24 + legend + CHART_RIGHT <= frame.width) {
    return { items, placement: { right: CHART_RIGHT, top: 12 }, top: CHART_HEADER + 8 };
  }
  // ECharts wraps a legend that is too wide; count its lines the same way.
  const room = frame.width - (CHART_LEFT - 8) - CHART_RIGHT;
  let lines = 1;
  let used = 0;
  for (const w of widths) {
    if (used > 0 && used + w > room) {
      lines += 1;
      used = 0;
    }
    used += w;
  }
  return {
    items,
    placement: { left: CHART_LEFT - 8, right: CHART_RIGHT, top: CHART_HEADER },
    top: CHART_HEADER + lines * LEGEND_LINE + 8,
  };
}
