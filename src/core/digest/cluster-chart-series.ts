// What the digest chart's bars show: an offline band, CPU % and memory % per node in the upper
// panel, running and stopped guests stacked in the lower one. Its own module because this is the
// data side of the chart (whole percents, greyed offline nodes, the stack's total on top), apart
// from the layout around it.
import type { BarSeriesOption } from 'echarts';
import type { ChartPanels } from './chart-panels.js';
import { CHART_COLORS, CHART_FONT_FAMILY } from './chart-style.js';
import type { NodeLoad } from './cluster-chart-types.js';

function percent(part: number, whole: number): number | null {
  if (!Number.isFinite(part) || !Number.isFinite(whole) || whole <= 0) return null;
  // Whole percents: the bars cannot show finer, and the labels read faster.
  return Math.round(Math.min(Math.max(part / whole, 0), 1) * 100);
}

export function clusterChartSeries(nodes: NodeLoad[], panels: ChartPanels): BarSeriesOption[] {
  const { band, valueLabels } = panels;
  const valueLabel = (formatter: string) => ({
    show: valueLabels,
    position: 'top' as const,
    formatter,
    color: CHART_COLORS.text,
    fontSize: 10,
    fontFamily: CHART_FONT_FAMILY,
  });
  const loadItem = (n: NodeLoad, value: number | null) => ({ value: n.online ? value : null });
  const guestItem = (n: NodeLoad, value: number, color: string) => ({
    value,
    itemStyle: { color: n.online ? color : CHART_COLORS.offlineBar },
  });

  return [
    {
      name: 'offline',
      type: 'bar',
      xAxisIndex: 1,
      yAxisIndex: 0,
      barWidth: '86%',
      z: 1,
      silent: true,
      itemStyle: { color: CHART_COLORS.offlineBand, borderColor: CHART_COLORS.offlineBar, borderWidth: 1 },
      label: {
        show: true,
        position: 'inside',
        rotate: band >= 60 ? 0 : 90,
        formatter: 'offline',
        color: CHART_COLORS.offlineText,
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
      itemStyle: { color: CHART_COLORS.cpu },
      label: valueLabel('{c}%'),
      data: nodes.map((n) => loadItem(n, percent(n.cpu, 1))),
    },
    {
      name: 'Memory %',
      type: 'bar',
      xAxisIndex: 0,
      yAxisIndex: 0,
      z: 2,
      itemStyle: { color: CHART_COLORS.memory },
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
      itemStyle: { color: CHART_COLORS.running },
      data: nodes.map((n) => guestItem(n, n.guestsRunning, CHART_COLORS.running)),
    },
    {
      name: 'Stopped guests',
      type: 'bar',
      xAxisIndex: 2,
      yAxisIndex: 1,
      stack: 'guests',
      itemStyle: { color: CHART_COLORS.stopped },
      // The stack's total on top: the number of guests the node holds.
      label: {
        ...valueLabel(''),
        formatter: (params: { dataIndex: number }) => {
          const n = nodes[params.dataIndex];
          return n ? String(n.guestsRunning + n.guestsStopped) : '';
        },
      },
      data: nodes.map((n) => guestItem(n, n.guestsStopped, CHART_COLORS.stopped)),
    },
  ];
}
