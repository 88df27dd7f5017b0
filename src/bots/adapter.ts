// The one contract every chat platform implements (after Bolt's Receiver and Hubot's Adapter):
// turn platform events into ChatEvents for the core, and render the core's OutgoingMessages.
// Platform libraries are imported only under src/bots/<platform>/ (test/layering.test.ts).

import type { ChatEvent } from '../core/chat-event.js';
import type { CoreApi } from '../core/core-api.js';
import type { ChatSink } from '../core/message.js';
import type { ThreadRef } from '../jobs/job-events.js';

export interface ChatAdapter extends ChatSink {
  readonly platform: string;
  /** Starts receiving platform events and hands them to the core. */
  start(core: CoreApi): Promise<void>;
  stop(): Promise<void>;
}

/** Sends each message to the adapter of its thread's platform. */
export class ChatRouter implements ChatSink {
  readonly #adapters = new Map<string, ChatSink>();

  add(platform: string, sink: ChatSink): void {
    this.#adapters.set(platform, sink);
  }

  async send(message: Parameters<ChatSink['send']>[0]): Promise<void> {
    await this.#adapterOf(message.thread.platform).send(message);
  }

  async openRequestThread(event: ChatEvent): Promise<ThreadRef> {
    const adapter = this.#adapterOf(event.thread.platform);
    return adapter.openRequestThread ? adapter.openRequestThread(event) : event.thread;
  }

  #adapterOf(platform: string): ChatSink {
    const adapter = this.#adapters.get(platform);
    if (!adapter) throw new Error(`no chat adapter for platform '${platform}'`);
    return adapter;
  }
}
