// The command text as it may be shown back in public (the "ran `/pve …`" echo, a card's title):
// one line, no control or direction-changing characters, and short. What a person typed can hold
// anything (100 KB, NUL, RTL overrides that make a line read backwards, newlines that fake a
// second message); the echo must show what will run, not whatever was pasted.

/** Long enough for any real command line; Slack refuses blocks over 3,000 characters. */
export const MAX_QUOTED_COMMAND_LENGTH = 200;

// Controls (Cc: NUL, newlines, C1) and the format characters that reorder or hide text (Cf: the
// bidi embeddings, overrides and isolates, zero-width joiners and spaces, the BOM).
const INVISIBLE = /[\p{Cc}\p{Cf}]+/gu;

/** `text` on one line, invisible characters replaced by a space, cut at `max` with an ellipsis. */
export function quoteCommandText(text: string, max = MAX_QUOTED_COMMAND_LENGTH): string {
  const oneLine = text.replace(INVISIBLE, ' ').replace(/\s+/g, ' ').trim();
  if (oneLine.length <= max) return oneLine;
  // Cut on a code point, never inside a surrogate pair.
  return `${Array.from(oneLine)
    .slice(0, max - 1)
    .join('')
    .trimEnd()}…`;
}
