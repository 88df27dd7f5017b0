// FakeSlack.holdNext: a Web API call kept unanswered until the test releases or drops it, so a
// test can act while a client waits on Slack (test/e2e/intake-takeover.test.ts kills a bot there).
import { webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeSlack } from './slack/fake-slack.js';

let fake: FakeSlack;

beforeEach(async () => {
  fake = await FakeSlack.start();
});

afterEach(async () => {
  await fake.stop();
});

function client(): webApi.WebClient {
  return new webApi.WebClient(fake.botToken, {
    slackApiUrl: fake.apiUrl,
    retryConfig: { retries: 0 },
    logLevel: webApi.LogLevel.ERROR,
  });
}

const post = (text: string, signal?: AbortSignal) =>
  fetch(`${fake.apiUrl}chat.postMessage`, {
    method: 'POST',
    headers: { authorization: `Bearer ${fake.botToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ channel: 'C1', text }),
    ...(signal ? { signal } : {}),
  });

describe('FakeSlack.holdNext', () => {
  it('holds the matching call until released, then answers and records it; others pass', async () => {
    const held = fake.holdNext('chat.postMessage', (params) => params.text === 'held');
    const web = client();
    const answer = web.chat.postMessage({ channel: 'C1', text: 'held' });
    expect((await held.received).text).toBe('held');
    // A call the hold does not match, and the next one after it, are answered meanwhile.
    await web.chat.postMessage({ channel: 'C1', text: 'other' });
    expect(fake.messages('C1').map((m) => m.text)).toEqual(['other']);
    expect(fake.calls('chat.postMessage')).toHaveLength(1);
    held.release();
    expect((await answer).ok).toBe(true);
    expect(fake.messages('C1').map((m) => m.text)).toEqual(['other', 'held']);
    expect(fake.calls('chat.postMessage')).toHaveLength(2);
    await web.chat.postMessage({ channel: 'C1', text: 'held' });
    expect(fake.messages('C1')).toHaveLength(3);
  });

  it('drops a held call: the caller gets no answer, and nothing is recorded or posted', async () => {
    const held = fake.holdNext('chat.postMessage');
    const answer = post('lost');
    await held.received;
    held.drop();
    await expect(answer).rejects.toThrow();
    expect(fake.messages('C1')).toEqual([]);
    expect(fake.calls('chat.postMessage')).toEqual([]);
  });

  it('tells when the caller went away while held; released then, the work is done all the same', async () => {
    const held = fake.holdNext('chat.postMessage');
    const abort = new AbortController();
    const answer = post('orphan', abort.signal);
    await held.received;
    abort.abort();
    await expect(answer).rejects.toThrow();
    await held.callerGone;
    held.release();
    expect(fake.messages('C1').map((m) => m.text)).toEqual(['orphan']);
    expect(() => held.drop()).toThrow(/already released/);
  });
});
