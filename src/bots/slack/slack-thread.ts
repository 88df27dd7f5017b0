// The Slack side of a ThreadRef: the channel, the request message's ts (every reply goes in its
// thread), and who asked what (quoted for display), so the request message can be redrawn with
// the result even by a bot that did not post it. The core and the jobs carry it without reading it.
import type { ThreadRef } from '../../jobs/job-events.js';

// A type, not an interface: it must stay assignable to ThreadRef's index signature.
export type SlackThread = {
  platform: 'slack';
  /** The Slack channel id (`C024BE91L`). */
  channel: string;
  /** The request message; absent for messages to a channel itself (the daily digest). */
  thread_ts?: string;
  /** The Slack user id of the requester, and the command text they typed. */
  user?: string;
  command?: string;
  /**
   * Before its request message exists: the command's request id (`slack:trigger:…`). Private
   * answers go through that command's response_url, and its thread is found once opened.
   */
  request?: string;
  /**
   * Before its request message exists: the command's response_url (valid 30 minutes), where its
   * private answers go, from whichever replica handles it.
   */
  response_url?: string;
};

const CHANNEL_PREFIX = 'slack:';

/** Reads a ThreadRef addressed to Slack; the channel may be written `slack:C024BE91L` too. */
export function slackThreadOf(ref: ThreadRef): SlackThread {
  const { channel, thread_ts, user, command, request, response_url } = ref as Record<string, unknown>;
  if (ref.platform !== 'slack' || typeof channel !== 'string' || channel === '') {
    throw new Error(`not a Slack thread: ${JSON.stringify(ref)}`);
  }
  return {
    platform: 'slack',
    channel: channel.startsWith(CHANNEL_PREFIX) ? channel.slice(CHANNEL_PREFIX.length) : channel,
    ...(typeof thread_ts === 'string' ? { thread_ts } : {}),
    ...(typeof user === 'string' ? { user } : {}),
    ...(typeof command === 'string' ? { command } : {}),
    ...(typeof request === 'string' ? { request } : {}),
    ...(typeof response_url === 'string' && isResponseUrl(response_url) ? { response_url } : {}),
  };
}

/** An http(s) URL: what Slack hands out as a response_url (https in production, a local fake in tests). */
function isResponseUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

/** The Slack user id of a platform-qualified identity (`slack:U0123ABC`), if it is one. */
export function slackUserId(identity: string): string | undefined {
  return identity.startsWith(CHANNEL_PREFIX) ? identity.slice(CHANNEL_PREFIX.length) : undefined;
}
