// Interactions the fake has issued, with Discord's two clocks: the bot must answer the callback
// within ackTimeoutMs of the interaction's creation (3 s on Discord), and the token then works
// for follow-ups and edits until it expires (15 minutes on Discord; expireAll() here).
import { randomBytes } from 'node:crypto';
import type { DiscordStore } from './discord-store.js';
import { InteractionTimeoutError } from './interaction-timeout-error.js';
import type { FakeDiscordUser, FakeInteraction } from './types.js';

/** InteractionType: 2 application command, 3 message component, 4 autocomplete. */
export type InteractionKind = 2 | 3 | 4;

export interface CallbackBody {
  type: number;
  data?: unknown;
}

export interface StoredInteraction {
  id: string;
  token: string;
  type: InteractionKind;
  /** The command name, or the button's custom_id. */
  name: string;
  user: FakeDiscordUser;
  channelId: string;
  createdAt: number;
  /** Component interactions: the message the component is on. */
  sourceMessageId?: string;
  /** The first accepted callback. */
  callback?: CallbackBody;
  /** What @original refers to: the response message, or for type 6/7 the component's message. */
  originalMessageId?: string;
  /** expireAll() ran: the token is no longer valid. */
  expired: boolean;
  /** Why the bot could not have answered, for the timeout message (e.g. no gateway session). */
  undeliveredReason?: string;
}

interface Entry {
  interaction: StoredInteraction;
  resolve(body: CallbackBody): void;
  timer: NodeJS.Timeout;
}

export class InteractionRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly store: DiscordStore;
  private readonly ackTimeoutMs: number;

  constructor(store: DiscordStore, ackTimeoutMs: number) {
    this.store = store;
    this.ackTimeoutMs = ackTimeoutMs;
  }

  create(fields: Omit<StoredInteraction, 'id' | 'token' | 'createdAt' | 'expired'>): {
    interaction: StoredInteraction;
    handle: FakeInteraction;
  } {
    const id = this.store.ids.next();
    const interaction: StoredInteraction = {
      ...fields,
      id,
      // Discord's tokens are long opaque url-safe strings; the id inside keeps logs readable.
      token: `aW50ZXJhY3Rpb24-${id}-${randomBytes(24).toString('base64url')}`,
      createdAt: Date.now(),
      expired: false,
    };
    let resolve!: (body: CallbackBody) => void;
    let reject!: (error: Error) => void;
    const acknowledged = new Promise<CallbackBody>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // A test that never awaits `acknowledged` must not fail on an unhandled rejection.
    acknowledged.catch(() => undefined);
    const timer = setTimeout(() => {
      if (interaction.callback !== undefined) return;
      const why = interaction.undeliveredReason !== undefined ? ` (${interaction.undeliveredReason})` : '';
      reject(
        new InteractionTimeoutError(
          `FakeDiscord: interaction ${id} (${describe(interaction)}) got no callback within ${this.ackTimeoutMs} ms${why}; Discord shows "The application did not respond"`,
        ),
      );
      this.store.changed();
    }, this.ackTimeoutMs);
    this.entries.set(id, { interaction, resolve, timer });
    return { interaction, handle: { id, token: interaction.token, acknowledged } };
  }

  get(id: string): StoredInteraction | undefined {
    return this.entries.get(id)?.interaction;
  }

  byToken(token: string): StoredInteraction | undefined {
    for (const { interaction } of this.entries.values()) if (interaction.token === token) return interaction;
    return undefined;
  }

  /** Past the 3 s window without a callback: Discord has already told the person it failed. */
  ackWindowClosed(interaction: StoredInteraction): boolean {
    return Date.now() - interaction.createdAt > this.ackTimeoutMs;
  }

  acknowledge(interaction: StoredInteraction, body: CallbackBody): void {
    const entry = this.entries.get(interaction.id);
    interaction.callback = body;
    if (entry !== undefined) {
      clearTimeout(entry.timer);
      entry.resolve(body);
    }
    this.store.changed();
  }

  expireAll(): void {
    for (const { interaction } of this.entries.values()) interaction.expired = true;
    this.store.changed();
  }

  close(): void {
    for (const { timer } of this.entries.values()) clearTimeout(timer);
  }
}

function describe(interaction: StoredInteraction): string {
  if (interaction.type === 3) return `button ${interaction.name}`;
  return `${interaction.type === 4 ? 'autocomplete ' : ''}/${interaction.name}`;
}
