// Check 1 of the corpus: the client reads every real answer right. Each fixture is served by a
// replay server (real HTTPS, no simulator) and read by the client method that sends its request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProxmoxClient } from '../../../src/proxmox/proxmox-client.js';
import { loadFixtures } from './load-fixtures.js';
import { readWithClient } from './read-with-client.js';
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

describe('the client reads every real PVE answer in the corpus', () => {
  it('has fixtures', () => {
    expect(fixtures.length).toBeGreaterThan(0);
  });

  for (const fixture of fixtures) {
    it(`${fixture.file}: ${fixture.description}`, async () => {
      expect(await readWithClient(client, replay, fixture)).toEqual([]);
    });
  }
});
