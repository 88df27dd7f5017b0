// `pve-record` writes fixtures the corpus accepts: recorded from the simulator (a stand-in for an
// operator's cluster), every file passes both corpus checks, the client's reading and the
// simulator's answer to the same request, against the cluster it was recorded from.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProxmoxClient } from '../../../src/proxmox/proxmox-client.js';
import { createPveReadOnlyTransport } from '../../../src/proxmox/pve-raw-get.js';
import { writeFixtures } from '../../../src/proxmox/record/fixture-writer.js';
import { recordCluster } from '../../../src/proxmox/record/record-cluster.js';
import { type RunningSimulator, type SimCluster, startSimulator } from '../../../src/sim/simulator.js';
import { askSimulator, unexplainedDifferences } from './ask-simulator.js';
import { type LoadedFixture, loadFixtures } from './load-fixtures.js';
import { readWithClient } from './read-with-client.js';
import { type ReplayServer, startReplayServer } from './replay-server.js';

let sim: RunningSimulator<SimCluster>;
let replay: ReplayServer;
let client: ProxmoxClient;
let dir: string;
let recorded: LoadedFixture[] = [];

beforeAll(async () => {
  sim = await startSimulator({ port: 0, speed: 100, authFailureDelayMs: 0 });
  replay = await startReplayServer();
  client = new ProxmoxClient({
    hosts: [replay.host],
    tokenId: 'chatops@pve!bot',
    tokenSecret: '00000000-0000-4000-8000-000000000000',
    fingerprints: [replay.fingerprint],
  });
  // A finished task, so task status and log are among what is recorded.
  const full = new ProxmoxClient({
    hosts: sim.hosts,
    tokenId: sim.tokenId,
    tokenSecret: sim.tokenSecret,
    fingerprints: sim.fingerprints,
  });
  await full.waitForTask(await full.start({ type: 'qemu', vmid: 103, node: 'node03' }), {
    pollInterval: { initialMs: 10, maxMs: 50 },
  });
  await full.close();
  dir = await mkdtemp(join(tmpdir(), 'pve-recorded-'));
  const pve = createPveReadOnlyTransport({
    hosts: sim.hosts,
    tokenId: sim.tokenId,
    tokenSecret: sim.tokenSecret,
    fingerprints: sim.fingerprints,
  });
  try {
    const result = await recordCluster(pve, { maxTasks: 3 });
    await writeFixtures(result.exchanges, { out: dir, tokenId: sim.tokenId, date: '2026-01-02' });
  } finally {
    await pve.close();
  }
  recorded = loadFixtures(dir);
});
afterAll(async () => {
  await client?.close();
  await replay?.close();
  await sim?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('fixtures recorded by pve-record', () => {
  it('are many, and each passes the client check and the simulator check', async () => {
    expect(recorded.length).toBeGreaterThan(40);
    expect(recorded.filter((f) => f.endpoint.startsWith('GET /nodes/{node}/tasks/')).length).toBeGreaterThan(
      0,
    );
    const problems: string[] = [];
    for (const fixture of recorded) {
      for (const problem of await readWithClient(client, replay, fixture))
        problems.push(`${fixture.file} (client): ${problem}`);
      const answer = await askSimulator(sim, fixture);
      for (const problem of unexplainedDifferences(fixture, answer))
        problems.push(`${fixture.file} (simulator): ${problem}`);
    }
    expect(problems).toEqual([]);
  });
});
