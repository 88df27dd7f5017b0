// The digest chart as the chat receives it: a valid PNG of exactly the size asked for, for a
// small cluster and a 64-node one, with fonts and without any.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import {
  CHART_SIZE,
  type NodeLoad,
  renderClusterChart,
  renderClusterChartSvg,
} from '../../src/core/digest/render-cluster-chart.js';
import { svgToPng } from '../../src/core/digest/svg-to-png.js';

const GiB = 1024 ** 3;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const DEJAVU = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

const THREE_NODES: NodeLoad[] = [
  {
    node: 'node01',
    online: true,
    cpu: 0.23,
    memUsed: 12 * GiB,
    memTotal: 32 * GiB,
    guestsRunning: 3,
    guestsStopped: 1,
  },
  {
    node: 'node02',
    online: true,
    cpu: 0.71,
    memUsed: 27 * GiB,
    memTotal: 32 * GiB,
    guestsRunning: 2,
    guestsStopped: 0,
  },
  {
    node: 'node03',
    online: true,
    cpu: 0.05,
    memUsed: 4 * GiB,
    memTotal: 32 * GiB,
    guestsRunning: 1,
    guestsStopped: 1,
  },
];

/** 64 nodes of varied load; node42 is offline. */
const SIXTY_FOUR_NODES: NodeLoad[] = Array.from({ length: 64 }, (_, i) => ({
  node: `node${String(i + 1).padStart(2, '0')}`,
  online: i !== 41,
  cpu: i === 41 ? 0 : ((i * 37) % 100) / 100,
  memUsed: i === 41 ? 0 : (((i * 53) % 100) / 100) * 256 * GiB,
  memTotal: 256 * GiB,
  guestsRunning: i === 41 ? 0 : (i * 7) % 90,
  guestsStopped: (i * 3) % 12,
}));

/** The PNG's own header, read by hand: signature, then IHDR as the first chunk. */
function ihdr(png: Uint8Array): { width: number; height: number; bitDepth: number; colorType: number } {
  const bytes = Buffer.from(png);
  expect(bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  expect(bytes.readUInt32BE(8)).toBe(13);
  expect(bytes.toString('latin1', 12, 16)).toBe('IHDR');
  return {
    width: bytes.readUInt32BE(16),
    height: bytes.readUInt32BE(20),
    bitDepth: bytes[24]!,
    colorType: bytes[25]!,
  };
}

/** Pixels of exactly this colour (opaque). */
function countColour(image: PNG, hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  let count = 0;
  for (let i = 0; i < image.data.length; i += 4) {
    if (image.data[i] === r && image.data[i + 1] === g && image.data[i + 2] === b) count += 1;
  }
  return count;
}

describe('renderClusterChart', () => {
  it('draws 3 nodes as a PNG of the default size, exactly', async () => {
    const png = await renderClusterChart(THREE_NODES);
    expect(ihdr(png)).toMatchObject({ width: CHART_SIZE.width, height: CHART_SIZE.height, bitDepth: 8 });
    // pngjs checks every chunk's CRC and inflates the image data: the whole file is valid.
    const image = PNG.sync.read(Buffer.from(png));
    expect([image.width, image.height]).toEqual([1000, 500]);
    // The bars are there: CPU blue and running-guest green.
    expect(countColour(image, '#3b82f6')).toBeGreaterThan(1000);
    expect(countColour(image, '#22c55e')).toBeGreaterThan(1000);
  });

  it('draws 64 nodes, one offline, at the default size and at a custom one', async () => {
    const standard = PNG.sync.read(Buffer.from(await renderClusterChart(SIXTY_FOUR_NODES)));
    expect([standard.width, standard.height]).toEqual([1000, 500]);
    // The offline node's grey band stands where its bars would be.
    expect(countColour(standard, '#eceef2')).toBeGreaterThan(500);

    const custom = await renderClusterChart(SIXTY_FOUR_NODES, {
      width: 1280,
      height: 640,
      title: 'MonCluster',
    });
    expect(ihdr(custom)).toMatchObject({ width: 1280, height: 640 });
    const image = PNG.sync.read(Buffer.from(custom));
    expect([image.width, image.height]).toEqual([1280, 640]);
  });

  it('draws the smallest size it allows, and an empty cluster', async () => {
    expect(ihdr(await renderClusterChart(THREE_NODES, { width: 400, height: 240 }))).toMatchObject({
      width: 400,
      height: 240,
    });
    expect(ihdr(await renderClusterChart([]))).toMatchObject({ width: 1000, height: 500 });
  });

  it('refuses sizes it cannot draw legibly or that are not whole pixels', async () => {
    await expect(renderClusterChart(THREE_NODES, { width: 100 })).rejects.toThrow(RangeError);
    await expect(renderClusterChart(THREE_NODES, { height: 10_000 })).rejects.toThrow(/from 240 to 4000/);
    await expect(renderClusterChart(THREE_NODES, { width: 640.5 })).rejects.toThrow(RangeError);
  });

  it('writes the title, every node name and the offline mark into the picture', () => {
    const svg = renderClusterChartSvg(SIXTY_FOUR_NODES, { title: 'MonCluster, 22 Nov' });
    expect(svg).toMatch(/^<svg[^>]* width="1000" height="500"/);
    expect(svg).toContain('MonCluster, 22 Nov');
    expect(svg).toContain('63/64 nodes online');
    for (const node of SIXTY_FOUR_NODES) expect(svg).toContain(`>${node.node}<`);
    expect(svg).toContain('>offline<');
  });

  it.skipIf(!existsSync(DEJAVU))('draws the text with DejaVu where it is installed', async () => {
    const svg = renderClusterChartSvg(THREE_NODES);
    const withFonts = PNG.sync.read(Buffer.from(await svgToPng(svg)));
    const withoutFonts = PNG.sync.read(Buffer.from(await svgToPng(svg, { loadSystemFonts: false })));
    // The title's dark grey appears only where glyphs are drawn.
    expect(countColour(withFonts, '#1f2937')).toBeGreaterThan(100);
    expect(countColour(withoutFonts, '#1f2937')).toBe(0);
  });

  it('still makes a valid PNG where no font exists at all (a slim container)', async () => {
    const svg = renderClusterChartSvg(SIXTY_FOUR_NODES);
    const png = await svgToPng(svg, { loadSystemFonts: false, fontFiles: [], fontDirs: [] });
    const image = PNG.sync.read(Buffer.from(png));
    expect([image.width, image.height]).toEqual([1000, 500]);
    expect(countColour(image, '#3b82f6')).toBeGreaterThan(1000);
  });

  it('renders under plain Node ESM too, where CommonJS packages may offer no named exports', async () => {
    const module = new URL('../../src/core/digest/render-cluster-chart.ts', import.meta.url).href;
    const script = [
      `const { renderClusterChart } = await import(${JSON.stringify(module)});`,
      `const png = await renderClusterChart([{ node: 'n1', online: true, cpu: 0.5, memUsed: 1, memTotal: 2, guestsRunning: 1, guestsStopped: 0 }]);`,
      `console.log(Buffer.from(png.subarray(1, 4)).toString('latin1'), png.length > 1000);`,
    ].join('\n');
    const { stdout } = await promisify(execFile)(process.execPath, [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      script,
    ]);
    expect(stdout.trim()).toBe('PNG true');
  });
});
