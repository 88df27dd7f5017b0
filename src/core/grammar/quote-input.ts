// Shows a piece of what someone typed inside a message: quoted, shortened, and with invisible or
// control characters spelled out, so an error can never be longer or stranger than needed.
const SHOWN = 40;

export function quoteInput(text: string): string {
  const chars = [...text];
  const shown = chars
    .slice(0, SHOWN)
    .map((c) => (/\p{C}/u.test(c) ? `\\u{${c.codePointAt(0)!.toString(16)}}` : c));
  return `'${shown.join('')}${chars.length > SHOWN ? '…' : ''}'`;
}
