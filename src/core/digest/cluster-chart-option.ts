// The digest chart as an ECharts option: two panels over one row of node names. The upper one
// holds CPU % and memory % per node as grouped bars, the lower one the guests per node (running
// and stopped, stacked). An offline node gets a grey band marked "offline" in the upper panel
// (its CPU and memory are unknown, so no bars) and grey guest bars and name. Every size is
// computed from the picture's size and the number of nodes, so 3 nodes read comfortably and 64
// still fit. This module puts the chart together (title, summary line, legend, grids); the label
// and legend layouts, the panel split, the axes and the series each have a module of their own.
import type { EChartsOption } from 'echarts';
import { legendLayout } from './chart-legend-layout.js';
import { chartPanels } from './chart-panels.js';
import { CHART_COLORS, CHART_FONT_FAMILY, CHART_LEFT, CHART_RIGHT, LEGEND_ITEM } from './chart-style.js';
import { nodeAxes, valueAxes } from './cluster-chart-axes.js';
import { clusterChartSeries } from './cluster-chart-series.js';
import type { ChartFrame, NodeLoad } from './cluster-chart-types.js';
import { axisLabelLayout } from './node-axis-labels.js';

export type { ChartFrame } from './cluster-chart-types.js';

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
  const labels = axisLabelLayout(nodes, frame);
  const anyOffline = nodes.some((n) => !n.online);
  const subtitle = summary(nodes);
  const legend = legendLayout(
    ['CPU %', 'Memory %', 'Running guests', 'Stopped guests', ...(anyOffline ? ['offline'] : [])],
    frame.title,
    subtitle,
    frame,
  );
  const panels = chartPanels(nodes.length, frame, legend.top, labels);

  return {
    animation: false,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: CHART_FONT_FAMILY, color: CHART_COLORS.text },
    title: {
      text: frame.title,
      subtext: subtitle,
      left: CHART_LEFT - 8,
      top: 8,
      textStyle: {
        fontSize: 16,
        fontWeight: 'bold',
        fontFamily: CHART_FONT_FAMILY,
        color: CHART_COLORS.text,
      },
      subtextStyle: { fontSize: 12, fontFamily: CHART_FONT_FAMILY, color: CHART_COLORS.muted },
      itemGap: 6,
    },
    legend: {
      ...legend.placement,
      itemWidth: LEGEND_ITEM.width,
      itemHeight: LEGEND_ITEM.height,
      itemGap: LEGEND_ITEM.gap,
      textStyle: { fontSize: 12, fontFamily: CHART_FONT_FAMILY, color: CHART_COLORS.text },
      data: legend.items,
    },
    grid: [
      { left: CHART_LEFT, right: CHART_RIGHT, top: panels.top, height: panels.loadHeight },
      { left: CHART_LEFT, right: CHART_RIGHT, top: panels.guestsTop, height: panels.guestsHeight },
    ],
    xAxis: nodeAxes(nodes, labels),
    yAxis: valueAxes(nodes, panels),
    series: clusterChartSeries(nodes, panels),
  };
}
