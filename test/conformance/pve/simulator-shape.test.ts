// Check 2 of the corpus: the simulator answers each fixture's request like real PVE did: the same
// status, the same error text, and a body with the same keys and JSON types (shape.ts). A fixture
// from PVE 8.x is asked of a simulator answering as PVE 8.4, the others of one answering as 9.1.
// Requests that change state run on a fresh simulator each; reads share one per version.
import { afterAll, describe, expect, it } from 'vitest';
import {
  type PveVersion,
  type RunningSimulator,
  type SimCluster,
  startSimulator,
} from '../../../src/sim/simulator.js';
import { ALLOWED_DIFFERENCES } from './allowed-differences.js';
import {
  askSimulator,
  needsFreshSimulator,
  simulatedVersion,
  unexplainedDifferences,
} from './ask-simulator.js';
import { loadFixtures } from './load-fixtures.js';

const fixtures = loadFixtures();
const started: RunningSimulator<SimCluster>[] = [];
const shared = new Map<PveVersion, Promise<RunningSimulator<SimCluster>>>();

async function simulator(fresh: boolean, pveVersion: PveVersion): Promise<RunningSimulator<SimCluster>> {
  const start = async () => {
    const sim = await startSimulator({ port: 0, speed: 100, authFailureDelayMs: 0, pveVersion });
    started.push(sim);
    return sim;
  };
  if (fresh) return start();
  let sim = shared.get(pveVersion);
  if (!sim) {
    sim = start();
    shared.set(pveVersion, sim);
  }
  return sim;
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
      const answer = await askSimulator(
        await simulator(needsFreshSimulator(fixture), simulatedVersion(fixture)),
        fixture,
      );
      expect(unexplainedDifferences(fixture, answer)).toEqual([]);
    });
  }

  it('lists only allowed differences that still name a fixture endpoint', () => {
    const endpoints = new Set(fixtures.map((f) => f.endpoint));
    expect(ALLOWED_DIFFERENCES.filter((a) => !endpoints.has(a.endpoint))).toEqual([]);
  });
});
