// `pve-chatops notify:setup` against the simulator, run as the README runs it (the compiled CLI):
// it creates the webhook target and the matcher, a second run changes nothing but re-sends the
// secret, and a backup failing in the simulator then reaches a local receiver as our JSON body
// with the secret in the Authorization header. Usage errors and a token without the privileges.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNotifySetupCommand } from '../../src/app/run-notify-setup-command.js';
import { pveNotificationBodySchema, WEBHOOK_BODY_TEMPLATE } from '../../src/proxmox/notification-template.js';
import { decodeNamedValue } from '../../src/proxmox/notifications-api.js';
import { requestVzdump } from '../../src/sim/cluster/vzdump.js';
import { type RunningSimulator, type SimCluster, startSimulator } from '../../src/sim/simulator.js';
import { startCompiledCli } from '../e2e/helpers/compiled-cli.js';

const SECRET = 'notify-setup-secret-0123456789abcdef';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

let sim: RunningSimulator<SimCluster>;
let receiver: Server;
let url: string;
const received: Received[] = [];
const waiting: Array<(r: Received) => void> = [];

beforeAll(async () => {
  sim = await startSimulator({ port: 0, speed: 200, authFailureDelayMs: 0 });
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const entry = { headers: req.headers, body: Buffer.concat(chunks).toString() };
      received.push(entry);
      res.writeHead(200).end();
      waiting.shift()?.(entry);
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/pve/notifications`;
});

afterAll(async () => {
  await sim?.cluster.notifications.settled();
  await sim?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
});

async function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; output: string }> {
  const cli = startCompiledCli(['notify:setup', ...args], {
    ...sim.env(),
    PVE_NOTIFY_SECRET: SECRET,
    ...env,
  });
  const code = await cli.exited;
  return { code, output: cli.output() };
}

describe('pve-chatops notify:setup', () => {
  it('creates the target and the matcher, then changes nothing but the secret; a failed backup reaches the receiver', async () => {
    const config = sim.cluster.notifications.config;
    const first = await runCli(['--url', url]);
    expect(first.output).toContain('created webhook target pve-chatops');
    expect(first.output).toContain('created matcher pve-chatops-matcher');
    expect(first.output).toContain('Mapping.Modify');
    expect(first.code).toBe(0);

    const webhook = config.webhooks.get('pve-chatops');
    expect(webhook).toMatchObject({ url, method: 'post' });
    expect(webhook?.header.map((h) => decodeNamedValue(h))).toEqual([
      { name: 'Content-Type', value: 'application/json' },
      { name: 'Authorization', value: 'Bearer {{ secrets.token }}' },
    ]);
    expect(Buffer.from(webhook?.body ?? '', 'base64').toString()).toBe(WEBHOOK_BODY_TEMPLATE);
    expect(webhook?.secrets.get('token')).toBe(SECRET);
    expect(config.matchers.get('pve-chatops-matcher')).toMatchObject({
      target: ['pve-chatops'],
      matchSeverity: ['warning,error'],
      matchField: ['exact:type=vzdump,replication,fencing,package-updates,system-mail'],
      mode: 'all',
    });
    const digest = config.digest();

    const second = await runCli(['--url', url]);
    expect(second.output).toContain('webhook target pve-chatops unchanged; secret re-sent');
    expect(second.output).toContain('matcher pve-chatops-matcher unchanged');
    expect(second.code).toBe(0);
    expect(config.digest()).toBe(digest);

    // A narrower severity list changes the matcher only.
    const third = await runCli(['--url', url, '--severity', 'error', '--types', 'vzdump,replication']);
    expect(third.output).toContain('webhook target pve-chatops unchanged; secret re-sent');
    expect(third.output).toContain('updated matcher pve-chatops-matcher: severity, types');
    expect(config.matchers.get('pve-chatops-matcher')?.matchSeverity).toEqual(['error']);

    // A backup of a locked VM fails on node01: PVE's notification arrives as our JSON.
    sim.cluster.guest(100)!.lock = 'snapshot';
    const arrived = new Promise<Received>((resolve) => waiting.push(resolve));
    requestVzdump(sim.cluster, {
      node: 'node01',
      user: 'root@pam',
      params: { vmid: '100', storage: 'local' },
    });
    const request = await arrived;
    expect(request.headers.authorization).toBe(`Bearer ${SECRET}`);
    const body = pveNotificationBodySchema.parse(JSON.parse(request.body));
    expect(body).toMatchObject({
      severity: 'error',
      title: 'vzdump backup status (node01.example.com): backup failed ',
      fields: { type: 'vzdump', hostname: 'node01' },
    });
    expect(body.message).toContain('ERROR: Backup of VM 100 failed - VM is locked (snapshot)');
    delete sim.cluster.guest(100)!.lock;
  });

  it('names the privilege PVE refused (a read-only token)', async () => {
    const { code, output } = await runCli(['--url', url, '--name', 'other'], {
      PVE_TOKEN_ID: sim.auditorTokenId,
      PVE_TOKEN_SECRET: sim.auditorTokenSecret,
    });
    expect(output).toMatch(/403 Permission check failed \(\/mapping\/notifications, Mapping\.Modify\)/);
    expect(output).toContain('Sys.AccessNetwork');
    expect(code).toBe(1);
  });

  it('refuses plain http to another host, a missing or short secret, unknown types', async () => {
    const run = async (args: string[], env: Record<string, string | undefined>) => {
      let err = '';
      process.exitCode = undefined;
      await runNotifySetupCommand(args, { env, err: (text) => (err += text), out: () => {} });
      const code = process.exitCode;
      process.exitCode = undefined;
      return { err, code };
    };
    const env = { PVE_NOTIFY_SECRET: SECRET };
    expect(await run(['--url', 'http://bot.example.com/pve/notifications'], env)).toMatchObject({
      code: 2,
      err: expect.stringContaining(
        'plain http:// would send the secret unencrypted to bot.example.com; use https://',
      ),
    });
    expect(await run(['--url', 'https://bot.example.com/pve/notifications'], {})).toMatchObject({
      code: 2,
      err: expect.stringContaining('PVE_NOTIFY_SECRET is not set'),
    });
    expect(
      await run(['--url', 'https://bot.example.com/pve/notifications'], { PVE_NOTIFY_SECRET: 'short' }),
    ).toMatchObject({ code: 2, err: expect.stringContaining('at least 16') });
    expect(
      await run(['--url', 'https://bot.example.com/pve/notifications', '--types', 'vzdump,nope'], env),
    ).toMatchObject({ code: 2, err: expect.stringContaining('--types takes a comma list') });
    expect(await run([], env)).toMatchObject({
      code: 2,
      err: expect.stringContaining('receiver URL is required'),
    });
  });
});
