// The fake Slack's state: messages, threads, ephemerals, calls. Every mutation goes through
// `changed()`, which re-evaluates pending `waitFor` predicates (no polling).
import type {
  FakeCall,
  FakeDelivery,
  FakeEphemeral,
  FakeFile,
  FakeMessage,
  FakeResponse,
  SlackBlock,
} from './types.js';

interface Waiter {
  check(): void;
}

/** A file between files.getUploadURLExternal and files.completeUploadExternal. */
export interface PendingUpload {
  fileId: string;
  filename: string;
  /** The size announced to files.getUploadURLExternal. */
  length: number;
  altText?: string;
  /** Set once the bytes were POSTed to the upload URL. */
  bytes?: Buffer;
}

export class SlackStore {
  readonly messagesByKey = new Map<string, FakeMessage>();
  readonly ephemeralList: FakeEphemeral[] = [];
  readonly callList: FakeCall[] = [];
  readonly responseList: FakeResponse[] = [];
  readonly deliveryList: FakeDelivery[] = [];
  readonly userGroups = new Map<string, string[]>();
  readonly userNames = new Map<string, string>();
  readonly channelNames = new Map<string, string>();
  /** By the secret part of their upload URL. */
  readonly uploads = new Map<string, PendingUpload>();
  readonly fileList: FakeFile[] = [];
  private readonly waiters = new Set<Waiter>();
  private lastMicros = 0;
  private lastFileId = 0;

  /** A Slack file id (`F0…`). */
  nextFileId(): string {
    this.lastFileId += 1;
    return `F0FAKE${String(this.lastFileId).padStart(5, '0')}`;
  }

  /** A unique, strictly increasing Slack ts ('seconds.micro'). */
  nextTs(): string {
    this.lastMicros = Math.max(this.lastMicros + 1, Date.now() * 1000);
    const seconds = Math.floor(this.lastMicros / 1_000_000);
    const micros = this.lastMicros % 1_000_000;
    return `${seconds}.${String(micros).padStart(6, '0')}`;
  }

  addMessage(message: Omit<FakeMessage, 'ts' | 'edits' | 'deleted' | 'at'>): FakeMessage {
    const recorded: FakeMessage = {
      ...message,
      ts: this.nextTs(),
      edits: [],
      deleted: false,
      at: Date.now(),
    };
    this.messagesByKey.set(key(recorded.channel, recorded.ts), recorded);
    this.changed();
    return recorded;
  }

  findMessage(channel: string, ts: string): FakeMessage | undefined {
    return this.messagesByKey.get(key(channel, ts));
  }

  /** chat.update semantics: fields left out keep their value. */
  editMessage(message: FakeMessage, text: string | undefined, blocks: SlackBlock[] | undefined): void {
    if (text !== undefined) message.text = text;
    if (blocks !== undefined) message.blocks = blocks;
    message.edits.push({ text: message.text, blocks: message.blocks, at: Date.now() });
    this.changed();
  }

  /** response_url `replace_original` semantics: the new text and blocks replace both. */
  replaceContent(
    target: FakeMessage | FakeEphemeral,
    text: string | undefined,
    blocks: SlackBlock[] | undefined,
  ): void {
    target.text = text;
    target.blocks = blocks;
    target.edits.push({ text, blocks, at: Date.now() });
    this.changed();
  }

  deleteMessage(message: FakeMessage | FakeEphemeral): void {
    message.deleted = true;
    this.changed();
  }

  addEphemeral(ephemeral: Omit<FakeEphemeral, 'edits' | 'deleted' | 'at'>): FakeEphemeral {
    const recorded: FakeEphemeral = { ...ephemeral, edits: [], deleted: false, at: Date.now() };
    this.ephemeralList.push(recorded);
    this.changed();
    return recorded;
  }

  findEphemeral(ts: string): FakeEphemeral | undefined {
    return this.ephemeralList.find((e) => e.ts === ts);
  }

  record<T extends FakeCall | FakeResponse | FakeDelivery>(list: T[], entry: T): T {
    list.push(entry);
    this.changed();
    return entry;
  }

  /** Re-evaluates every pending waiter; call after any change a test might wait for. */
  changed(): void {
    for (const waiter of [...this.waiters]) waiter.check();
  }

  waitFor<T>(predicate: () => T | undefined, timeoutMs: number, describe = 'condition'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        check: () => {
          let value: T | undefined;
          try {
            value = predicate();
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
        reject(new Error(`FakeSlack.waitFor: ${describe} not met within ${timeoutMs} ms`));
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

function key(channel: string, ts: string): string {
  return `${channel}\u0000${ts}`;
}
