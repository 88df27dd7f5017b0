// The interactions being answered, shared by the bot replicas. Whichever replica acknowledged a
// command or a click records it here; whichever replica handles it (from the intake), or later
// delivers a private job result, answers the person through the interaction's webhook with the
// token found here: ephemeral messages exist only as answers to that person's own interaction,
// and no live discord.js Interaction object is needed for them. The ThreadRef carries only the
// interaction's id, since it travels through streams and job records that outlive the token.
//
// The token is a secret good for 15 minutes from the interaction's creation: entries are kept
// for 14 (a margin against a call racing its expiry), and it is never logged.
//
// A command's private "thinking" reply (its deferral) is replaced by the first private answer
// and withdrawn once the command went public; the claim of it is atomic, so of two replicas
// only one edits @original and every later answer is a follow-up.
import type { Redis } from 'ioredis';

/** Discord's token lifetime is 15 minutes; the margin keeps a follow-up from racing its expiry. */
export const INTERACTION_USABLE_MS = 14 * 60_000;

export interface AnsweredInteraction {
  /** The interaction's id (a command's or a button click's). */
  id: string;
  /** Its token, for the webhook endpoints. A secret: never logged. */
  token: string;
  applicationId: string;
  /** The Discord user who interacted: only they may be answered through it. */
  userId: string;
}

export interface InteractionRegistry {
  /**
   * Records an acknowledged interaction. `deferredReply`: it was acknowledged with a private
   * "thinking" reply that the first private answer replaces (a command); a click's
   * acknowledgement shows nothing, so its answers are follow-ups.
   */
  remember(interaction: AnsweredInteraction, options: { deferredReply: boolean }): Promise<void>;
  /** The interaction while its token works; undefined after that, or if it was never recorded. */
  get(id: string): Promise<AnsweredInteraction | undefined>;
  /** True for exactly one caller, while the deferred reply is still "thinking" and the entry lives. */
  claimDeferredReply(id: string): Promise<boolean>;
}

/** For a single process (tests, one bot): forgotten on exit. */
export class MemoryInteractionRegistry implements InteractionRegistry {
  readonly #entries = new Map<
    string,
    { interaction: AnsweredInteraction; deferredReply: boolean; until: number }
  >();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  async remember(interaction: AnsweredInteraction, { deferredReply }: { deferredReply: boolean }) {
    const now = this.#now();
    // Oldest first in a Map: stop at the first one still usable.
    for (const [id, entry] of this.#entries) {
      if (entry.until > now) break;
      this.#entries.delete(id);
    }
    this.#entries.delete(interaction.id);
    this.#entries.set(interaction.id, {
      interaction: { ...interaction },
      deferredReply,
      until: now + INTERACTION_USABLE_MS,
    });
  }

  async get(id: string): Promise<AnsweredInteraction | undefined> {
    const entry = this.#live(id);
    return entry ? { ...entry.interaction } : undefined;
  }

  async claimDeferredReply(id: string): Promise<boolean> {
    const entry = this.#live(id);
    if (!entry?.deferredReply) return false;
    entry.deferredReply = false;
    return true;
  }

  #live(id: string) {
    const entry = this.#entries.get(id);
    return entry && entry.until > this.#now() ? entry : undefined;
  }
}

export interface RedisInteractionRegistryOptions {
  prefix: string;
  /** How long an entry is kept; INTERACTION_USABLE_MS by default. */
  ttlMs?: number;
}

/**
 * One hash per interaction, expiring with its token: `token`, `application`, `user`, and
 * `thinking` while the deferred reply is still to be replaced (HDEL claims it: one caller gets 1).
 */
export class RedisInteractionRegistry implements InteractionRegistry {
  readonly #redis: Redis;
  readonly #base: string;
  readonly #ttlMs: number;

  constructor(redis: Redis, options: RedisInteractionRegistryOptions) {
    this.#redis = redis;
    this.#base = `${options.prefix}:interaction:discord:`;
    this.#ttlMs = options.ttlMs ?? INTERACTION_USABLE_MS;
  }

  async remember(interaction: AnsweredInteraction, { deferredReply }: { deferredReply: boolean }) {
    const key = this.#base + interaction.id;
    const replies = await this.#redis
      .multi()
      .del(key)
      .hset(key, {
        token: interaction.token,
        application: interaction.applicationId,
        user: interaction.userId,
        ...(deferredReply ? { thinking: '1' } : {}),
      })
      .pexpire(key, this.#ttlMs)
      .exec();
    const failed = replies?.find(([error]) => error !== null)?.[0];
    if (failed) throw failed;
    if (!replies) throw new Error('the interaction was not recorded (transaction discarded)');
  }

  async get(id: string): Promise<AnsweredInteraction | undefined> {
    const { token, application, user } = await this.#redis.hgetall(this.#base + id);
    if (!token || !application || !user) return undefined;
    return { id, token, applicationId: application, userId: user };
  }

  async claimDeferredReply(id: string): Promise<boolean> {
    return (await this.#redis.hdel(this.#base + id, 'thinking')) === 1;
  }
}
