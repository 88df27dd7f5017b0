// Cards as Block Kit, and the escaping that keeps user text from pinging a channel.
import { describe, expect, it } from 'vitest';
import { progressBar } from '../../src/bots/card-marks.js';
import { escapeCodeSpan, escapeMrkdwn } from '../../src/bots/slack/escape-mrkdwn.js';
import { renderCardBlocks } from '../../src/bots/slack/render-card-blocks.js';
import { renderRequestMessage } from '../../src/bots/slack/render-request-message.js';
import { slackThreadOf, slackUserId } from '../../src/bots/slack/slack-thread.js';
import type { Card } from '../../src/core/message.js';

const blockText = (body: ReturnType<typeof renderCardBlocks>) => JSON.stringify(body.blocks);

describe('escapeMrkdwn', () => {
  it('escapes the three control characters so <!channel> cannot ping', () => {
    expect(escapeMrkdwn('<!channel> & <@U1|bob> > x')).toBe('&lt;!channel&gt; &amp; &lt;@U1|bob&gt; &gt; x');
  });

  it('keeps backticks from ending a code span', () => {
    expect(escapeCodeSpan('a `b` <c>')).toBe("a 'b' &lt;c&gt;");
  });
});

describe('progressBar', () => {
  it('draws ten segments and the percentage', () => {
    expect(progressBar(60)).toBe('▰▰▰▰▰▰▱▱▱▱ 60%');
    expect(progressBar(0)).toBe('▱▱▱▱▱▱▱▱▱▱ 0%');
  });

  it('clamps values outside 0..100', () => {
    expect(progressBar(140)).toBe('▰▰▰▰▰▰▰▰▰▰ 100%');
    expect(progressBar(-5, 5)).toBe('▱▱▱▱▱ 0%');
  });
});

describe('renderCardBlocks', () => {
  const approval: Card = {
    title: 'migrate TestVM (100) node01 → node03, live',
    status: 'pending',
    fields: [
      { label: 'Requested by', value: 'alice' },
      { label: 'Approvers', value: 'on-call' },
    ],
    buttons: [
      { action: 'approve', label: 'Approve', value: 'k3x9q2ab', style: 'primary' },
      { action: 'deny', label: 'Deny', value: 'k3x9q2ab', style: 'danger' },
      { action: 'cancel-request', label: 'Cancel', value: 'k3x9q2ab' },
    ],
    footer: 'request k3x9q2ab',
  };

  it('renders the title with its status mark, the fields, the buttons and the footer', () => {
    const { blocks, text } = renderCardBlocks(approval);
    expect(blocks[0]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: '⏳ *migrate TestVM (100) node01 → node03, live*' },
    });
    expect(blocks[1]).toEqual({
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: '*Requested by*\nalice' },
        { type: 'mrkdwn', text: '*Approvers*\non-call' },
      ],
    });
    expect(blocks[2]).toMatchObject({
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: 'approve',
          value: 'k3x9q2ab',
          style: 'primary',
          text: { text: 'Approve' },
        },
        { type: 'button', action_id: 'deny', value: 'k3x9q2ab', style: 'danger' },
        { type: 'button', action_id: 'cancel-request', value: 'k3x9q2ab' },
      ],
    });
    expect(blocks[2]).not.toHaveProperty('elements.2.style');
    expect(blocks[3]).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: 'request k3x9q2ab' }] });
    expect(text).toBe('⏳ migrate TestVM (100) node01 → node03, live');
  });

  it('shows progress as a bar and only the newest six log lines in a code block', () => {
    const logLines = Array.from({ length: 9 }, (_, i) => `line ${i + 1}`);
    const { blocks, text } = renderCardBlocks({
      title: 'migrate · job 7',
      status: 'running',
      progress: { phase: 'migrating', percent: 60 },
      logLines,
    });
    expect(blocks[1]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: 'migrating ▰▰▰▰▰▰▱▱▱▱ 60%' },
    });
    const log = (blocks[2] as { text: { text: string } }).text.text;
    expect(log).toBe('```\nline 4\nline 5\nline 6\nline 7\nline 8\nline 9\n```');
    expect(text).toContain('migrating 60%');
  });

  it('escapes user text everywhere it appears, the fallback text included', () => {
    const body = renderCardBlocks({
      title: 'Cannot migrate <!channel>',
      status: 'failed',
      text: 'No VM named <!here> & no <@U999>',
      fields: [{ label: 'Error', value: '<!everyone>' }],
      progress: { phase: '<!channel>' },
      logLines: ['<!channel> ```'],
      footer: '<!subteam^S1>',
    });
    const all = `${blockText(body)}${body.text}`;
    expect(all).not.toMatch(/<!/);
    expect(all).not.toMatch(/<@/);
    expect(blockText(body)).toContain('&lt;!channel&gt;');
    expect(body.text).toContain('Error: &lt;!everyone&gt;');
  });

  it('splits more than ten fields over several sections', () => {
    const fields = Array.from({ length: 12 }, (_, i) => ({ label: `f${i}`, value: String(i) }));
    const { blocks } = renderCardBlocks({ title: 'status', status: 'info', fields });
    const sections = blocks.filter((b) => b.type === 'section' && 'fields' in b);
    expect(sections.map((b) => (b as { fields: unknown[] }).fields.length)).toEqual([10, 2]);
  });

  it('keeps a long body inside the 3000-character section limit', () => {
    const { blocks } = renderCardBlocks({ title: 'digest', status: 'info', text: 'x'.repeat(5000) });
    expect((blocks[0] as { text: { text: string } }).text.text.length).toBeLessThanOrEqual(3000);
  });
});

describe('renderRequestMessage', () => {
  it('shows who asked and what they typed, escaped, and the result mark once known', () => {
    expect(renderRequestMessage('U1', 'migrate TestVM node03').text).toBe(
      '<@U1> ran `/pve migrate TestVM node03`',
    );
    expect(renderRequestMessage('U1', 'status <!channel> `x`', 'succeeded').text).toBe(
      "✅ <@U1> ran `/pve status &lt;!channel&gt; 'x'`: succeeded",
    );
    expect(renderRequestMessage('U1', '', 'failed').text).toBe('❌ <@U1> ran `/pve`: failed');
  });
});

describe('slackThreadOf', () => {
  it('reads the channel, thread and requester, with or without the slack: prefix', () => {
    expect(slackThreadOf({ platform: 'slack', channel: 'slack:C1', thread_ts: '1.2', user: 'U1' })).toEqual({
      platform: 'slack',
      channel: 'C1',
      thread_ts: '1.2',
      user: 'U1',
    });
  });

  it('refuses a thread of another platform', () => {
    expect(() => slackThreadOf({ platform: 'discord', channel: 'C1' })).toThrow(/not a Slack thread/);
  });

  it('maps only slack identities to Slack user ids', () => {
    expect(slackUserId('slack:U0123ABC')).toBe('U0123ABC');
    expect(slackUserId('console:alice')).toBeUndefined();
  });
});
