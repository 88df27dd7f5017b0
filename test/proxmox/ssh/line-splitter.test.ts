import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../../src/proxmox/ssh/line-splitter.js';

function split(chunks: (string | Buffer)[]): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line));
  for (const chunk of chunks) splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  splitter.flush();
  return lines;
}

describe('LineSplitter', () => {
  it('splits on LF, CRLF and a lone CR, and flushes a last partial line', () => {
    expect(split(['one\ntwo\r\nthr', 'ee\rfour'])).toEqual(['one', 'two', 'three', 'four']);
  });

  it('keeps a CRLF split across two chunks as one line break', () => {
    expect(split(['a\r', '\nb\r', '\r\n'])).toEqual(['a', 'b', '']);
  });

  it('keeps empty lines', () => {
    expect(split(['a\n\nb\n'])).toEqual(['a', '', 'b']);
  });

  it('joins a UTF-8 character split across chunks', () => {
    const bytes = Buffer.from('Préparation…\n');
    expect(split([bytes.subarray(0, 3), bytes.subarray(3, 13), bytes.subarray(13)])).toEqual([
      'Préparation…',
    ]);
  });

  it('cuts an endless line into bounded pieces', () => {
    const lines = split(['x'.repeat(150 * 1024)]);
    expect(lines.map((l) => l.length)).toEqual([64 * 1024, 64 * 1024, 22 * 1024]);
  });
});
