// The fake Slack against the real clients: @slack/web-api's WebClient and a real Bolt App, over
// HTTP (signed requests to Bolt's HTTPReceiver) and over Socket Mode.
import type { AddressInfo } from 'node:net';
import { App, LogLevel, SocketModeReceiver, webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeSlack } from './slack/fake-slack.js';

let fake: FakeSlack;
const cleanups: Array<() => Promise<unknown>> = [];

beforeEach(async () => {
  fake = await FakeSlack.start();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await fake.stop();
});

function client(retries = 0): webApi.WebClient {
  return new webApi.WebClient(fake.botToken, {
    slackApiUrl: fake.apiUrl,
    retryConfig: { retries, minTimeout: 0, maxTimeout: 0 },
    logLevel: webApi.LogLevel.ERROR,
  });
}

/** A Bolt app on its default HTTPReceiver; resolves with it and its /slack/events URL. */
async function startHttpApp(): Promise<{ app: App; url: string }> {
  const app = new App({
    token: fake.botToken,
    signingSecret: fake.signingSecret,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } },
  });
  const server = await app.start({ port: 0, host: '127.0.0.1' });
  cleanups.push(() => app.stop());
  const { port } = server.address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}/slack/events` };
}

/** A Bolt app in Socket Mode; a short clientPingTimeout makes its reconnect delay short too. */
async function startSocketApp(): Promise<App> {
  const clientOptions = { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } };
  const receiver = new SocketModeReceiver({
    appToken: fake.appToken,
    clientPingTimeout: 200,
    logLevel: LogLevel.ERROR,
    installerOptions: { clientOptions },
  });
  const app = new App({ token: fake.botToken, receiver, logLevel: LogLevel.ERROR, clientOptions });
  await app.start();
  cleanups.push(() => app.stop());
  return app;
}

describe('FakeSlack Web API', () => {
  it('records a message, a thread reply and an edit, with blocks decoded from the form body', async () => {
    const web = client();
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*vm 101* starting' } }];
    const posted = await web.chat.postMessage({ channel: 'C1', text: 'starting', blocks });
    const reply = await web.chat.postMessage({ channel: 'C1', text: 'step 1', thread_ts: posted.ts! });
    await web.chat.update({ channel: 'C1', ts: posted.ts!, text: 'started', blocks: [] });

    expect(fake.messages('C1').map((m) => m.ts)).toEqual([posted.ts]);
    expect(fake.thread('C1', posted.ts!).map((m) => m.text)).toEqual(['step 1']);
    expect(Number(reply.ts)).toBeGreaterThan(Number(posted.ts));
    const message = fake.message('C1', posted.ts!)!;
    expect(message.text).toBe('started');
    expect(message.edits.map((e) => e.text)).toEqual(['started']);
    expect(fake.calls('chat.postMessage')[0]?.params.blocks).toEqual(blocks);
  });

  it('answers message_not_found for an edit of an unknown ts', async () => {
    await expect(client().chat.update({ channel: 'C1', ts: '1.000001', text: 'x' })).rejects.toMatchObject({
      data: { ok: false, error: 'message_not_found' },
    });
  });

  it('records ephemerals per user', async () => {
    const result = await client().chat.postEphemeral({ channel: 'C1', user: 'U1', text: 'only you' });
    expect(fake.ephemerals('U1')).toMatchObject([{ channel: 'C1', ts: result.message_ts, text: 'only you' }]);
    expect(fake.ephemerals('U2')).toEqual([]);
  });

  it('answers invalid_auth for a wrong token and unknown_method for an unknown method', async () => {
    const wrong = new webApi.WebClient('xoxb-wrong', {
      slackApiUrl: fake.apiUrl,
      retryConfig: { retries: 0 },
    });
    await expect(wrong.auth.test()).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
    await expect(client().apiCall('nope.never')).rejects.toMatchObject({ data: { error: 'unknown_method' } });
    expect(fake.calls('nope.never')).toHaveLength(1);
  });

  it('answers usergroups.users.list and users.info from its maps', async () => {
    fake.setUserGroup('S1', ['U1', 'U2']);
    fake.setUser('U1', 'alice');
    const web = client();
    expect((await web.usergroups.users.list({ usergroup: 'S1' })).users).toEqual(['U1', 'U2']);
    expect((await web.users.info({ user: 'U1' })).user?.name).toBe('alice');
    expect((await web.users.info({ user: 'U9' })).user?.name).toBe('U9');
  });

  it('makes WebClient wait out a 429 Retry-After and retry', async () => {
    fake.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 1 });
    const started = Date.now();
    await client(1).chat.postMessage({ channel: 'C1', text: 'after the limit' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(fake.calls('chat.postMessage').map((c) => c.status)).toEqual([429, 200]);
    expect(fake.messages('C1')).toHaveLength(1);
  });

  it('waitFor resolves from the recording code path', async () => {
    const waiting = fake.waitFor(() => fake.messages('C2')[0]);
    await client().chat.postMessage({ channel: 'C2', text: 'hello' });
    expect((await waiting).text).toBe('hello');
  });
});

describe('FakeSlack over HTTP to Bolt', () => {
  it('delivers a signed slash command that the handler acks, and records its respond()', async () => {
    const { app, url } = await startHttpApp();
    const seen: string[] = [];
    app.command('/pve', async ({ command, ack, respond }) => {
      seen.push(`${command.user_id}:${command.text}`);
      await ack();
      await respond({ response_type: 'ephemeral', text: 'queued job 1' });
    });

    const result = await fake.slashCommand(
      { url },
      { command: '/pve', text: 'vm start 101', userId: 'U1', channelId: 'C1' },
    );

    expect(result.status).toBe(200);
    expect(result.ackMs).toBeLessThan(3000);
    expect(seen).toEqual(['U1:vm start 101']);
    const ephemeral = await fake.waitFor(() => fake.ephemerals('U1')[0]);
    expect(ephemeral).toMatchObject({ channel: 'C1', text: 'queued job 1', source: 'response_url' });
  });

  it('gets 401 and no handler call for a bad signature or a stale timestamp', async () => {
    const { app, url } = await startHttpApp();
    let calls = 0;
    app.command('/pve', async ({ ack }) => {
      calls += 1;
      await ack();
    });
    const input = { command: '/pve', text: 'vm list', userId: 'U1', channelId: 'C1' };

    expect((await fake.slashCommand({ url }, input, { badSignature: true })).status).toBe(401);
    expect((await fake.slashCommand({ url }, input, { timestampSkewSeconds: -600 })).status).toBe(401);
    expect(calls).toBe(0);
  });

  it('replays a delivery byte for byte: its body, timestamp and signature, which Bolt accepts again', async () => {
    const { app, url } = await startHttpApp();
    const triggers: string[] = [];
    app.command('/pve', async ({ command, ack }) => {
      triggers.push(command.trigger_id);
      await ack();
    });
    await fake.slashCommand({ url }, { command: '/pve', text: 'stop TestVM', userId: 'U1', channelId: 'C1' });
    const [first] = fake.deliveries();
    const replayed = await fake.replay({ url }, first!);

    expect(replayed.status).toBe(200);
    expect(triggers).toHaveLength(2);
    expect(triggers[1]).toBe(triggers[0]);
    const [original, again] = fake.deliveries();
    expect(again!.signed).toEqual(original!.signed);
    expect(again!.signed!.body).toContain('stop+TestVM');
  });

  it('names the workspace and organisation of each delivery, another one when asked', async () => {
    await fake.stop();
    fake = await FakeSlack.start({ enterpriseId: 'E0FAKE' });
    expect(await client().auth.test()).toMatchObject({ team_id: fake.teamId, enterprise_id: 'E0FAKE' });
    const { app, url } = await startHttpApp();
    const origins: unknown[] = [];
    app.command('/pve', async ({ command, ack }) => {
      origins.push({ team: command.team_id, enterprise: command.enterprise_id });
      await ack();
    });
    app.action('approve', async ({ ack, body }) => {
      if (body.type === 'block_actions') {
        origins.push({ team: body.team?.id, user: body.user.team_id, enterprise: body.enterprise?.id });
      }
      await ack();
    });
    const input = { command: '/pve', text: 'status', userId: 'U1', channelId: 'C1' };
    await fake.slashCommand({ url }, input);
    await fake.slashCommand({ url }, { ...input, teamId: 'T0OTHER', enterpriseId: 'E0OTHER' });
    const posted = await client().chat.postMessage({
      channel: 'C1',
      text: 'approve?',
      blocks: [
        {
          type: 'actions',
          elements: [{ type: 'button', action_id: 'approve', text: { type: 'plain_text', text: 'Approve' } }],
        },
      ],
    });
    await fake.clickButton(
      { url },
      { userId: 'U9', channelId: 'C1', messageTs: posted.ts!, actionId: 'approve', teamId: 'T0OTHER' },
    );

    expect(origins).toEqual([
      { team: fake.teamId, enterprise: 'E0FAKE' },
      { team: 'T0OTHER', enterprise: 'E0OTHER' },
      { team: 'T0OTHER', user: 'T0OTHER', enterprise: 'E0FAKE' },
    ]);
  });

  it('clicks a button on a posted message and applies replace_original', async () => {
    const { app, url } = await startHttpApp();
    app.action('approve', async ({ ack, respond, body }) => {
      await ack();
      const value = body.type === 'block_actions' ? body.actions[0] : undefined;
      await respond({
        replace_original: true,
        text: `approved ${value && 'value' in value ? value.value : ''}`,
      });
    });
    const posted = await client().chat.postMessage({
      channel: 'C1',
      text: 'approve?',
      blocks: [
        {
          type: 'actions',
          block_id: 'b1',
          elements: [
            {
              type: 'button',
              action_id: 'approve',
              value: 'job-7',
              text: { type: 'plain_text', text: 'Approve' },
            },
          ],
        },
      ],
    });

    const result = await fake.clickButton(
      { url },
      { userId: 'U2', channelId: 'C1', messageTs: posted.ts!, actionId: 'approve' },
    );

    expect(result.status).toBe(200);
    const edited = await fake.waitFor(() => fake.message('C1', posted.ts!)?.edits[0]);
    expect(edited.text).toBe('approved job-7');
  });
});

describe('FakeSlack over Socket Mode to Bolt', () => {
  it('delivers a slash command envelope and measures the ack', async () => {
    const app = await startSocketApp();
    app.command('/pve', async ({ ack }) => {
      await ack('on it');
    });

    const result = await fake.slashCommand('socket', {
      command: '/pve',
      text: 'vm list',
      userId: 'U1',
      channelId: 'C1',
    });

    expect(result.status).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ text: 'on it' });
    expect(fake.calls('apps.connections.open')[0]?.token).toBe(fake.appToken);
    expect(fake.ephemerals('U1')).toMatchObject([{ text: 'on it', source: 'ack' }]);
  });

  it('fails a delivery the app does not ack in time', async () => {
    await fake.stop();
    fake = await FakeSlack.start({ ackTimeoutMs: 300 });
    const app = await startSocketApp();
    app.command('/pve', async () => {});

    await expect(
      fake.slashCommand('socket', { command: '/pve', text: 'vm list', userId: 'U1', channelId: 'C1' }),
    ).rejects.toMatchObject({ code: 'FAKE_SLACK_ACK_TIMEOUT' });
    expect(fake.deliveries()[0]?.status).toBe(0);
  });

  it('reconnects through apps.connections.open after a disconnect', async () => {
    const app = await startSocketApp();
    app.command('/pve', async ({ ack }) => {
      await ack();
    });
    expect(fake.socketConnections()).toEqual({ opened: 1, open: 1 });

    fake.disconnect();
    await fake.waitFor(() => fake.socketConnections().opened === 2 && fake.socketConnections().open === 1);

    expect(fake.calls('apps.connections.open')).toHaveLength(2);
    const result = await fake.slashCommand('socket', {
      command: '/pve',
      text: 'vm list',
      userId: 'U1',
      channelId: 'C1',
    });
    expect(result.status).toBe(200);
  });
});
