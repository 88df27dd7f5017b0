// The digest chart as an ECharts option: two panels over one row of node names. The upper one
// holds CPU % and memory % per node as grouped bars, the lower one the guests per node (running
// and stopped, stacked). An offline node gets a grey band marked "offline" in the upper panel
// (its CPU and memory are unknown, so no bars) and grey guest bars and name. Every size is
// computed here from the picture's size and the number of nodes, so 3 nodes read comfortably and
// 64 still fit: labels shrink, then turn 45° or 90°, and value labels go when bars get thin.
import type { EChartsOption } from 'echarts';
import { chartTextWidth } from './chart-text-width.js';
import type { NodeLoad } from './cluster-chart-types.js';

export interface ChartFrame {
  width: number;
  height: number;
  title: string;
}

export const CHART_FONT_FAMILY = 'DejaVu Sans, Verdana, sans-serif';

const COLORS = {
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

const LEFT = 64;
const RIGHT = 24;
/** Below the title and subtitle. */
const HEADER = 62;
const LEGEND_LINE = 20;
const LEGEND_ITEM = { width: 14, height: 10, textGap: 5, gap: 10 } as const;
const PANEL_GAP = 26;
/** Bars get value labels while a node's band is at least this wide (px). */
const VALUE_LABEL_MIN_BAND = 56;
/** ECharts' default gap between an axis and its labels. */
const LABEL_MARGIN = 8;

interface AxisLabelLayout {
  fontSize: number;
  rotate: 0 | 45 | 90;
  /** The vertical room the labels take under the lower panel. */
  height: number;
  /** Set when even rotated labels would take too much room: they are cut to this width. */
  truncateTo?: number;
  /** Show every label (0) or let ECharts skip some ('auto') when they cannot all fit. */
  interval: 0 | 'auto';
}

function percent(part: number, whole: number): number | null {
  if (!Number.isFinite(part) || !Number.isFinite(whole) || whole <= 0) return null;
  // Whole percents: the bars cannot show finer, and the labels read faster.
  return Math.round(Math.min(Math.max(part / whole, 0), 1) * 100);
}

/** How the node names fit under the chart: size, angle and the room they need. */
function axisLabelLayout(nodes: NodeLoad[], frame: ChartFrame): AxisLabelLayout {
  const band = (frame.width - LEFT - RIGHT) / Math.max(nodes.length, 1);
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

interface LegendLayout {
  items: string[];
  /** Beside the title (wide pictures), or in lines of its own under it. */
  placement: { left?: number; right: number; top: number };
  /** Where the panels start. */
  top: number;
}

function legendLayout(items: string[], title: string, subtitle: string, frame: ChartFrame): LegendLayout {
  const widths = items.map(
    (item) => LEGEND_ITEM.width + LEGEND_ITEM.textGap + chartTextWidth(item, '12px') + LEGEND_ITEM.gap,
  );
  const legend = widths.reduce((sum, w) => sum + w, 0);
  const header = Math.max(chartTextWidth(title, 'bold 16px'), chartTextWidth(subtitle, '12px'));
  if (LEFT - 8 + header + 24 + legend + RIGHT <= frame.width) {
    return { items, placement: { right: RIGHT, top: 12 }, top: HEADER + 8 };
  }
  // ECharts wraps a legend that is too wide; count its lines the same way.
  const room = frame.width - (LEFT - 8) - RIGHT;
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
    placement: { left: LEFT - 8, right: RIGHT, top: HEADER },
    top: HEADER + lines * LEGEND_LINE + 8,
  };
}

function summary(nodes: NodeLoad[]): string {
  const online = nodes.filter((n) => n.online).length;
  const running = nodes.reduce((sum, n) => sum + n.guestsRunning, 0);
  const stopped = nodes.reduce((sum, n) => sum + n.guestsStopped, 0);
  const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  return `${online}/${plural(nodes.length, 'node')} online · ${running} running, ${stopped} stopped ${
    running + stopped === 1 ? 'guest' : 'guests'
  }`;
}

export function clusterChartOption(nodes: NodeLoad[], frame: ChartFrame): EChartsOption {
  const names = nodes.map((n) => n.node);
  const labels = axisLabelLayout(nodes, frame);
  const band = (frame.width - LEFT - RIGHT) / Math.max(nodes.length, 1);
  const anyOffline = nodes.some((n) => !n.online);
  const subtitle = summary(nodes);
  const legend = legendLayout(
    ['CPU %', 'Memory %', 'Running guests', 'Stopped guests', ...(anyOffline ? ['offline'] : [])],
    frame.title,
    subtitle,
    frame,
  );
  const top = legend.top;

  // What is left between the header and the node names goes 60/40 to the two panels.
  const bottom = labels.height + 6;
  const panels = Math.max(frame.height - top - PANEL_GAP - bottom, 40);
  const loadHeight = Math.round(panels * 0.6);
  const guestsHeight = panels - loadHeight;
  const guestsTop = top + loadHeight + PANEL_GAP;
  // Numbers on the bars need room both ways; small pictures keep the axes' numbers only.
  const valueLabels = band >= VALUE_LABEL_MIN_BAND && guestsHeight >= 80;

  const axisText = { color: COLORS.muted, fontSize: 11, fontFamily: CHART_FONT_FAMILY };
  // Axis names stand along their axis, left of the widest tick label ('100%', or a guest count),
  // where the panel is tall enough to hold them.
  const axisName = (name: string, widest: string, panelHeight: number) => ({
    name: chartTextWidth(name, '11px') <= panelHeight ? name : '',
    nameLocation: 'middle' as const,
    nameGap: Math.ceil(chartTextWidth(widest, '11px')) + 14,
    nameTextStyle: axisText,
  });
  const mostGuests = Math.max(0, ...nodes.map((n) => n.guestsRunning + n.guestsStopped));
  const valueLabel = (formatter: string) => ({
    show: valueLabels,
    position: 'top' as const,
    formatter,
    color: COLORS.text,
    fontSize: 10,
    fontFamily: CHART_FONT_FAMILY,
  });
  const loadItem = (n: NodeLoad, value: number | null) => ({ value: n.online ? value : null });
  const guestItem = (n: NodeLoad, value: number, color: string) => ({
    value,
    itemStyle: { color: n.online ? color : COLORS.offlineBar },
  });

  return {
    animation: false,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: CHART_FONT_FAMILY, color: COLORS.text },
    title: {
      text: frame.title,
      subtext: subtitle,
      left: LEFT - 8,
      top: 8,
      textStyle: { fontSize: 16, fontWeight: 'bold', fontFamily: CHART_FONT_FAMILY, color: COLORS.text },
      subtextStyle: { fontSize: 12, fontFamily: CHART_FONT_FAMILY, color: COLORS.muted },
      itemGap: 6,
    },
    legend: {
      ...legend.placement,
      itemWidth: LEGEND_ITEM.width,
      itemHeight: LEGEND_ITEM.height,
      itemGap: LEGEND_ITEM.gap,
      textStyle: { fontSize: 12, fontFamily: CHART_FONT_FAMILY, color: COLORS.text },
      data: legend.items,
    },
    grid: [
      { left: LEFT, right: RIGHT, top, height: loadHeight },
      { left: LEFT, right: RIGHT, top: guestsTop, height: guestsHeight },
    ],
    xAxis: [
      // The load panel shows ticks only: the names are written once, under the guests.
      {
        type: 'category',
        gridIndex: 0,
        data: names,
        axisLabel: { show: false },
        axisTick: { show: true, interval: 0 },
      },
      // The offline bands sit on an axis of their own, so they span the whole band of their node
      // instead of taking a third slot in its group of bars.
      { type: 'category', gridIndex: 0, data: names, show: false },
      {
        type: 'category',
        gridIndex: 1,
        data: names,
        axisLabel: {
          fontSize: labels.fontSize,
          fontFamily: CHART_FONT_FAMILY,
          color: COLORS.text,
          rotate: labels.rotate,
          interval: labels.interval,
          ...(labels.truncateTo === undefined ? {} : { width: labels.truncateTo, overflow: 'truncate' }),
          formatter: (name: string) =>
            nodes.find((n) => n.node === name)?.online === false ? `{offline|${name}}` : name,
          rich: { offline: { color: COLORS.offlineText, fontStyle: 'italic', fontSize: labels.fontSize } },
        },
      },
    ],
    yAxis: [
      {
        type: 'value',
        gridIndex: 0,
        min: 0,
        max: 100,
        // A tick label every ~20 px at least.
        interval: loadHeight >= 100 ? 25 : 50,
        ...axisName('CPU / memory', '100%', loadHeight),
        axisLabel: { ...axisText, formatter: '{value}%' },
        splitLine: { lineStyle: { color: COLORS.grid } },
      },
      {
        type: 'value',
        gridIndex: 1,
        minInterval: 1,
        // A rounded-up axis maximum may have one more digit than the largest count.
        ...axisName('guests', `${mostGuests}0`, guestsHeight),
        axisLabel: axisText,
        splitNumber: guestsHeight >= 90 ? 3 : 1,
        splitLine: { lineStyle: { color: COLORS.grid } },
      },
    ],
    series: [
      {
        name: 'offline',
        type: 'bar',
        xAxisIndex: 1,
        yAxisIndex: 0,
        barWidth: '86%',
        z: 1,
        silent: true,
        itemStyle: { color: COLORS.offlineBand, borderColor: COLORS.offlineBar, borderWidth: 1 },
        label: {
          show: true,
          position: 'inside',
          rotate: band >= 60 ? 0 : 90,
          formatter: 'offline',
          color: COLORS.offlineText,
          fontSize: Math.min(12, Math.max(8, Math.floor(band * 0.6))),
          fontFamily: CHART_FONT_FAMILY,
        },
        data: nodes.map((n) => (n.online ? null : 100)),
      },
      {
        name: 'CPU %',
        type: 'bar',
        xAxisIndex: 0,
        yAxisIndex: 0,
        z: 2,
        barGap: '10%',
        barCategoryGap: nodes.length > 16 ? '20%' : '35%',
        itemStyle: { color: COLORS.cpu },
        label: valueLabel('{c}%'),
        data: nodes.map((n) => loadItem(n, percent(n.cpu, 1))),
      },
      {
        name: 'Memory %',
        type: 'bar',
        xAxisIndex: 0,
        yAxisIndex: 0,
        z: 2,
        itemStyle: { color: COLORS.memory },
        label: valueLabel('{c}%'),
        data: nodes.map((n) => loadItem(n, percent(n.memUsed, n.memTotal))),
      },
      {
        name: 'Running guests',
        type: 'bar',
        xAxisIndex: 2,
        yAxisIndex: 1,
        stack: 'guests',
        barCategoryGap: nodes.length > 16 ? '20%' : '45%',
        itemStyle: { color: COLORS.running },
        data: nodes.map((n) => guestItem(n, n.guestsRunning, COLORS.running)),
      },
      {
        name: 'Stopped guests',
        type: 'bar',
        xAxisIndex: 2,
        yAxisIndex: 1,
        stack: 'guests',
        itemStyle: { color: COLORS.stopped },
        // The stack's total on top: the number of guests the node holds.
        label: {
          ...valueLabel(''),
          formatter: (params: { dataIndex: number }) => {
            const n = nodes[params.dataIndex];
            return n ? String(n.guestsRunning + n.guestsStopped) : '';
          },
        },
        data: nodes.map((n) => guestItem(n, n.guestsStopped, COLORS.stopped)),
      },
    ],
  };
}
