// Turns one output stream's chunks into lines as they arrive. Chunks split anywhere: inside a
// UTF-8 character, between the CR and LF of a CRLF. A lone CR ends a line too: apt and dpkg
// redraw progress with it, and each redraw is worth showing as its own line.
import { StringDecoder } from 'node:string_decoder';

// A "line" this long without a break is flushed as is, so a command that prints megabytes with
// no newline cannot grow our memory without bound.
const MAX_LINE_LENGTH = 64 * 1024;

const LINE_BREAK = /\r\n|\r|\n/g;

export class LineSplitter {
  readonly #decoder = new StringDecoder('utf8');
  readonly #emit: (line: string) => void;
  #partial = '';
  /** The previous chunk ended in CR: a LF opening this one belongs to it, not a new empty line. */
  #endedInCr = false;

  constructor(emit: (line: string) => void) {
    this.#emit = emit;
  }

  push(chunk: Buffer | string): void {
    let text = typeof chunk === 'string' ? chunk : this.#decoder.write(chunk);
    if (text === '') return;
    if (this.#endedInCr && text.startsWith('\n')) text = text.slice(1);
    this.#endedInCr = text.endsWith('\r');
    let start = 0;
    for (const match of text.matchAll(LINE_BREAK)) {
      this.#emit(this.#partial + text.slice(start, match.index));
      this.#partial = '';
      start = match.index + match[0].length;
    }
    this.#partial += text.slice(start);
    while (this.#partial.length > MAX_LINE_LENGTH) {
      this.#emit(this.#partial.slice(0, MAX_LINE_LENGTH));
      this.#partial = this.#partial.slice(MAX_LINE_LENGTH);
    }
  }

  /** The stream ended: a last line without a line break is still a line. */
  flush(): void {
    const rest = this.#partial + this.#decoder.end();
    this.#partial = '';
    if (rest !== '') this.#emit(rest);
  }
}
