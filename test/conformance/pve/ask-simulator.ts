// Sends a fixture's request to a simulator, after the set-up its `sim` object asks for, and
// compares the answer with the real one: status, error text, then keys and JSON types.
import type { PveVersion, RunningSimulator, SimCluster } from '../../../src/sim/simulator.js';
import { type CallResult, call } from '../../sim/helpers/https-call.js';
import { isAllowed } from './allowed-differences.js';
import type { FixtureRequest } from './fixture-schema.js';
import type { LoadedFixture } from './load-fixtures.js';
import { compareShapes, describeDifference, shapeOf } from './shape.js';

type Simulator = RunningSimulator<SimCluster>;

function send(sim: Simulator, request: FixtureRequest, headers: Record<string, string>): Promise<CallResult> {
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
  // Through the first node that is up: a node powered off (`sim.nodesDown`) answers nothing.
  const host = sim.hosts.find((_, index) => sim.cluster.isNodeOnline(sim.nodes[index] ?? '')) ?? '';
  return call(host, sim.caPem, request.method, `${path}${query}`, {
    headers,
    ...(hasBody ? { body: params } : {}),
  });
}

/**
 * The credentials a fixture's answer assumes: a wrong token secret for a 401, the read-only
 * token for `sim.token: "auditor"`.
 */
function authorization(sim: Simulator, fixture: LoadedFixture): Record<string, string> {
  if (fixture.sim?.token === 'auditor')
    return { Authorization: `PVEAPIToken=${sim.auditorTokenId}=${sim.auditorTokenSecret}` };
  const secret = fixture.response.status === 401 ? '00000000-0000-4000-8000-000000000000' : sim.tokenSecret;
  return { Authorization: `PVEAPIToken=${sim.tokenId}=${secret}` };
}

/**
 * Polls the task's status until it has ended (`sim.before[].wait`): an event, however long a busy
 * machine makes it take; the test's own timeout bounds a task that never ends.
 */
async function waitForTask(sim: Simulator, upid: string, headers: Record<string, string>) {
  const node = upid.split(':')[1] ?? '';
  for (;;) {
    const answer = await send(sim, { method: 'GET', path: `/nodes/${node}/tasks/${upid}/status` }, headers);
    // A node that is down answers 595 with an empty body: keep polling until it is back.
    if ((answer.json as { data?: { status?: string } } | undefined)?.data?.status === 'stopped') return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The release a fixture is asked of: PVE 8.x answers of the 8.4 simulator, the others of 9.1. */
export function simulatedVersion(fixture: LoadedFixture): PveVersion {
  return fixture.pveVersion.startsWith('8.') ? '8.4' : '9.1';
}

/** Whether the fixture needs a simulator of its own: it changes state, or sets some up first. */
export function needsFreshSimulator(fixture: LoadedFixture): boolean {
  const setup = fixture.sim ?? {};
  return (
    fixture.request.method !== 'GET' ||
    (setup.before?.length ?? 0) > 0 ||
    (setup.nodesDown?.length ?? 0) > 0 ||
    setup.userCfg !== undefined ||
    setup.failNextTask !== undefined
  );
}

export async function askSimulator(sim: Simulator, fixture: LoadedFixture): Promise<CallResult> {
  const setup = fixture.sim ?? {};
  const headers = authorization(sim, fixture);
  const valid = { Authorization: `PVEAPIToken=${sim.tokenId}=${sim.tokenSecret}` };
  if (setup.userCfg !== undefined) sim.cluster.access.loadUserCfg(setup.userCfg);
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

/** What differs between the real answer and the simulator's, the allowed differences left out. */
export function unexplainedDifferences(fixture: LoadedFixture, answer: CallResult): string[] {
  const { status, statusText, body } = fixture.response;
  const line = (code: number, text: string) => `${code} ${code >= 400 ? text : ''}`.trim();
  if (line(answer.status, answer.statusText) !== line(status, statusText)) {
    return [
      `status: real PVE answers "${line(status, statusText)}", the simulator "${line(answer.status, answer.statusText)}"`,
    ];
  }
  const real = body === null ? undefined : body;
  const simulated = answer.text === '' ? undefined : answer.json;
  if (real === undefined || simulated === undefined) {
    return (real === undefined) === (simulated === undefined) ? [] : ['body: empty on one side only'];
  }
  return compareShapes(shapeOf(real), shapeOf(simulated))
    .filter((d) => !isAllowed(fixture.endpoint, d.path))
    .map(describeDifference);
}
