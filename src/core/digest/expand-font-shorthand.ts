// ECharts writes some texts (rich-text labels, such as the node names) with the CSS `font`
// shorthand: `style="font: normal normal 10px DejaVu Sans, sans-serif"`. resvg reads only the
// separate properties and drew those at its default 12px, so labels ran past the picture's edge.
// This rewrites each shorthand into font-style, font-weight, font-size and font-family.

const STYLES = new Set(['italic', 'oblique']);
const WEIGHTS = new Set([
  'bold',
  'bolder',
  'lighter',
  '100',
  '200',
  '300',
  '400',
  '500',
  '600',
  '700',
  '800',
  '900',
]);

/** `normal normal 10px DejaVu Sans, sans-serif` as separate properties; undefined if not a shorthand. */
export function expandFont(shorthand: string): string | undefined {
  const match = /^\s*((?:[\w-]+\s+)*?)(\d+(?:\.\d+)?(?:px|pt|em|%))(?:\/\S+)?\s+(.+?)\s*;?\s*$/.exec(
    shorthand,
  );
  if (!match) return undefined;
  const [, prefix = '', size, family] = match;
  const words = prefix.split(/\s+/).filter(Boolean);
  const style = words.find((w) => STYLES.has(w));
  const weight = words.find((w) => WEIGHTS.has(w));
  return [
    style ? `font-style:${style}` : '',
    weight ? `font-weight:${weight}` : '',
    `font-size:${size}`,
    `font-family:${family}`,
  ]
    .filter(Boolean)
    .join(';');
}

export function expandFontShorthand(svg: string): string {
  return svg.replace(/style="font: ([^"]*)"/g, (whole, shorthand: string) => {
    const expanded = expandFont(shorthand);
    return expanded === undefined ? whole : `style="${expanded}"`;
  });
}
