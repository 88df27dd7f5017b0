// The fake Discord's state: channels, roles, messages, threads, commands, calls. Every mutation
// ends in `changed()`, which re-evaluates pending `waitFor` predicates (no polling).
import { Snowflakes } from './snowflakes.js';
import type { FakeAttachment, FakeCall, FakeDiscordUser, FakeMessage, FakeThread } from './types.js';

/** ChannelType values the fake knows: a guild text channel, a DM, and public/private threads. */
export type StoredChannelType = 0 | 1 | 11 | 12;

export const isThreadType = (type: StoredChannelType): boolean => type === 11 || type === 12;

export interface StoredChannel {
  id: string;
  name: string;
  type: StoredChannelType;
  /** Threads only: the text channel they hang off. */
  parentId?: string;
  /** Threads only: the message they were started from. */
  messageId?: string;
  /** Threads only: who created it. */
  ownerId?: string;
  autoArchiveDuration: number;
  createdAt: number;
}

export interface StoredRole {
  id: string;
  name: string;
  position: number;
}

/** Who triggered an interaction-owned message; becomes the message's interaction_metadata. */
export interface MessageOrigin {
  interactionId: string;
  interactionType: number;
  /** The command name (for application commands). */
  name: string;
  user: FakeDiscordUser;
  /** For component interactions: the message the component was on. */
  interactedMessageId?: string;
}

export interface StoredMessage extends Omit<FakeMessage, 'interactionId'> {
  /** MessageType: 0 default, 20 chat input command response, 19 reply. */
  type: number;
  /** The application id for messages sent through an interaction webhook. */
  webhookId?: string;
  origin?: MessageOrigin;
  createdAt: number;
  editedAt?: number;
  deleted: boolean;
}

export interface StoredCommand {
  id: string;
  version: string;
  body: Record<string, unknown>;
}

interface Waiter {
  check(): void;
}

export class DiscordStore {
  readonly ids = new Snowflakes();
  readonly channels = new Map<string, StoredChannel>();
  readonly roles = new Map<string, StoredRole>();
  /** In creation order. */
  readonly messages = new Map<string, StoredMessage>();
  /** Text channels where the bot lacks Create Public Threads: starting a thread there is refused. */
  readonly threadsRefused = new Set<string>();
  readonly calls: FakeCall[] = [];
  readonly registrations: Array<{ guildId?: string; commands: unknown[] }> = [];
  /** Registered commands by scope: 'global' or a guild id. */
  readonly commands = new Map<string, StoredCommand[]>();
  private readonly waiters = new Set<Waiter>();

  addMessage(
    fields: Omit<StoredMessage, 'id' | 'edits' | 'createdAt' | 'deleted' | 'attachments'> & {
      attachments?: FakeAttachment[];
    },
  ): StoredMessage {
    const message: StoredMessage = {
      ...fields,
      attachments: fields.attachments ?? [],
      id: this.ids.next(),
      edits: 0,
      createdAt: Date.now(),
      deleted: false,
    };
    this.messages.set(message.id, message);
    this.changed();
    return message;
  }

  /** A message visible through the channel routes: not deleted and not ephemeral. */
  channelMessage(channelId: string, messageId: string): StoredMessage | undefined {
    const message = this.messages.get(messageId);
    if (message === undefined || message.deleted || message.channelId !== channelId) return undefined;
    return message.ephemeralTo === undefined ? message : undefined;
  }

  threads(): FakeThread[] {
    return [...this.channels.values()]
      .filter((c) => isThreadType(c.type))
      .map((c) => ({
        id: c.id,
        parentId: c.parentId ?? '',
        name: c.name,
        ...(c.messageId !== undefined ? { messageId: c.messageId } : {}),
      }));
  }

  record(call: FakeCall): void {
    this.calls.push(call);
    this.changed();
  }

  /** Re-evaluates every pending waiter; call after any change a test might wait for. */
  changed(): void {
    for (const waiter of [...this.waiters]) waiter.check();
  }

  waitFor<T>(find: () => T | undefined | false | null, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        check: () => {
          let value: T | undefined | false | null;
          try {
            value = find();
          } catch (error) {
            done();
            reject(error);
            return;
          }
          if (value === undefined || value === false || value === null) return;
          done();
          resolve(value);
        },
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`FakeDiscord.waitFor: not met within ${timeoutMs} ms: ${describe(find)}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      this.waiters.add(waiter);
      waiter.check();
    });
  }
}

/** The public, copied view of a stored message (later edits do not change a returned snapshot). */
export function snapshot(message: StoredMessage): FakeMessage {
  return {
    id: message.id,
    channelId: message.channelId,
    authorId: message.authorId,
    content: message.content,
    embeds: structuredClone(message.embeds),
    components: structuredClone(message.components),
    attachments: message.attachments.map((a) => ({ ...a, bytes: Buffer.from(a.bytes) })),
    flags: message.flags,
    edits: message.edits,
    ...(message.origin !== undefined ? { interactionId: message.origin.interactionId } : {}),
    ...(message.ephemeralTo !== undefined ? { ephemeralTo: message.ephemeralTo } : {}),
    ...(message.threadId !== undefined ? { threadId: message.threadId } : {}),
    ...(message.replyTo !== undefined ? { replyTo: message.replyTo } : {}),
  };
}

/** The predicate's source, shortened: enough to tell which wait timed out. */
function describe(find: () => unknown): string {
  const source = find.toString().replace(/\s+/g, ' ');
  return source.length > 200 ? `${source.slice(0, 200)}…` : source;
}
