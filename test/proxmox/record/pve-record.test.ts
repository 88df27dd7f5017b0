// `pve-record` against the simulator, seen through a disguise that gives it a real cluster's
// names (pve-alpha…, acme-prod, a token rec-svc@corp!audit) and two error answers a real cluster
// gives (403 for a missing privilege, 501 from an older PVE). Checks: (a) every file is a corpus
// fixture, (b) nothing identifying from the answers survives in any file, (c) only GETs reached
// the simulator, and placeholders are stable across files and shapes are kept.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PveRawAnswer, PveReadOnlyTransport } from '../../../src/proxmox/pve-raw-get.js';
import { createPveReadOnlyTransport } from '../../../src/proxmox/pve-raw-get.js';
import { ENDPOINTS, type EndpointTemplate } from '../../../src/proxmox/record/endpoints.js';
import { type WrittenFixture, writeFixtures } from '../../../src/proxmox/record/fixture-writer.js';
import { recordCluster } from '../../../src/proxmox/record/record-cluster.js';
import { type Fixture, fixtureSchema } from '../../conformance/pve/fixture-schema.js';
import { FAST_POLL, useSimulatedCluster } from '../helpers/simulated-cluster.js';

const cluster = useSimulatedCluster();

// The simulator's values → the "real" ones the recorder sees. Longer first.
const DISGUISE: [string, string][] = [
  ['"tokenid":"bot"', '"tokenid":"audit"'],
  ['chatops@pve!bot', 'rec-svc@corp!audit'],
  ['chatops@pve', 'rec-svc@corp'],
  ['MonCluster', 'acme-prod'],
  ['node01', 'pve-alpha'],
  ['node02', 'pve-bravo'],
  ['node03', 'pve-charlie'],
];
const REAL_TOKEN = 'rec-svc@corp!audit';
const toReal = (text: string) => DISGUISE.reduce((t, [sim, real]) => t.replaceAll(sim, real), text);
const toSim = (text: string) => DISGUISE.reduce((t, [sim, real]) => t.replaceAll(real, sim), text);

/** Wraps the real read-only client; keeps what the recorder was shown. */
function disguised(inner: PveReadOnlyTransport, shown: PveRawAnswer[]): PveReadOnlyTransport {
  const answer = (status: number, message: string): PveRawAnswer => ({
    host: inner.hosts[0] ?? '',
    status,
    statusText: message,
    body: JSON.stringify({ data: null, message: `${message}\n` }),
  });
  return {
    hosts: inner.hosts,
    async get(path, params, signal) {
      const real = path.split('/').map(decodeURIComponent).join('/');
      let result: PveRawAnswer;
      if (real === '/nodes/pve-bravo/apt/update') {
        result = answer(403, 'Permission check failed (/nodes/pve-bravo, Sys.Modify)');
      } else if (/^\/nodes\/[^/]+\/lxc\/\d+\/migrate$/.test(real)) {
        result = answer(501, `Method 'GET /nodes/pve-charlie/lxc/200/migrate' not implemented`);
      } else {
        const simPath = path
          .split('/')
          .map((segment) => encodeURIComponent(toSim(decodeURIComponent(segment))))
          .join('/');
        const simParams = Object.fromEntries(
          Object.entries(params ?? {}).map(([k, v]) => [k, typeof v === 'string' ? toSim(v) : v]),
        );
        const got = await inner.get(simPath, simParams, signal);
        result = { ...got, statusText: toReal(got.statusText), body: toReal(got.body) };
      }
      shown.push(result);
      return result;
    },
    close: () => inner.close(),
  };
}

interface Written {
  file: string;
  text: string;
  fixture: Fixture;
}

describe('pve-record on a cluster', () => {
  let dir: string;
  const shown: PveRawAnswer[] = [];
  let written: WrittenFixture[] = [];
  let files: Written[] = [];
  let requestsBefore = 0;

  beforeAll(async () => {
    // Two finished tasks to record (sent before the recording, with the full client).
    const client = cluster.client();
    for (const guest of [
      { type: 'qemu', vmid: 103, node: 'node03' },
      { type: 'lxc', vmid: 201, node: 'node01' },
    ] as const) {
      await client.waitForTask(await client.start(guest), { pollInterval: FAST_POLL });
    }
    dir = await mkdtemp(join(tmpdir(), 'pve-record-'));
    const { sim } = cluster;
    requestsBefore = sim.requests.length;
    const inner = createPveReadOnlyTransport({
      hosts: sim.hosts,
      tokenId: sim.tokenId,
      tokenSecret: sim.tokenSecret,
      fingerprints: sim.fingerprints,
    });
    const pve = disguised(inner, shown);
    try {
      const result = await recordCluster(pve, { maxTasks: 3 });
      expect(result.failures).toEqual([]);
      ({ written } = await writeFixtures(result.exchanges, {
        out: dir,
        tokenId: REAL_TOKEN,
        date: '2026-01-02',
      }));
    } finally {
      await pve.close();
    }
    files = await Promise.all(
      written.map(async ({ file }) => {
        const text = await readFile(join(dir, file), 'utf8');
        return { file, text, fixture: fixtureSchema.parse(JSON.parse(text)) };
      }),
    );
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes corpus fixtures (capture, pve-record <date>, producer, GET)', () => {
    expect(files.length).toBeGreaterThan(50);
    for (const { file, fixture } of files) {
      expect(file).toMatch(/^(cluster|nodes|guests|ha|replication|tasks)\/[a-z0-9.-]+\.9\.json$/);
      expect(fixture.pveVersion).toBe('9.1');
      expect(fixture.provenance).toMatchObject({ kind: 'capture', source: 'pve-record 2026-01-02' });
      expect(Object.values(ENDPOINTS).map((e) => e.producer)).toContain(fixture.provenance.producer);
      expect(fixture.request.method).toBe('GET');
    }
  });

  it('reads every endpoint of its list', () => {
    const paths = files.map(({ fixture }) => fixture.request.path);
    const missing = (Object.keys(ENDPOINTS) as EndpointTemplate[]).filter((template) => {
      const pattern = new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`);
      return !paths.some((path) => pattern.test(path));
    });
    expect(missing).toEqual([]);
    const tasks = files.filter(({ file }) => file.startsWith('tasks/task-'));
    // The running start, the failed nightly backup of the default cluster's history, an OK one.
    expect(tasks.map(({ file }) => file).sort()).toEqual([
      'tasks/task-log-vzdump-2-node02.9.json',
      'tasks/task-log-vzdump-3-node01.9.json',
      'tasks/task-log-vzstart-1-node01.9.json',
      'tasks/task-status-vzdump-2-node02.9.json',
      'tasks/task-status-vzdump-3-node01.9.json',
      'tasks/task-status-vzstart-1-node01.9.json',
    ]);
    expect(tasks.find(({ file }) => file.startsWith('tasks/task-log-'))?.fixture.request.params).toEqual({
      start: 0,
      limit: 0,
    });
  });

  it('writes error answers as fixtures and goes on', () => {
    const forbidden = files.find(({ file }) => file === 'nodes/node-apt-update-node02-403.9.json');
    expect(forbidden?.fixture.response).toEqual({
      status: 403,
      statusText: 'Permission check failed (/nodes/node02, Sys.Modify)',
      body: { data: null, message: 'Permission check failed (/nodes/node02, Sys.Modify)\n' },
    });
    expect(files.filter(({ fixture }) => fixture.response.status === 501).length).toBeGreaterThan(0);
    const last = files.at(-1)?.fixture.request.path;
    expect(last).toMatch(/^\/nodes\/node0\d\/tasks\/UPID:node0\d:.*:\/log$/);
  });

  it('leaves no name, address, fingerprint, key, token or secret of the cluster in any file', () => {
    const bodies = shown.map((a) => `${a.statusText}\n${a.body}`).join('\n');
    const resources = shown
      .map((a) => JSON.parse(a.body) as { data?: unknown })
      .flatMap((b) => (Array.isArray(b.data) ? (b.data as Record<string, unknown>[]) : []));
    const secrets = new Set<string>([
      'pve-alpha',
      'pve-bravo',
      'pve-charlie',
      'acme-prod',
      REAL_TOKEN,
      'rec-svc',
      cluster.sim.tokenSecret,
      ...resources.flatMap((r) => (typeof r.name === 'string' && 'vmid' in r ? [r.name] : [])),
      ...[...bodies.matchAll(/\b\d{1,3}(?:\.\d{1,3}){3}\b/g)]
        .map((m) => m[0])
        .filter((ip) => ip !== '127.0.0.1'),
      ...[...bodies.matchAll(/(?:[0-9A-F]{2}:){31}[0-9A-F]{2}/g)].map((m) => m[0]),
      ...[...bodies.matchAll(/-----BEGIN CERTIFICATE-----\\n([\s\S]*?)\\n-----END/g)].flatMap((m) =>
        (m[1] ?? '').split('\\n').filter((line) => line.length >= 16),
      ),
    ]);
    // Guest names, IPs and fingerprints were found: the check checks something.
    expect([...secrets].filter((s) => /^127\.20\./.test(s)).length).toBeGreaterThanOrEqual(3);
    expect(secrets).toContain('TestVM');
    expect([...secrets].filter((s) => s.startsWith('MII') || s.length === 64).length).toBeGreaterThan(0);
    const leaks = files.flatMap(({ file, text }) =>
      [...secrets].filter((secret) => text.includes(secret)).map((secret) => `${file}: ${secret}`),
    );
    expect(leaks).toEqual([]);
    // Short words (pools and tags) as whole tokens.
    const words = resources.flatMap((r) => [
      ...(typeof r.pool === 'string' ? [r.pool] : []),
      ...(typeof r.tags === 'string' ? r.tags.split(/[;,\s]+/) : []),
    ]);
    words.push('audit');
    expect(words).toContain('prod');
    const wordLeaks = files.flatMap(({ file, fixture }) => {
      const body = JSON.stringify(fixture.response.body);
      return words
        .filter((w) => new RegExp(`(?<![\\w-])${w}(?![\\w-])`).test(body))
        .map((w) => `${file}: ${w}`);
    });
    expect(wordLeaks).toEqual([]);
  });

  it('sent only GETs to the cluster', () => {
    const sent = cluster.sim.requests.slice(requestsBefore);
    expect(sent.length).toBeGreaterThan(50);
    expect(new Set(sent.map((r) => r.method))).toEqual(new Set(['GET']));
  });

  it('uses the same placeholders in every file and keeps keys, types and number text', () => {
    const get = (file: string) =>
      files.find((f) => f.file === file)?.fixture.response.body as { data: unknown };
    const status = get('cluster/cluster-status.9.json').data as { type: string; name: string; ip?: string }[];
    const join = get('cluster/cluster-config-join.9.json').data as {
      nodelist: { name: string; pve_addr: string }[];
    };
    const ipOf = (name: string) => status.find((e) => e.name === name)?.ip;
    expect(status.find((e) => e.type === 'cluster')?.name).toBe('MonCluster');
    for (const node of join.nodelist) expect(node.pve_addr).toBe(ipOf(node.name));
    expect(join.nodelist.map((n) => n.name)).toEqual(['node01', 'node02', 'node03']);
    // pve-alpha is node01 everywhere: its guest 100 is still on node01.
    const guests = get('cluster/cluster-resources-vm.9.json').data as {
      vmid: number;
      node: string;
      name: string;
    }[];
    expect(guests.find((g) => g.vmid === 100)).toMatchObject({ node: 'node01', name: 'guest-100' });

    const numbers = (text: string) =>
      text.replace(/"(?:[^"\\]|\\.)*"/g, '""').match(/-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g) ?? [];
    const raw = shown.find((a) => a.body.includes('"type":"qemu"') && a.body.includes('"type":"storage"'));
    const written = files.find((f) => f.file === 'cluster/cluster-resources.9.json')!.text;
    const bodyText = written.slice(written.indexOf('"body": '));
    expect(numbers(bodyText)).toEqual(numbers(raw!.body));
    const shape = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(shape)
        : v !== null && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)]))
          : typeof v;
    expect(shape(get('cluster/cluster-resources.9.json'))).toEqual(shape(JSON.parse(raw!.body)));
  });
});
