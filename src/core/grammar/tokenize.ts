// Splits a command line into words: whitespace separates, single or double quotes (typographic
// ones too, as chat apps autocorrect them) group, and quoting may start mid-word (`--target="a b"`).
export interface Token {
  text: string;
  /** The word's first character was inside quotes: `"--x"` is a value, not an option. */
  quotedStart: boolean;
}

export type TokenizeResult = { ok: true; tokens: Token[] } | { ok: false; error: string };

const DOUBLE = /["“”„‟]/;
const SINGLE = /['‘’‚‛]/;

export function tokenize(text: string): TokenizeResult {
  const tokens: Token[] = [];
  let current: Token | undefined;
  let quote: { kind: RegExp; at: number } | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (quote.kind.test(c)) quote = undefined;
      else current!.text += c;
    } else if (DOUBLE.test(c) || SINGLE.test(c)) {
      quote = { kind: DOUBLE.test(c) ? DOUBLE : SINGLE, at: i };
      current ??= { text: '', quotedStart: true };
    } else if (/\s/.test(c)) {
      if (current) tokens.push(current);
      current = undefined;
    } else {
      current ??= { text: '', quotedStart: false };
      current.text += c;
    }
  }
  if (quote) {
    const mark = text[quote.at];
    return {
      ok: false,
      error: `the quote ${mark} at character ${quote.at + 1} is never closed: close it, or remove it`,
    };
  }
  if (current) tokens.push(current);
  return { ok: true, tokens };
}
