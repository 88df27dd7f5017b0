// Slash commands as Slack delivers them (a signed form POST to /slack/events), sent over plain
// TCP sockets with the requests built and signed beforehand. FakeSlack.slashCommand goes through
// fetch, whose own work per request (in the sending process, on the same two cores) shows up in
// every ack it times once 200 go out at once; Slack sends from many machines. Here each request
// costs the sender one connect and one write, so the time from connect() to the first byte of the
// answer is the bot's: accept, parse, verify, ack. The signing and the payload fields are
// FakeSlack's own.
import { connect } from 'node:net';
import { signRequest, slashCommandFields } from '../test/fakes/slack/build-payloads.js';
import type { FakeSlack } from '../test/fakes/slack/fake-slack.js';

export interface RawAck {
  /** HTTP status; 0 when no answer came within the timeout. */
  status: number;
  ackMs: number;
}

export interface RawSlashCommand {
  text: string;
  userId: string;
  channelId: string;
}

/** The bytes of one signed slash-command delivery to `url` (HTTP/1.1, Connection: close). */
export function buildSlashRequest(fake: FakeSlack, url: URL, command: RawSlashCommand): Buffer {
  const fields = slashCommandFields({
    command: '/pve',
    text: command.text,
    userId: command.userId,
    userName: command.userId,
    channelId: command.channelId,
    channelName: command.channelId,
    teamId: fake.teamId,
    // Only used when the bot cannot post in the channel; FakeSlack answers 404 there.
    responseUrl: `${fake.baseUrl}/respond/bench-unused`,
    ws: {
      teamId: fake.teamId,
      teamDomain: fake.teamDomain,
      appId: fake.appId,
      botUserId: fake.botUserId,
      botId: fake.botId,
    },
  });
  const body = new URLSearchParams(fields).toString();
  const timestamp = Math.floor(Date.now() / 1000);
  const head = [
    `POST ${url.pathname} HTTP/1.1`,
    `Host: ${url.host}`,
    'Content-Type: application/x-www-form-urlencoded',
    `X-Slack-Request-Timestamp: ${timestamp}`,
    `X-Slack-Signature: ${signRequest(fake.signingSecret, timestamp, body)}`,
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    '',
  ].join('\r\n');
  return Buffer.concat([Buffer.from(head), Buffer.from(body)]);
}

/** Sends one prepared request; resolves with its status and the time to the answer's first byte. */
export function sendRaw(url: URL, request: Buffer, timeoutMs = 3_000): Promise<RawAck> {
  return new Promise((resolve) => {
    const started = performance.now();
    let firstByte: number | undefined;
    let head = '';
    let done = false;
    const statusOf = () => Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
    const socket = connect({ host: url.hostname, port: Number(url.port) }, () => socket.write(request));
    const finish = (status: number) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ status, ackMs: status === 0 ? timeoutMs : (firstByte ?? performance.now()) - started });
    };
    const timer = setTimeout(() => finish(0), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      firstByte ??= performance.now();
      head += chunk.toString('latin1');
      if (head.includes('\r\n\r\n')) finish(statusOf());
    });
    socket.on('error', () => finish(0));
    socket.on('end', () => finish(statusOf()));
  });
}
