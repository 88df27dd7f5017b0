// response_url endpoints the fake issues (`/respond/<id>`), and what Slack does with a post to one
// or with a slash command's ack body: ephemeral for the person, a channel message, or a change to
// the message the button sat on. Like Slack, a URL takes at most 5 posts.
import { randomUUID } from 'node:crypto';
import type { SlackStore } from './slack-store.js';
import type { EphemeralSource, FakeResponse, MessageSource, SlackBlock } from './types.js';

export const RESPOND_PATH = '/respond/';
const MAX_USES = 5;

interface Issued {
  user: string;
  channel: string;
  /** ts of the message or ephemeral a clicked button sat on. */
  originalTs: string | undefined;
  uses: number;
}

export class ResponseUrls {
  private readonly issued = new Map<string, Issued>();
  private readonly store: SlackStore;
  private readonly baseUrl: () => string;

  constructor(store: SlackStore, baseUrl: () => string) {
    this.store = store;
    this.baseUrl = baseUrl;
  }

  issue(user: string, channel: string, originalTs?: string): string {
    const id = randomUUID();
    this.issued.set(id, { user, channel, originalTs, uses: 0 });
    return `${this.baseUrl()}${RESPOND_PATH}${id}`;
  }

  /** Handles a POST to /respond/<id>; returns the HTTP status and JSON body to answer. */
  post(id: string, body: Record<string, unknown>): { status: number; body: Record<string, unknown> } {
    const issued = this.issued.get(id);
    const responseUrl = `${this.baseUrl()}${RESPOND_PATH}${id}`;
    const record = (status: number): void => {
      const entry: FakeResponse = {
        responseUrl,
        user: issued?.user ?? '',
        channel: issued?.channel ?? '',
        body,
        status,
        at: Date.now(),
      };
      this.store.record(this.store.responseList, entry);
    };
    if (issued === undefined) {
      record(404);
      return { status: 404, body: { ok: false, error: 'expired_url' } };
    }
    if (issued.uses >= MAX_USES) {
      record(404);
      return { status: 404, body: { ok: false, error: 'used_url' } };
    }
    issued.uses += 1;
    this.apply(issued, body, 'response_url');
    record(200);
    return { status: 200, body: { ok: true } };
  }

  /** A slash command's ack body shows up like a response_url post (ephemeral unless in_channel). */
  applyAckBody(user: string, channel: string, body: Record<string, unknown>): void {
    if (body.text === undefined && body.blocks === undefined) return;
    this.apply({ user, channel, originalTs: undefined, uses: 0 }, body, 'ack');
  }

  private apply(
    issued: Issued,
    body: Record<string, unknown>,
    source: MessageSource & EphemeralSource,
  ): void {
    const text = typeof body.text === 'string' ? body.text : undefined;
    const blocks = Array.isArray(body.blocks) ? (body.blocks as SlackBlock[]) : undefined;
    const threadTs = typeof body.thread_ts === 'string' ? body.thread_ts : undefined;
    const { store } = this;
    if (
      issued.originalTs !== undefined &&
      (body.delete_original === true || body.replace_original === true)
    ) {
      const original =
        store.findMessage(issued.channel, issued.originalTs) ?? store.findEphemeral(issued.originalTs);
      if (original !== undefined) {
        if (body.delete_original === true) store.deleteMessage(original);
        else store.replaceContent(original, text, blocks);
        return;
      }
    }
    if (body.delete_original === true) return;
    if (body.response_type === 'in_channel') {
      store.addMessage({ channel: issued.channel, threadTs, text, blocks, user: issued.user, source });
      return;
    }
    store.addEphemeral({
      channel: issued.channel,
      user: issued.user,
      ts: store.nextTs(),
      threadTs,
      text,
      blocks,
      source,
    });
  }
}
