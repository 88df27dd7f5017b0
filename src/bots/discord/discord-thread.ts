// The Discord side of a ThreadRef. A command's public request message (posted once the core
// accepted it) is where its conversation hangs: a thread started on it, whose id Discord makes
// equal to the message's id, so the ref needs no thread id and stays valid across restarts (it
// holds no interaction token, which would expire after 15 minutes); or, where the bot may not
// start threads, replies to it in the channel. The core and the jobs carry it without reading it.
import type { ThreadRef } from '../../jobs/job-events.js';

// A type, not an interface: it must stay assignable to ThreadRef's index signature.
export type DiscordThread = {
  platform: 'discord';
  /** The channel the request message is in (`discord:` prefix allowed when read). */
  channel: string;
  /** The request message; absent for messages to a channel itself (the daily digest). */
  message?: string;
  /**
   * Where replies go: `thread` (default) a thread started on the request message; `channel` the
   * channel itself, for a request made inside a thread, where Discord allows no thread of threads.
   */
  replies?: 'thread' | 'channel';
  /** The Discord user id of the requester, and the command line their options made. */
  user?: string;
  command?: string;
  /**
   * The interaction being answered: the command's, or on a click's thread the click's own. What
   * is said to that person alone (a refusal, a private job result) goes through its webhook while
   * its token works; the token is found by this id in the interaction registry, by any replica.
   */
  interaction?: string;
};

const PREFIX = 'discord:';

export function discordThreadOf(ref: ThreadRef): DiscordThread {
  const { channel, message, replies, user, command, interaction } = ref as Record<string, unknown>;
  if (ref.platform !== 'discord' || typeof channel !== 'string' || channel === '') {
    throw new Error(`not a Discord thread: ${JSON.stringify(ref)}`);
  }
  return {
    platform: 'discord',
    channel: channel.startsWith(PREFIX) ? channel.slice(PREFIX.length) : channel,
    ...(typeof message === 'string' ? { message } : {}),
    ...(replies === 'channel' || replies === 'thread' ? { replies } : {}),
    ...(typeof user === 'string' ? { user } : {}),
    ...(typeof command === 'string' ? { command } : {}),
    ...(typeof interaction === 'string' ? { interaction } : {}),
  };
}

/** The Discord user id of a platform-qualified identity (`discord:80351110224678912`), if it is one. */
export function discordUserId(identity: string): string | undefined {
  return identity.startsWith(PREFIX) ? identity.slice(PREFIX.length) : undefined;
}
