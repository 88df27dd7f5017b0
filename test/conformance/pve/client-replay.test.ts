// Check 1 of the corpus: the client reads every real answer right. Each fixture is served by a
// replay server (real HTTPS, no simulator) and read by the client method that sends its request:
// a 2xx must parse, an error must become the PveError its status means, carrying PVE's own words.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProxmoxClient } from '../../../src/proxmox/proxmox-client.js';
import { isPveError, PveErrorCode } from '../../../src/proxmox/pve-error.js';
import { loadApiSchema, matchApiPath } from '../../../src/sim/server/api-schema.js';
import { CLIENT_READERS } from './client-readers.js';
import { type LoadedFixture, loadFixtures } from './load-fixtures.js';
import { type ReplayServer, startReplayServer } from './replay-server.js';

const fixtures = loadFixtures();
let replay: ReplayServer;
let client: ProxmoxClient;

beforeAll(async () => {
  replay = await startReplayServer();
  client = new ProxmoxClient({
    hosts: [replay.host],
    tokenId: 'chatops@pve!bot',
    tokenSecret: '00000000-0000-4000-8000-000000000000',
    fingerprints: [replay.fingerprint],
  });
});
afterAll(async () => {
  await client?.close();
  await replay?.close();
});

/** The code a status means, whatever the text; 400 and 500 are refined by the text (below). */
const CODE_BY_STATUS: Record<number, string> = {
  401: PveErrorCode.AuthFailed,
  403: PveErrorCode.Permission,
  501: PveErrorCode.UnknownEndpoint,
  595: PveErrorCode.NodeUnreachable,
  596: PveErrorCode.NodeUnreachable,
  597: PveErrorCode.NodeUnreachable,
  599: PveErrorCode.NodeUnreachable,
};

function variablesOf(fixture: LoadedFixture): Record<string, string> {
  for (const version of ['9.1', '8.4'] as const) {
    const match = matchApiPath(loadApiSchema(version), fixture.request.path);
    if (match) return match.variables;
  }
  return {};
}

/** PVE's message as the first line of the status text or of the body's `message`. */
function pveText(fixture: LoadedFixture): string {
  const body = fixture.response.body as { message?: unknown } | null;
  const message = typeof body?.message === 'string' ? body.message : '';
  return (fixture.response.statusText || message).split('\n')[0]?.trim() ?? '';
}

describe('the client reads every real PVE answer in the corpus', () => {
  it('has fixtures', () => {
    expect(fixtures.length).toBeGreaterThan(0);
  });

  for (const fixture of fixtures) {
    it(`${fixture.file}: ${fixture.description}`, async () => {
      const reader = CLIENT_READERS[fixture.endpoint];
      // 501 fixtures stand for endpoints some PVE lacks; the client's reader is the 9.x one.
      if (!reader) throw new Error(`no client call reads ${fixture.endpoint}; add one to client-readers.ts`);
      replay.use([fixture]);
      const outcome = await reader(client, variablesOf(fixture), fixture.request.params ?? {}).then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      expect(replay.unanswered, 'the client sent a request the fixture does not answer').toEqual([]);
      expect(replay.requests.map((r) => `${r.method} ${r.path}`)).toContain(
        `${fixture.request.method} ${fixture.request.path}`,
      );
      const { status } = fixture.response;
      if (status >= 200 && status < 300) {
        if (!outcome.ok) throw outcome.error;
        return;
      }
      expect(outcome.ok, 'an error answer must reject').toBe(false);
      const error = outcome.ok ? undefined : outcome.error;
      if (!isPveError(error)) throw error;
      expect(error.statusCode).toBe(status);
      const expected = CODE_BY_STATUS[status];
      if (expected) expect(error.code).toBe(expected);
      else if (status === 400)
        expect([PveErrorCode.Parameter, PveErrorCode.VmidExists]).toContain(error.code);
      else expect(error.code).not.toBe(PveErrorCode.BadResponse);
      // PVE's own words reach whoever reads the error (401 has only its status line).
      const text = pveText(fixture);
      if (text) expect(error.message).toContain(text);
    });
  }
});
