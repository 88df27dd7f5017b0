import type { ThreadRef } from '../jobs/job-events.js';
import type { ChatEvent, ChatUser } from './chat-event.js';
import type { Suggestion, SuggestionKind } from './cluster-directory.js';

/** A button pressed on a card (Approve, Deny, Cancel), as an adapter reports it. */
export interface ButtonPress {
  action: string;
  /** The approval request id or job id the button carried. */
  value: string;
  user: ChatUser;
  platform: string;
  channel: string;
  thread: ThreadRef;
  /** The platform's id of this press, platform-qualified (see ChatEvent.requestId); handled once. */
  requestId?: string;
}

/** What adapters call. The core answers through the ChatSink it was given. */
export interface CoreApi {
  handle(event: ChatEvent): Promise<void>;
  press(press: ButtonPress): Promise<void>;
  /** Guest or node names for what was typed so far (autocomplete), from memory: no PVE call per keystroke. */
  suggest(kind: SuggestionKind, typed: string): Promise<Suggestion[]>;
}
