// The daily digest's picture: CPU %, memory % and guests per node as a PNG. Apache ECharts draws
// it server-side to an SVG string (no DOM, no canvas, no browser), resvg turns that into the PNG.
// A render of 64 nodes takes tens of milliseconds (bench/digest-chart.ts); the first one also
// loads ECharts (about 0.2 s).
import { createRequire } from 'node:module';
import { chartTextWidth } from './chart-text-width.js';
import { clusterChartOption } from './cluster-chart-option.js';
import {
  CHART_MAX_SIDE,
  CHART_MIN_SIZE,
  CHART_SIZE,
  type ChartOptions,
  type NodeLoad,
} from './cluster-chart-types.js';
import { svgToPng } from './svg-to-png.js';

export type { ChartOptions, NodeLoad } from './cluster-chart-types.js';
export { CHART_SIZE } from './cluster-chart-types.js';

type Echarts = typeof import('echarts');
let echarts: Echarts | undefined;

// ECharts is loaded on first use: most processes never draw a chart. Through `require`, which
// gives its CommonJS build, one bundled file that loads in ~0.2 s; its ES module build is ~900
// files that take Node ~1 s.
function loadEcharts(): Echarts {
  if (echarts) return echarts;
  echarts = createRequire(import.meta.url)('echarts') as Echarts;
  // Layout measures text the way resvg will draw it (DejaVu Sans), not with Helvetica's widths.
  echarts.setPlatformAPI({ measureText: (text, font) => ({ width: chartTextWidth(text, font) }) });
  return echarts;
}

function side(value: number | undefined, name: 'width' | 'height'): number {
  const size = value ?? CHART_SIZE[name];
  const min = CHART_MIN_SIZE[name];
  if (!Number.isInteger(size) || size < min || size > CHART_MAX_SIDE) {
    throw new RangeError(
      `the chart's ${name} must be a whole number of pixels from ${min} to ${CHART_MAX_SIDE}, not ${value}`,
    );
  }
  return size;
}

/** The chart as SVG markup, exactly width × height. */
export function renderClusterChartSvg(nodes: NodeLoad[], options: ChartOptions = {}): string {
  const width = side(options.width, 'width');
  const height = side(options.height, 'height');
  const chart = loadEcharts().init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption(clusterChartOption(nodes, { width, height, title: options.title ?? 'Cluster load' }));
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/** The chart as a PNG, exactly width × height (default CHART_SIZE). */
export async function renderClusterChart(nodes: NodeLoad[], options: ChartOptions = {}): Promise<Uint8Array> {
  return svgToPng(renderClusterChartSvg(nodes, options));
}
