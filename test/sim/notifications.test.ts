// PVE's notification system in the simulator: the /cluster/notifications configuration, matchers
// with proxmox-notify's semantics, the webhook template renderer, and the deliveries events send
// for real over HTTP to a receiver on 127.0.0.1 (one attempt, no retry).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { pveNotificationBodySchema, WEBHOOK_BODY_TEMPLATE } from '../../src/proxmox/notification-template.js';
import { createCluster } from '../../src/sim/cluster/create-cluster.js';
import {
  matcherMatches,
  type SimDelivery,
  type SimNotification,
} from '../../src/sim/cluster/notification-bus.js';
import type { SimMatcher } from '../../src/sim/cluster/notification-config.js';
import {
  humanBytes,
  humanDuration,
  packageUpdatesNotification,
  systemMailNotification,
} from '../../src/sim/cluster/notification-events.js';
import type { SimCluster } from '../../src/sim/cluster/sim-cluster.js';
import { renderWebhookTemplate } from '../../src/sim/cluster/webhook-template.js';
import { PveHttpError } from '../../src/sim/pve-http-error.js';
import { type Api, apiFor, taskDone } from './cluster-test-kit.js';

const SECRET = 'example-notify-secret-0123456789';
const b64 = (text: string) => Buffer.from(text).toString('base64');

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A receiver on 127.0.0.1 answering `status`; resolves `next()` with each request. */
async function startReceiver(status = 200): Promise<{
  url: string;
  received: Received[];
  next: () => Promise<Received>;
  server: Server;
}> {
  const received: Received[] = [];
  const waiting: Array<(r: Received) => void> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const entry = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      received.push(entry);
      res.writeHead(status).end();
      waiting.shift()?.(entry);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/pve/notifications`,
    received,
    server,
    next: () => new Promise((resolve) => waiting.push(resolve)),
  };
}

let cluster: SimCluster | undefined;
const servers: Server[] = [];
afterEach(async () => {
  await cluster?.notifications.settled();
  cluster?.close();
  cluster = undefined;
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

function setup(): { sim: SimCluster; api: Api } {
  cluster = createCluster({ speed: 1000 });
  return { sim: cluster, api: apiFor(cluster) };
}

/** notify:setup's target and a matcher for the five types at `severity`. */
async function configure(
  api: Api,
  url: string,
  severity = 'info,notice,warning,error,unknown',
): Promise<void> {
  await api.call('POST', '/cluster/notifications/endpoints/webhook', {
    name: 'chatops',
    url,
    method: 'post',
    header: [
      `name=Content-Type,value=${b64('application/json')}`,
      `name=Authorization,value=${b64('Bearer {{ secrets.token }}')}`,
    ],
    body: b64(WEBHOOK_BODY_TEMPLATE),
    secret: [`name=token,value=${b64(SECRET)}`],
  });
  await api.call('POST', '/cluster/notifications/matchers', {
    name: 'chatops-matcher',
    target: ['chatops'],
    'match-field': ['exact:type=vzdump,replication,fencing,package-updates,system-mail'],
    'match-severity': [severity],
    mode: 'all',
  });
}

const NOTE: SimNotification = {
  severity: 'error',
  title: 't ',
  message: 'm\n',
  fields: { type: 'vzdump', hostname: 'node01', 'job-id': 'backup-1' },
  timestamp: 1,
  sender: 'node01',
};
const matcher = (over: Partial<SimMatcher>): SimMatcher => ({
  name: 'm',
  matchField: [],
  matchSeverity: [],
  matchCalendar: [],
  target: ['t'],
  origin: 'user-created',
  ...over,
});

describe('the webhook template renderer', () => {
  it('renders our body template into JSON the receiver schema accepts, the timestamp a number', () => {
    const body = renderWebhookTemplate(WEBHOOK_BODY_TEMPLATE, {
      title: 'vzdump backup status (node01.example.com): backup failed ',
      message: 'a "quoted"\nline\t\\',
      severity: 'error',
      timestamp: 1776200442,
      fields: { type: 'vzdump', hostname: 'node01' },
    });
    expect(pveNotificationBodySchema.parse(JSON.parse(body))).toEqual({
      title: 'vzdump backup status (node01.example.com): backup failed ',
      message: 'a "quoted"\nline\t\\',
      severity: 'error',
      timestamp: 1776200442,
      fields: { hostname: 'node01', type: 'vzdump' },
    });
  });

  it('has the json, escape and url-encode helpers and no HTML escaping (proxmox-notify webhook.rs test)', () => {
    const data = { fields: { hello: 'hello world', test: 'escaped\nstring' }, secrets: { token: 'a<b>&' } };
    expect(
      renderWebhookTemplate(
        '{{ escape fields.test }}|{{ json fields }}|{{ url-encode fields.hello }}|{{ secrets.token }}|{{ missing }}',
        data,
      ),
    ).toBe('escaped\\nstring|{"hello":"hello world","test":"escaped\\nstring"}|hello%20world|a<b>&|');
    // `}}}` after a `{{` is `}}` and a literal `}`.
    expect(renderWebhookTemplate('{"f": {{ json fields }}}', data)).toBe(
      '{"f": {"hello":"hello world","test":"escaped\\nstring"}}',
    );
  });

  it('renders sizes and durations as proxmox-human-byte and proxmox-time do', () => {
    expect(humanBytes(187000000)).toBe('178.337 MiB');
    expect(humanBytes(0)).toBe('0 B');
    expect(humanDuration(64)).toBe('1m 4s');
    expect(humanDuration(0)).toBe('0s');
  });
});

describe('matchers', () => {
  it('apply mode inside each directive: with mode all, ["warning","error"] never matches, "warning,error" does', () => {
    expect(matcherMatches(matcher({ matchSeverity: ['warning', 'error'], mode: 'all' }), NOTE)).toBe(false);
    expect(matcherMatches(matcher({ matchSeverity: ['warning,error'], mode: 'all' }), NOTE)).toBe(true);
    expect(matcherMatches(matcher({ matchSeverity: ['warning', 'error'], mode: 'any' }), NOTE)).toBe(true);
  });

  it('match exact values and regexes of fields; a missing field does not match; invert negates', () => {
    expect(matcherMatches(matcher({ matchField: ['exact:type=replication,vzdump'] }), NOTE)).toBe(true);
    expect(matcherMatches(matcher({ matchField: ['exact:type=fencing'] }), NOTE)).toBe(false);
    expect(matcherMatches(matcher({ matchField: ['regex:job-id=^backup-'] }), NOTE)).toBe(true);
    expect(matcherMatches(matcher({ matchField: ['exact:type=vzdump'] }), { ...NOTE, fields: {} })).toBe(
      false,
    );
    expect(matcherMatches(matcher({ matchField: ['exact:type=vzdump'], invertMatch: true }), NOTE)).toBe(
      false,
    );
    // No directive: matches everything, inverted or not.
    expect(matcherMatches(matcher({ invertMatch: true }), NOTE)).toBe(true);
  });
});

describe('the /cluster/notifications endpoints', () => {
  it('keep webhook targets with secrets by name only, check the digest, keep a secret named without value', async () => {
    const { sim, api } = setup();
    await configure(api, 'http://127.0.0.1:9/pve/notifications');
    const [listed] = (await api.call('GET', '/cluster/notifications/endpoints/webhook')) as Array<
      Record<string, unknown>
    >;
    expect(listed).toMatchObject({
      name: 'chatops',
      method: 'post',
      secret: ['name=token'],
      origin: 'user-created',
    });
    expect(listed).not.toHaveProperty('digest');
    const one = (await api.call('GET', '/cluster/notifications/endpoints/webhook/{name}', {
      name: 'chatops',
    })) as {
      digest: string;
    };
    expect(one.digest).toMatch(/^[0-9a-f]{64}$/);
    await expect(
      api.call('PUT', '/cluster/notifications/endpoints/webhook/{name}', {
        name: 'chatops',
        comment: 'x',
        digest: '00'.repeat(32),
      }),
    ).rejects.toMatchObject({
      status: 400,
      message: 'detected modified configuration - file changed by other user? Try again.',
    });
    await api.call('PUT', '/cluster/notifications/endpoints/webhook/{name}', {
      name: 'chatops',
      comment: 'pve-chatops receiver',
      secret: ['name=token'],
      digest: one.digest,
    });
    expect(sim.notifications.config.webhooks.get('chatops')?.secrets.get('token')).toBe(SECRET);
    await expect(
      api.call('PUT', '/cluster/notifications/endpoints/webhook/{name}', {
        name: 'chatops',
        secret: ['name=other'],
      }),
    ).rejects.toMatchObject({ status: 400, message: "secret 'other' not known" });
    // Changing only a secret does not change the digest (the secrets are in the private file).
    const before = sim.notifications.config.digest();
    await api.call('PUT', '/cluster/notifications/endpoints/webhook/{name}', {
      name: 'chatops',
      secret: [`name=token,value=${b64('another-secret-0123456789')}`],
    });
    expect(sim.notifications.config.digest()).toBe(before);
  });

  it('share one namespace between targets and matchers, and refuse a matcher of an unknown target', async () => {
    const { api } = setup();
    await configure(api, 'http://127.0.0.1:9/');
    await expect(
      api.call('POST', '/cluster/notifications/matchers', { name: 'chatops', target: ['chatops'] }),
    ).rejects.toMatchObject({
      status: 400,
      message: "Cannot create 'chatops', an entity with the same name already exists",
    });
    await expect(
      api.call('POST', '/cluster/notifications/matchers', { name: 'm2', target: ['nope'] }),
    ).rejects.toMatchObject({ status: 404, message: "endpoint 'nope' does not exist" });
    await expect(
      api.call('POST', '/cluster/notifications/matchers', { name: 'm3', 'match-field': ['type=vzdump'] }),
    ).rejects.toBeInstanceOf(PveHttpError);
    const matchers = (await api.call('GET', '/cluster/notifications/matchers')) as Array<{ name: string }>;
    expect(matchers.map((m) => m.name)).toEqual(['default-matcher', 'chatops-matcher']);
    const targets = (await api.call('GET', '/cluster/notifications/targets')) as Array<{
      name: string;
      type: string;
    }>;
    expect(targets.map((t) => `${t.type}:${t.name}`)).toEqual(['sendmail:mail-to-root', 'webhook:chatops']);
  });
});

describe('deliveries', () => {
  it('a failing backup POSTs one error notification with the failed guest, the secret in the header', async () => {
    const { sim, api } = setup();
    const receiver = await startReceiver();
    servers.push(receiver.server);
    await configure(api, receiver.url, 'warning,error');
    sim.guest(100)!.lock = 'snapshot';
    const arrived = receiver.next();
    const upid = (await api.call('POST', '/nodes/{node}/vzdump', {
      node: 'node01',
      vmid: '100,201',
      storage: 'local',
      mode: 'snapshot',
      'job-id': 'backup-3f1a2b4c-5d6e',
    })) as string;
    const request = await arrived;
    await taskDone(sim, upid);
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/pve/notifications');
    expect(request.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['user-agent']).toBe('proxmox-sync-http-client/1.0.6');
    const body = pveNotificationBodySchema.parse(JSON.parse(request.body));
    expect(body.title).toBe('vzdump backup status (node01.example.com): backup failed ');
    expect(body.severity).toBe('error');
    expect(body.fields).toEqual({ type: 'vzdump', hostname: 'node01', 'job-id': 'backup-3f1a2b4c-5d6e' });
    expect(body.message).toMatch(/^100 +TestVM +err +\d+s +0 B +null +$/m);
    expect(body.message).toMatch(/^201 +ct-proxy01 +ok +/m);
    expect(body.message).toMatch(
      /^100: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d ERROR: Backup of VM 100 failed - VM is locked \(snapshot\)$/m,
    );
    expect(receiver.received).toHaveLength(1);
  });

  it('a successful backup is severity info: a warning,error matcher drops it, an all-severities one sends it', async () => {
    const { sim, api } = setup();
    const receiver = await startReceiver();
    servers.push(receiver.server);
    await configure(api, receiver.url, 'warning,error');
    await taskDone(
      sim,
      (await api.call('POST', '/nodes/{node}/vzdump', {
        node: 'node01',
        vmid: '100',
        storage: 'local',
      })) as string,
    );
    expect(sim.notifications.deliveries).toEqual([]);
    await api.call('PUT', '/cluster/notifications/matchers/{name}', {
      name: 'chatops-matcher',
      'match-severity': ['info,warning,error'],
    });
    const arrived = receiver.next();
    await taskDone(
      sim,
      (await api.call('POST', '/nodes/{node}/vzdump', {
        node: 'node01',
        vmid: '100',
        storage: 'local',
      })) as string,
    );
    const body = pveNotificationBodySchema.parse(JSON.parse((await arrived).body));
    expect(body).toMatchObject({
      severity: 'info',
      title: 'vzdump backup status (node01.example.com): backup successful ',
    });
    // A manual vzdump has no job-id.
    expect(body.fields).toEqual({ type: 'vzdump', hostname: 'node01' });
    expect(body.message).toMatch(
      /^100 +TestVM +ok +\d+s +[\d.]+ [KMG]iB +\/var\/lib\/vz\/dump\/vzdump-qemu-100-/m,
    );
  });

  it('legacy-sendmail vzdump jobs send nothing to webhook targets', async () => {
    const { sim, api } = setup();
    await configure(api, 'http://127.0.0.1:9/');
    sim.guest(100)!.lock = 'snapshot';
    await taskDone(
      sim,
      (await api.call('POST', '/nodes/{node}/vzdump', {
        node: 'node01',
        vmid: '100',
        storage: 'local',
        'notification-mode': 'legacy-sendmail',
      })) as string,
    );
    expect(sim.notifications.deliveries).toEqual([]);
  });

  it('tries once: a receiver answering 500 gets one request, the task log says so, nothing is retried', async () => {
    const { sim, api } = setup();
    const receiver = await startReceiver(500);
    servers.push(receiver.server);
    await configure(api, receiver.url);
    sim.guest(100)!.lock = 'snapshot';
    const task = await taskDone(
      sim,
      (await api.call('POST', '/nodes/{node}/vzdump', {
        node: 'node01',
        vmid: '100',
        storage: 'local',
      })) as string,
    );
    expect(task.lines).toContain('could not notify via target `chatops`: http status: 500');
    expect(receiver.received).toHaveLength(1);
    expect(sim.notifications.deliveries.map((d) => d.ok)).toEqual([false]);
  });

  it('the test endpoint sends "Test notification " with no fields, bypassing matchers; a 401 is its 500', async () => {
    const { sim, api } = setup();
    const receiver = await startReceiver();
    servers.push(receiver.server);
    await configure(api, receiver.url);
    // Bypassing matchers and `disable`: its matcher off, the target itself disabled.
    await api.call('PUT', '/cluster/notifications/matchers/{name}', {
      name: 'chatops-matcher',
      disable: true,
    });
    await api.call('PUT', '/cluster/notifications/endpoints/webhook/{name}', {
      name: 'chatops',
      disable: true,
    });
    await api.call('POST', '/cluster/notifications/targets/{name}/test', { name: 'chatops' });
    expect(pveNotificationBodySchema.parse(JSON.parse(receiver.received[0]?.body ?? ''))).toMatchObject({
      title: 'Test notification ',
      message: "This is a test of the notification target 'chatops'.\n",
      severity: 'info',
      fields: {},
    });
    const refusing = await startReceiver(401);
    servers.push(refusing.server);
    await api.call('PUT', '/cluster/notifications/endpoints/webhook/{name}', {
      name: 'chatops',
      url: refusing.url,
    });
    await expect(
      api.call('POST', '/cluster/notifications/targets/{name}/test', { name: 'chatops' }),
    ).rejects.toMatchObject({
      status: 500,
      message: 'Could not test target: http status: 401',
    });
    await expect(
      api.call('POST', '/cluster/notifications/targets/{name}/test', { name: 'nope' }),
    ).rejects.toMatchObject({
      status: 404,
    });
    expect(sim.notifications.deliveries).toHaveLength(2);
  });

  it('a failing replication job and a fenced node send their notifications; test hooks send the other two kinds', async () => {
    const { sim, api } = setup();
    const receiver = await startReceiver();
    servers.push(receiver.server);
    await configure(api, receiver.url);
    const seen: SimDelivery[] = [];
    const kinds = (count: number) =>
      new Promise<void>((resolve) => {
        const stop = sim.notifications.onDelivery((delivery) => {
          seen.push(delivery);
          if (seen.length >= count) {
            stop();
            resolve();
          }
        });
      });

    sim.replication.failRuns(
      '103-0',
      "volume 'local-zfs:vm-103-disk-0' already exists on target node 'node01'",
    );
    const replicated = kinds(1);
    await sim.replication.run('103-0');
    await replicated;
    const replication = pveNotificationBodySchema.parse(JSON.parse(seen[0]?.body ?? ''));
    expect(replication).toMatchObject({
      title: "Replication Job: '103-0' failed ",
      severity: 'error',
      fields: { type: 'replication', 'job-id': '103-0', hostname: 'node03' },
    });
    expect(replication.message).toContain('Failure count: 1\n\nError:\n');

    const fenced = kinds(3);
    sim.setNodeOnline('node02', false);
    await fenced;
    const titles = seen.slice(1).map((d) => pveNotificationBodySchema.parse(JSON.parse(d.body)));
    expect(titles.map((b) => b.title)).toEqual([
      "Trying to fence node 'node02' ",
      "Successfully fenced node 'node02' ",
    ]);
    expect(titles[0]?.fields).toEqual({ type: 'fencing', hostname: 'node02' });
    expect(titles[0]?.message).toContain('  - vm:101 [node02]: fence\n');

    const now = Math.floor(Date.now() / 1000);
    await sim.notifications.send(
      packageUpdatesNotification(
        'node01',
        [{ name: 'pve-manager', installed: '9.1.4', available: '9.1.5' }],
        now,
      ),
    );
    await sim.notifications.send(systemMailNotification('node01', 'SMART error', 'Device: /dev/sda\n', now));
    const last = sim.notifications.deliveries
      .slice(-2)
      .map((d) => pveNotificationBodySchema.parse(JSON.parse(d.body)));
    expect(last.map((b) => [b.severity, b.fields.type])).toEqual([
      ['info', 'package-updates'],
      ['unknown', 'system-mail'],
    ]);
    expect(last[0]?.message).toBe(
      'The following updates are available:\n\nPackage Name    Installed Version    Available Version    \npve-manager     9.1.4                9.1.5                \n\n',
    );
  });

  it('sends only to loopback addresses', async () => {
    const { sim, api } = setup();
    await configure(api, 'http://192.0.2.20:3000/pve/notifications');
    await expect(
      api.call('POST', '/cluster/notifications/targets/{name}/test', { name: 'chatops' }),
    ).rejects.toMatchObject({
      status: 500,
      message: "Could not test target: the simulator sends only to loopback addresses, not to '192.0.2.20'",
    });
    expect(sim.notifications.deliveries).toHaveLength(1);
  });
});
