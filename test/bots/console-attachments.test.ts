// Files on console messages: a terminal names them under the card (it cannot show a picture).
import { PassThrough } from 'node:stream';
import { expect, it } from 'vitest';
import { ConsoleAdapter } from '../../src/bots/console/console-adapter.js';

it('prints a line per file under the card: name, size in KiB, what it shows', async () => {
  const output = new PassThrough();
  let printed = '';
  output.on('data', (chunk: Buffer) => {
    printed += chunk.toString();
  });
  const adapter = new ConsoleAdapter({ input: new PassThrough(), output, user: 'alice' });
  await adapter.send({
    thread: adapter.thread,
    card: { title: 'MonCluster: healthy', status: 'succeeded', text: '3/3 nodes online' },
    attachments: [
      {
        name: 'cluster-2026-11-22.png',
        contentType: 'image/png',
        data: new Uint8Array(63_283),
        alt: 'CPU, memory and guests per node of MonCluster',
      },
      { name: 'tiny.png', contentType: 'image/png', data: new Uint8Array(100), alt: 'a dot' },
    ],
  });
  expect(printed).toBe(
    [
      '✅ MonCluster: healthy',
      '   3/3 nodes online',
      '   📎 cluster-2026-11-22.png (61.8 KiB): CPU, memory and guests per node of MonCluster',
      '   📎 tiny.png (0.1 KiB): a dot',
      '',
    ].join('\n'),
  );
});
