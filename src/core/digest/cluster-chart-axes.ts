// The digest chart's axes: three category axes of node names (the load panel's ticks, the offline
// bands' own axis, the names under the guests panel) and the two value axes (percent, guests).
// Its own module because axis labels, names and tick spacing are where the chart adapts to its
// size, apart from what the bars show.
import type { XAXisComponentOption, YAXisComponentOption } from 'echarts';
import type { ChartPanels } from './chart-panels.js';
import { CHART_COLORS, CHART_FONT_FAMILY } from './chart-style.js';
import { chartTextWidth } from './chart-text-width.js';
import type { NodeLoad } from './cluster-chart-types.js';
import type { AxisLabelLayout } from './node-axis-labels.js';

export function nodeAxes(nodes: NodeLoad[], labels: AxisLabelLayout): XAXisComponentOption[] {
  const names = nodes.map((n) => n.node);
  return [
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
        color: CHART_COLORS.text,
        rotate: labels.rotate,
        interval: labels.interval,
        ...(labels.truncateTo === undefined ? {} : { width: labels.truncateTo, overflow: 'truncate' }),
        formatter: (name: string) =>
          nodes.find((n) => n.node === name)?.online === false ? `{offline|${name}}` : name,
        rich: {
          offline: { color: CHART_COLORS.offlineText, fontStyle: 'italic', fontSize: labels.fontSize },
        },
      },
    },
  ];
}

export function valueAxes(nodes: NodeLoad[], panels: ChartPanels): YAXisComponentOption[] {
  const { loadHeight, guestsHeight } = panels;
  const axisText = { color: CHART_COLORS.muted, fontSize: 11, fontFamily: CHART_FONT_FAMILY };
  // Axis names stand along their axis, left of the widest tick label ('100%', or a guest count),
  // where the panel is tall enough to hold them.
  const axisName = (name: string, widest: string, panelHeight: number) => ({
    name: chartTextWidth(name, '11px') <= panelHeight ? name : '',
    nameLocation: 'middle' as const,
    nameGap: Math.ceil(chartTextWidth(widest, '11px')) + 14,
    nameTextStyle: axisText,
  });
  const mostGuests = Math.max(0, ...nodes.map((n) => n.guestsRunning + n.guestsStopped));
  return [
    {
      type: 'value',
      gridIndex: 0,
      min: 0,
      max: 100,
      // A tick label every ~20 px at least.
      interval: loadHeight >= 100 ? 25 : 50,
      ...axisName('CPU / memory', '100%', loadHeight),
      axisLabel: { ...axisText, formatter: '{value}%' },
      splitLine: { lineStyle: { color: CHART_COLORS.grid } },
    },
    {
      type: 'value',
      gridIndex: 1,
      minInterval: 1,
      // A rounded-up axis maximum may have one more digit than the largest count.
      ...axisName('guests', `${mostGuests}0`, guestsHeight),
      axisLabel: axisText,
      splitNumber: guestsHeight >= 90 ? 3 : 1,
      splitLine: { lineStyle: { color: CHART_COLORS.grid } },
    },
  ];
}
