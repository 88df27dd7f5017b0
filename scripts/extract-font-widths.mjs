#!/usr/bin/env node
// Prints the advance widths of printable ASCII (32..126) in a TrueType font, in thousandths of an
// em, as the string src/core/digest/chart-text-width.ts keeps for DejaVu Sans. The chart is laid
// out before resvg draws it, and ECharts' own guess (Helvetica's widths) is ~10 % narrower than
// DejaVu, so legends and labels collided.
//
// node scripts/extract-font-widths.mjs /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
import { readFileSync } from 'node:fs';

const font = readFileSync(process.argv[2] ?? '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf');

function table(tag) {
  const count = font.readUInt16BE(4);
  for (let i = 0; i < count; i += 1) {
    const entry = 12 + i * 16;
    if (font.toString('latin1', entry, entry + 4) === tag) return font.readUInt32BE(entry + 8);
  }
  throw new Error(`no ${tag} table`);
}

const unitsPerEm = font.readUInt16BE(table('head') + 18);
const metrics = font.readUInt16BE(table('hhea') + 34);
const hmtx = table('hmtx');
const advance = (glyph) => font.readUInt16BE(hmtx + 4 * Math.min(glyph, metrics - 1));

/** The glyph of a BMP character through the Windows Unicode cmap (format 4). */
function glyphOf(code) {
  const cmap = table('cmap');
  const subtables = font.readUInt16BE(cmap + 2);
  for (let i = 0; i < subtables; i += 1) {
    const record = cmap + 4 + i * 8;
    if (font.readUInt16BE(record) !== 3 || font.readUInt16BE(record + 2) !== 1) continue;
    const sub = cmap + font.readUInt32BE(record + 4);
    const segments = font.readUInt16BE(sub + 6) / 2;
    const ends = sub + 14;
    const starts = ends + segments * 2 + 2;
    const deltas = starts + segments * 2;
    const offsets = deltas + segments * 2;
    for (let s = 0; s < segments; s += 1) {
      if (font.readUInt16BE(ends + s * 2) < code) continue;
      const start = font.readUInt16BE(starts + s * 2);
      if (start > code) return 0;
      const delta = font.readInt16BE(deltas + s * 2);
      const rangeOffset = font.readUInt16BE(offsets + s * 2);
      if (rangeOffset === 0) return (code + delta) & 0xffff;
      const glyph = font.readUInt16BE(offsets + s * 2 + rangeOffset + (code - start) * 2);
      return glyph === 0 ? 0 : (glyph + delta) & 0xffff;
    }
  }
  return 0;
}

const widths = [];
for (let code = 32; code <= 126; code += 1) {
  widths.push(Math.round((advance(glyphOf(code)) / unitsPerEm) * 1000));
}
console.log(widths.join(','));
