// Check 1 of the corpus: the client reads every real answer right. Each fixture is served by a
// replay server (real HTTPS, no simulator) and read by the client method that sends its request.
import { describe, expect, it } from 'vitest';
import { loadFixtures } from './load-fixtures.js';
import { readWithClient } from './read-with-client.js';
import { useReplayClient } from './use-replay-client.js';

const fixtures = loadFixtures();
const context = useReplayClient();

describe('the client reads every real PVE answer in the corpus', () => {
  it('has fixtures', () => {
    expect(fixtures.length).toBeGreaterThan(0);
  });

  for (const fixture of fixtures) {
    it(`${fixture.file}: ${fixture.description}`, async () => {
      expect(await readWithClient(context.client, context.replay, fixture)).toEqual([]);
    });
  }
});
