// Check 2 of the corpus: the simulator answers each fixture's request like real PVE did: the same
// status, the same error text, and a body with the same keys and JSON types (shape.ts). Requests
// that change state run on a fresh simulator each; reads share one.
import { afterAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, type SimCluster, startSimulator } from '../../../src/sim/simulator.js';
import { ALLOWED_DIFFERENCES } from './allowed-differences.js';
import { askSimulator, needsFreshSimulator, unexplainedDifferences } from './ask-simulator.js';
import { loadFixtures } from './load-fixtures.js';

const fixtures = loadFixtures();
const started: RunningSimulator<SimCluster>[] = [];
let shared: Promise<RunningSimulator<SimCluster>> | undefined;

async function simulator(fresh: boolean): Promise<RunningSimulator<SimCluster>> {
  const start = async () => {
    const sim = await startSimulator({ port: 0, speed: 100, authFailureDelayMs: 0 });
    started.push(sim);
    return sim;
  };
  if (fresh) return start();
  shared ??= start();
  return shared;
}

afterAll(async () => {
  await Promise.all(started.map((sim) => sim.stop()));
});

describe('the simulator answers like real PVE', () => {
  for (const fixture of fixtures) {
    const title = `${fixture.file}: ${fixture.description}`;
    if (fixture.sim?.skip) {
      it.skip(`${title} (${fixture.sim.skip})`, () => {});
      continue;
    }
    it(title, async () => {
      const answer = await askSimulator(await simulator(needsFreshSimulator(fixture)), fixture);
      expect(unexplainedDifferences(fixture, answer)).toEqual([]);
    });
  }

  it('lists only allowed differences that still name a fixture endpoint', () => {
    const endpoints = new Set(fixtures.map((f) => f.endpoint));
    expect(ALLOWED_DIFFERENCES.filter((a) => !endpoints.has(a.endpoint))).toEqual([]);
  });
});
