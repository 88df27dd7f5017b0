// Serves one fixture from the replay server and reads it with the client call that sends its
// request; returns what is wrong (nothing when the client read it as PVE meant it): a 2xx must
// parse, an error must become the PveError its status means, carrying PVE's own words.
import type { ProxmoxClient } from '../../../src/proxmox/proxmox-client.js';
import { isPveError, PveErrorCode } from '../../../src/proxmox/pve-error.js';
import { loadApiSchema, matchApiPath } from '../../../src/sim/server/api-schema.js';
import { CLIENT_READERS } from './client-readers.js';
import type { LoadedFixture } from './load-fixtures.js';
import type { ReplayServer } from './replay-server.js';

/** The code a status means, whatever the text; 400 and 500 are refined by the text. */
const CODE_BY_STATUS: Record<number, string> = {
  401: PveErrorCode.AuthFailed,
  403: PveErrorCode.Permission,
  501: PveErrorCode.UnknownEndpoint,
  595: PveErrorCode.NodeUnreachable,
  596: PveErrorCode.NodeUnreachable,
  597: PveErrorCode.NodeUnreachable,
  599: PveErrorCode.NodeUnreachable,
};

export function variablesOf(path: string): Record<string, string> {
  for (const version of ['9.1', '8.4'] as const) {
    const match = matchApiPath(loadApiSchema(version), path);
    if (match) return match.variables;
  }
  return {};
}

/** PVE's message: the status text, or the first line of the body's `message`. */
function pveText(fixture: LoadedFixture): string {
  const body = fixture.response.body as { message?: unknown } | null;
  const message = typeof body?.message === 'string' ? body.message : '';
  return (fixture.response.statusText || message).split('\n')[0]?.trim() ?? '';
}

export async function readWithClient(
  client: ProxmoxClient,
  replay: ReplayServer,
  fixture: LoadedFixture,
): Promise<string[]> {
  const reader = CLIENT_READERS[fixture.endpoint];
  if (!reader) return [`no client call reads ${fixture.endpoint}; add one to client-readers.ts`];
  replay.use([fixture]);
  const outcome = await reader(client, variablesOf(fixture.request.path), fixture.request.params ?? {}).then(
    () => ({ ok: true as const, error: undefined }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  const problems = replay.unanswered.map(
    (r) => `the client also sent ${r.method} ${r.path}, which the fixture does not answer`,
  );
  const sent = `${fixture.request.method} ${fixture.request.path}`;
  if (!replay.requests.some((r) => `${r.method} ${r.path}` === sent))
    problems.push(`the client did not send ${sent}`);
  const { status } = fixture.response;
  if (status >= 200 && status < 300) {
    if (!outcome.ok) problems.push(`a ${status} answer was refused: ${String(outcome.error)}`);
    return problems;
  }
  if (outcome.ok) return [...problems, `the ${status} answer did not reject`];
  const { error } = outcome;
  if (!isPveError(error)) return [...problems, `not a PveError: ${String(error)}`];
  if (error.statusCode !== status) problems.push(`statusCode ${error.statusCode}, not ${status}`);
  const expected = CODE_BY_STATUS[status];
  if (expected && error.code !== expected) problems.push(`code ${error.code}, not ${expected}`);
  if (status === 400 && error.code !== PveErrorCode.Parameter && error.code !== PveErrorCode.VmidExists) {
    problems.push(`code ${error.code} for a 400`);
  }
  if (error.code === PveErrorCode.BadResponse) problems.push('an error answer read as a bad response');
  const text = pveText(fixture);
  if (text && !error.message.includes(text))
    problems.push(`message "${error.message}" lacks PVE's words "${text}"`);
  return problems;
}
