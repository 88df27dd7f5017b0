import type { ThreadRef } from '../jobs/job-events.js';
import type { ChatEvent, ChatUser } from './chat-event.js';

/** A button pressed on a card (Approve, Deny, Cancel), as an adapter reports it. */
export interface ButtonPress {
  action: string;
  /** The approval request id or job id the button carried. */
  value: string;
  user: ChatUser;
  platform: string;
  channel: string;
  thread: ThreadRef;
}

/** What adapters call. The core answers through the ChatSink it was given. */
export interface CoreApi {
  handle(event: ChatEvent): Promise<void>;
  press(press: ButtonPress): Promise<void>;
}
