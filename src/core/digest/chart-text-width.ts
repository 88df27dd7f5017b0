// How wide a text is in DejaVu Sans, the font resvg draws the chart with. ECharts lays out
// legends, axis labels and truncation before anything is drawn, and without a canvas it guesses
// with Helvetica's widths, ~10 % narrower than DejaVu: legend entries ran into each other.
// Widths of printable ASCII from the font files (scripts/extract-font-widths.mjs); anything else
// counts as a wide glyph, which errs on the side of room.

/** Advance widths of ASCII 32..126 in thousandths of an em: DejaVuSans.ttf. */
const REGULAR =
  '318,401,460,838,636,950,780,275,390,390,500,838,318,361,318,337,636,636,636,636,636,636,636,636,636,636,337,337,838,838,838,531,1000,684,686,698,770,632,575,775,752,295,295,656,557,863,748,787,603,787,695,635,611,732,684,989,685,611,685,390,337,390,838,500,500,613,635,550,635,615,352,635,634,278,278,579,278,974,634,612,635,635,411,521,392,634,592,818,592,592,525,636,337,636,838';
/** The same for DejaVuSans-Bold.ttf. */
const BOLD =
  '348,456,521,838,696,1002,872,306,457,457,523,838,380,415,380,365,696,696,696,696,696,696,696,696,696,696,400,400,838,838,838,580,1000,774,762,734,830,683,683,821,837,372,372,775,637,995,837,850,733,850,770,720,682,812,774,1103,771,724,725,457,365,457,838,500,500,675,716,593,716,678,435,716,712,343,343,665,343,1042,712,687,716,716,493,595,478,712,652,924,645,652,582,712,365,712,838';

const FIRST = 32;
/** Em fraction for characters outside the tables (symbols, accents, CJK would be wider still). */
const OTHER = 0.85;
const DEFAULT_SIZE = 12;

const parse = (table: string) => table.split(',').map((w) => Number(w) / 1000);
const regular = parse(REGULAR);
const bold = parse(BOLD);

/** A CSS font shorthand as zrender passes it: `bold 16px DejaVu Sans, sans-serif`, `12px …`. */
function fontOf(font: string | undefined): { size: number; bold: boolean } {
  const size = /(\d+(?:\.\d+)?)px/.exec(font ?? '')?.[1];
  return {
    size: size === undefined ? DEFAULT_SIZE : Number(size),
    bold: /\b(bold|bolder|[6-9]00)\b/.test(font ?? ''),
  };
}

export function chartTextWidth(text: string, font?: string): number {
  const { size, bold: isBold } = fontOf(font);
  const widths = isBold ? bold : regular;
  let ems = 0;
  for (const char of text) {
    ems += widths[(char.codePointAt(0) ?? 0) - FIRST] ?? OTHER;
  }
  return ems * size;
}
