// What a chat adapter hands the core: platform-neutral, already acknowledged on the platform.
import type { ThreadRef } from '../jobs/job-events.js';

/**
 * A person as the policy sees them. Identities are platform-qualified so one policy file can name
 * people on every platform: `console:alice`, `slack:U0123ABC`, `discord:80351110224678912`.
 */
export interface ChatUser {
  /** Platform-qualified id, e.g. `slack:U0123ABC`. */
  id: string;
  /** How to show them in messages (`@alice`). */
  name: string;
  /**
   * Platform groups the person belongs to, platform-qualified: `slack-group:S0ONCALL`,
   * `discord-role:123456789012345678`. Adapters fill it (Slack from usergroups.users.list).
   */
  groups: string[];
}

export interface ChatEvent {
  /** `console`, `slack`, `discord`. */
  platform: string;
  user: ChatUser;
  /** Platform-qualified channel id, e.g. `slack:C024BE91L`; policies can restrict commands to channels. */
  channel: string;
  /** The command text after `/pve`, e.g. `migrate TestVM node03`. */
  text: string;
  /**
   * Where replies and job progress go: opaque to the core and the jobs. Until the core calls the
   * sink's `openRequestThread` it may name only the channel (private replies still reach it).
   */
  thread: ThreadRef;
  /**
   * The platform's id of this delivery, platform-qualified (`slack:trigger:<trigger_id>`,
   * `discord:interaction:<id>`). The core handles each id once, however often it arrives
   * (a replayed or redelivered request does nothing the second time). Absent on the console.
   */
  requestId?: string;
}
