// Check 2 of the corpus: the simulator answers each fixture's request like real PVE did: the same
// status, the same error text, and a body with the same keys and JSON types (shape.ts). Requests
// that change state run on a fresh simulator each; reads share one.
import { afterAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, type SimCluster, startSimulator } from '../../../src/sim/simulator.js';
import { type CallResult, call } from '../../sim/helpers/https-call.js';
import { ALLOWED_DIFFERENCES, isAllowed } from './allowed-differences.js';
import type { FixtureRequest } from './fixture-schema.js';
import { type LoadedFixture, loadFixtures } from './load-fixtures.js';
import { compareShapes, describeDifference, shapeOf } from './shape.js';

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

function send(
  sim: RunningSimulator<SimCluster>,
  request: FixtureRequest,
  headers: Record<string, string>,
): Promise<CallResult> {
  const params = Object.fromEntries(
    Object.entries(request.params ?? {}).map(([k, v]) => [
      k,
      Array.isArray(v) ? v.map(String) : typeof v === 'boolean' ? (v ? '1' : '0') : String(v),
    ]),
  );
  const path = `/api2/json${request.path.split('/').map(encodeURIComponent).join('/')}`;
  const hasBody = request.method === 'POST' || request.method === 'PUT';
  const query =
    !hasBody && Object.keys(params).length > 0
      ? `?${new URLSearchParams(params as Record<string, string>)}`
      : '';
  return call(sim.hosts[0] ?? '', sim.caPem, request.method, `${path}${query}`, {
    headers,
    ...(hasBody ? { body: params } : {}),
  });
}

/** The credentials a fixture's answer assumes: a wrong token for a 401. */
function authorization(sim: RunningSimulator<SimCluster>, fixture: LoadedFixture): Record<string, string> {
  const secret = fixture.response.status === 401 ? '00000000-0000-4000-8000-000000000000' : sim.tokenSecret;
  return { Authorization: `PVEAPIToken=${sim.tokenId}=${secret}` };
}

/** Polls the task's status until it has ended (`sim.before[].wait`). */
async function waitForTask(sim: RunningSimulator<SimCluster>, upid: string, headers: Record<string, string>) {
  const node = upid.split(':')[1] ?? '';
  for (let attempt = 0; attempt < 500; attempt += 1) {
    const answer = await send(sim, { method: 'GET', path: `/nodes/${node}/tasks/${upid}/status` }, headers);
    if ((answer.json as { data?: { status?: string } }).data?.status === 'stopped') return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`sim.before: task ${upid} did not end`);
}

async function ask(fixture: LoadedFixture): Promise<CallResult> {
  const setup = fixture.sim ?? {};
  const fresh =
    fixture.request.method !== 'GET' ||
    (setup.before?.length ?? 0) > 0 ||
    (setup.nodesDown?.length ?? 0) > 0 ||
    setup.failNextTask !== undefined;
  const sim = await simulator(fresh);
  const headers = authorization(sim, fixture);
  const valid = { Authorization: `PVEAPIToken=${sim.tokenId}=${sim.tokenSecret}` };
  for (const node of setup.nodesDown ?? []) await sim.faults.nodeDown(node);
  if (setup.failNextTask) sim.faults.failNextTask(setup.failNextTask.type, setup.failNextTask.message);
  let upid = '';
  for (const { wait, ...before } of setup.before ?? []) {
    const answer = await send(sim, { ...before, path: before.path.replace('{upid}', upid) }, valid);
    if (answer.status !== 200)
      throw new Error(`sim.before ${before.method} ${before.path}: ${answer.status} ${answer.statusText}`);
    const data = (answer.json as { data?: unknown }).data;
    if (typeof data === 'string' && data.startsWith('UPID:')) upid = data;
    if (wait) await waitForTask(sim, upid, valid);
  }
  const path = (setup.path ?? fixture.request.path).replace('{upid}', upid);
  const params = setup.params ?? fixture.request.params;
  return send(sim, { method: fixture.request.method, path, ...(params ? { params } : {}) }, headers);
}

describe('the simulator answers like real PVE', () => {
  for (const fixture of fixtures) {
    const title = `${fixture.file}: ${fixture.description}`;
    if (fixture.sim?.skip) {
      it.skip(`${title} (${fixture.sim.skip})`, () => {});
      continue;
    }
    it(title, async () => {
      const answer = await ask(fixture);
      const { status, statusText, body } = fixture.response;
      expect(`${answer.status} ${answer.status >= 400 ? answer.statusText : ''}`.trim()).toBe(
        `${status} ${status >= 400 ? statusText : ''}`.trim(),
      );
      const real = body === null ? undefined : body;
      const simBody = answer.text === '' ? undefined : answer.json;
      if (real === undefined || simBody === undefined) {
        expect(simBody === undefined, 'an empty body on one side only').toBe(real === undefined);
        return;
      }
      const unexplained = compareShapes(shapeOf(real), shapeOf(simBody))
        .filter((d) => !isAllowed(fixture.endpoint, d.path))
        .map(describeDifference);
      expect(unexplained).toEqual([]);
    });
  }

  it('lists only allowed differences that still name a fixture endpoint', () => {
    const endpoints = new Set(fixtures.map((f) => f.endpoint));
    expect(ALLOWED_DIFFERENCES.filter((a) => !endpoints.has(a.endpoint))).toEqual([]);
  });
});
