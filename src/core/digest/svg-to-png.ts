// An SVG string to PNG bytes with resvg (Rust, a prebuilt binary per platform, no native build and
// no browser). It renders on libuv's thread pool (renderAsync), so the event loop keeps serving
// chat and jobs meanwhile. Text needs a font on the machine: DejaVu Sans where it is installed
// (Debian's fonts-dejavu-core); where no font exists at all (a slim container) the text is simply
// left out and the PNG is still valid, with its bars and axes.
//
// resvg is loaded on first use, not when this module is: a platform without its binary then
// loses the picture, not the whole bot at start-up.
import type { ResvgRenderOptions } from '@resvg/resvg-js';
import { expandFontShorthand } from './expand-font-shorthand.js';

export type FontOptions = NonNullable<ResvgRenderOptions['font']>;

/** The machine's fonts, DejaVu Sans first (what the chart's SVG asks for). */
export const SYSTEM_FONTS: FontOptions = { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' };

type Resvg = typeof import('@resvg/resvg-js');
let resvg: Promise<Resvg> | undefined;

function loadResvg(): Promise<Resvg> {
  resvg ??= import('@resvg/resvg-js').catch((error: unknown) => {
    resvg = undefined;
    throw error;
  });
  return resvg;
}

/** The PNG of `svg` at the size its root element declares (one SVG pixel, one PNG pixel). */
export async function svgToPng(svg: string, fonts: FontOptions = SYSTEM_FONTS): Promise<Uint8Array> {
  const { renderAsync } = await loadResvg();
  const image = await renderAsync(expandFontShorthand(svg), {
    font: fonts,
    fitTo: { mode: 'original' },
    logLevel: 'off',
  });
  return image.asPng();
}
