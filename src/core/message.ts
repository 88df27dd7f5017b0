// The platform-neutral message model. The core and the job renderer produce Cards; each adapter
// renders them its own way (Block Kit, Discord embeds and components, plain text in a terminal).
import type { ThreadRef } from '../jobs/job-events.js';
import type { ChatEvent, ChatUser } from './chat-event.js';

export type CardStatus =
  | 'info'
  | 'pending'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'denied'
  | 'cancelled'
  | 'expired'
  /** Done, and it found something that needs attention (a digest with problems). */
  | 'warning';

export interface CardButton {
  /**
   * What pressing it does: `approve`, `deny`, `cancel-request` (an approval request),
   * `cancel-job`, `pause-job`, `resume-job`, `abort-job` (a job), `run-command` (a command a
   * result offers, e.g. "Roll back" on a snapshot: handled as if the presser typed `/pve <value>`
   * in the thread, through the policy and any approval), `ack-alert` (value: the alert's key) or
   * `snooze-alert` (value: the alert's type).
   */
  action: string;
  label: string;
  /**
   * The approval request id or job id the action applies to; for `run-command`, the command as
   * typed after `/pve` (at most OFFER_COMMAND_MAX characters, so it fits Discord's custom_id).
   */
  value: string;
  style?: 'primary' | 'danger';
}

export interface Card {
  title: string;
  status: CardStatus;
  /** Body text; `backticks` mark code. */
  text?: string;
  fields?: Array<{ label: string; value: string }>;
  progress?: { phase: string; percent?: number };
  /** The newest lines of a PVE task log. */
  logLines?: string[];
  buttons?: CardButton[];
  footer?: string;
}

/** A file posted with a message: the digest's chart, an alert's full text (PVE's message, a log). */
export interface Attachment {
  /** The file name the platform shows: `cluster-2026-11-22.png`, `vzdump-node01.txt`. */
  name: string;
  /** A picture is drawn in the card where the platform can (Discord's embed); a text is a file. */
  contentType: 'image/png' | 'text/plain';
  /** The bytes; a text in UTF-8. */
  data: Uint8Array;
  /** What the picture or the file shows, for screen readers and clients that show no images. */
  alt: string;
}

export interface OutgoingMessage {
  thread: ThreadRef;
  card: Card;
  /**
   * Messages with the same key are one message, edited in place (an approval card, a job's
   * progress line). Without a key every message is new.
   */
  key?: string;
  /** Shown only to this person (errors in their own command, refusals of a button press). */
  ephemeralTo?: ChatUser;
  /**
   * A result that should notify people: posted as a new reply in the thread, and the thread's
   * parent (the request message) marked with the card's status.
   */
  notify?: boolean;
  /**
   * This card says what the thread's request is, resolved (the plan, its approval state). Adapters
   * whose request message can carry it (Discord's reply to the slash command) draw it there;
   * the others post it in the thread like any message.
   */
  describesRequest?: boolean;
  /** Files posted with the message (Slack: uploaded into the same thread; Discord: attached). */
  attachments?: Attachment[];
}

/** Where the core sends messages: the adapter of the message's platform. */
export interface ChatSink {
  send(message: OutgoingMessage): Promise<void>;
  /**
   * Makes the public record of an accepted command (on Slack the "<@user> ran `/pve …`" message,
   * on Discord the interaction's public reply) and returns the thread everything after it goes
   * to. The core calls it only once the command has passed the grammar and the policy, so a
   * mistyped or refused command is never echoed in public. Sinks without such a record (the
   * console) leave it out, and the event's own thread is used.
   */
  openRequestThread?(event: ChatEvent): Promise<ThreadRef>;
}
