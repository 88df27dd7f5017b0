// How the digest chart is laid out before anything is drawn: offline nodes, label angles for 3
// and 64 nodes, long names, the legend's place, and the text measures behind them.
import { describe, expect, it } from 'vitest';
import { chartTextWidth } from '../../src/core/digest/chart-text-width.js';
import { clusterChartOption } from '../../src/core/digest/cluster-chart-option.js';
import type { NodeLoad } from '../../src/core/digest/cluster-chart-types.js';
import { expandFont, expandFontShorthand } from '../../src/core/digest/expand-font-shorthand.js';

const GiB = 1024 ** 3;
const FRAME = { width: 1000, height: 500, title: 'Cluster load' };

function node(name: string, overrides: Partial<NodeLoad> = {}): NodeLoad {
  return {
    node: name,
    online: true,
    cpu: 0.5,
    memUsed: 8 * GiB,
    memTotal: 32 * GiB,
    guestsRunning: 2,
    guestsStopped: 1,
    ...overrides,
  };
}

interface Series {
  name: string;
  data: Array<number | null | { value: number | null; itemStyle?: { color?: string } }>;
  label?: { show?: boolean };
}
interface Axis {
  axisLabel?: { rotate?: number; fontSize?: number; width?: number; overflow?: string };
}

const seriesOf = (option: ReturnType<typeof clusterChartOption>, name: string) =>
  (option.series as Series[]).find((s) => s.name === name)!;
const nodeAxis = (option: ReturnType<typeof clusterChartOption>) => (option.xAxis as Axis[])[2]!;

describe('clusterChartOption', () => {
  it('draws CPU and memory as whole percents, and no bars for an offline node but a band', () => {
    const option = clusterChartOption(
      [
        node('node01', { cpu: 0.234, memUsed: 27 * GiB }),
        node('node02', { online: false, cpu: 0, memUsed: 0 }),
      ],
      FRAME,
    );
    expect(seriesOf(option, 'CPU %').data).toEqual([{ value: 23 }, { value: null }]);
    expect(seriesOf(option, 'Memory %').data).toEqual([{ value: 84 }, { value: null }]);
    expect(seriesOf(option, 'offline').data).toEqual([null, 100]);
    const running = seriesOf(option, 'Running guests').data as Array<{ itemStyle: { color: string } }>;
    expect(running[0]!.itemStyle.color).not.toBe(running[1]!.itemStyle.color);
    expect((option.legend as { data: string[] }).data).toContain('offline');
  });

  it('lists no offline entry in the legend when every node is online', () => {
    const option = clusterChartOption([node('node01'), node('node02')], FRAME);
    expect((option.legend as { data: string[] }).data).toEqual([
      'CPU %',
      'Memory %',
      'Running guests',
      'Stopped guests',
    ]);
  });

  it('survives a node that reports no memory total', () => {
    const option = clusterChartOption([node('node01', { memTotal: 0, memUsed: 0 })], FRAME);
    expect(seriesOf(option, 'Memory %').data).toEqual([{ value: null }]);
  });

  it('writes 3 node names straight, with numbers on the bars', () => {
    const option = clusterChartOption([node('node01'), node('node02'), node('node03')], FRAME);
    expect(nodeAxis(option).axisLabel).toMatchObject({ rotate: 0, fontSize: 12 });
    expect(seriesOf(option, 'CPU %').label?.show).toBe(true);
  });

  it('turns 64 names upright in a smaller font, without numbers on the thin bars', () => {
    const nodes = Array.from({ length: 64 }, (_, i) => node(`node${String(i + 1).padStart(2, '0')}`));
    const option = clusterChartOption(nodes, FRAME);
    expect(nodeAxis(option).axisLabel).toMatchObject({ rotate: 90, fontSize: 10 });
    expect(nodeAxis(option).axisLabel?.overflow).toBeUndefined();
    expect(seriesOf(option, 'CPU %').label?.show).toBe(false);
  });

  it('cuts names too long for a quarter of the picture', () => {
    const nodes = Array.from({ length: 20 }, (_, i) => node(`pve-prod-rack${i}-hypervisor-${i}.example.com`));
    const label = nodeAxis(clusterChartOption(nodes, FRAME)).axisLabel!;
    expect(label.overflow).toBe('truncate');
    expect(label.width).toBeLessThan(chartTextWidth(nodes[0]!.node, `${label.fontSize}px`));
  });

  it('puts the legend beside the title when it fits, under it when not', () => {
    const wide = clusterChartOption([node('node01')], FRAME);
    expect(wide.legend).toMatchObject({ right: 24, top: 12 });
    expect((wide.legend as { left?: number }).left).toBeUndefined();
    const narrow = clusterChartOption([node('node01')], { ...FRAME, width: 500 });
    expect(narrow.legend).toMatchObject({ left: 56, right: 24, top: 62 });
    // The panels start lower to make room for it.
    const top = (option: typeof wide) => (option.grid as Array<{ top: number }>)[0]!.top;
    expect(top(narrow)).toBeGreaterThan(top(wide));
  });
});

describe('chartTextWidth', () => {
  it('measures with DejaVu Sans widths, bold wider, unknown glyphs wide', () => {
    // n o d e 0 1 in DejaVu Sans: 634 + 612 + 635 + 615 + 636 + 636 thousandths of an em.
    expect(chartTextWidth('node01', '10px DejaVu Sans')).toBeCloseTo(37.68, 2);
    expect(chartTextWidth('node01', 'bold 10px DejaVu Sans')).toBeGreaterThan(37.68);
    expect(chartTextWidth('node01', 'normal normal 20px DejaVu Sans')).toBeCloseTo(75.36, 2);
    expect(chartTextWidth('é')).toBeCloseTo(0.85 * 12, 5);
  });
});

describe('expandFontShorthand', () => {
  it('rewrites the CSS font shorthand, which resvg ignores, into separate properties', () => {
    expect(expandFont('normal normal 10px DejaVu Sans, Verdana, sans-serif')).toBe(
      'font-size:10px;font-family:DejaVu Sans, Verdana, sans-serif',
    );
    expect(expandFont('italic bold 12px sans-serif')).toBe(
      'font-style:italic;font-weight:bold;font-size:12px;font-family:sans-serif',
    );
    expect(expandFont('not a font')).toBeUndefined();
    expect(
      expandFontShorthand(
        '<text style="font: normal normal 10px DejaVu Sans" x="1">a</text><text style="fill:red">b</text>',
      ),
    ).toBe(
      '<text style="font-size:10px;font-family:DejaVu Sans" x="1">a</text><text style="fill:red">b</text>',
    );
  });
});
