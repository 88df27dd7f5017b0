// A terminal chat, like Hubot's shell adapter: type `/pve migrate TestVM node03`, read the cards as
// text, press a button by typing its label and id (`approve k3x9q2ab`), or for a command a result
// offers (Roll back) that command (`/pve rollback 100 before-upgrade`), and act as someone else
// with `/as dave` to approve. It reads piped input too, so a demo can be scripted.
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { ChatUser } from '../../core/chat-event.js';
import type { CoreApi } from '../../core/core-api.js';
import type { OutgoingMessage } from '../../core/message.js';
import type { ChatAdapter } from '../adapter.js';
import { renderAttachmentLine } from './render-attachment-line.js';
import { renderButtons, renderCardText, renderProgressLine } from './render-card-text.js';

export const CONSOLE_HELP = `Console chat:
  /pve <command>     run a command, e.g. /pve migrate TestVM node03 (the /pve is optional)
  /as <name>         act as someone else (e.g. /as dave, the on-call approver in the demo)
  approve [id]       press Approve on a request (the newest one without an id)
  deny [id]          press Deny
  cancel <id>        press Cancel on a request or a running job
  pause|resume|abort [id]
                     press Pause, Resume or Abort on a rolling upgrade
  acknowledge [key]  press Acknowledge on an alert (the newest one without a key)
  snooze [type]      press Snooze 4h on an alert: no new alerts of that type for 4 hours
  A command a result offers (Roll back) is shown as the /pve line to type.
  /quit              leave
`;

export interface ConsoleAdapterOptions {
  input: Readable;
  output: Writable;
  /** Who types at start. */
  user: string;
  channel?: string;
  /** Print progress at most every this many ms per job (finals are always printed). */
  progressEveryMs?: number;
}

const BUTTON_WORDS: Record<string, string[]> = {
  approve: ['approve'],
  deny: ['deny'],
  cancel: ['cancel-request', 'cancel-job'],
  pause: ['pause-job'],
  resume: ['resume-job'],
  abort: ['abort-job'],
  acknowledge: ['ack-alert'],
  snooze: ['snooze-alert'],
};

export class ConsoleAdapter implements ChatAdapter {
  readonly platform = 'console';
  #core: CoreApi | undefined;
  readonly #options: Required<ConsoleAdapterOptions>;
  #user: string;
  /** Button values seen on cards, newest last, by action. */
  readonly #buttons: Array<{ action: string; value: string }> = [];
  /** The buttons line last printed per job. */
  readonly #buttonsShown = new Map<string, string>();
  readonly #progressShown = new Map<string, { at: number; phase: string; percent?: number }>();
  readonly #running = new Set<string>();
  readonly #finishing = new Set<string>();
  #idleWaiters: Array<() => void> = [];
  #ended: Promise<void> | undefined;

  constructor(options: ConsoleAdapterOptions) {
    this.#options = { channel: 'console:ops', progressEveryMs: 1_000, ...options };
    this.#user = options.user;
  }

  get thread() {
    return { platform: 'console', channel: this.#options.channel };
  }

  /** Resolves when standard input has ended (piped scripts) or /quit was typed. */
  get ended(): Promise<void> {
    return this.#ended ?? Promise.resolve();
  }

  async start(core: CoreApi): Promise<void> {
    this.#core = core;
    const lines = createInterface({ input: this.#options.input, terminal: false });
    this.#ended = (async () => {
      this.#prompt();
      for await (const line of lines) {
        const keepGoing = await this.#onLine(line.trim()).catch((error: Error) => {
          this.#print(`error: ${error.message}`);
          return true;
        });
        if (!keepGoing) break;
        this.#prompt();
      }
      lines.close();
    })();
  }

  async stop(): Promise<void> {
    this.#options.input.destroy?.();
  }

  /** Resolves once no job this console started is still running. */
  idle(): Promise<void> {
    if (this.#running.size === 0 && this.#finishing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  async send(message: OutgoingMessage): Promise<void> {
    const { card, key } = message;
    for (const button of card.buttons ?? [])
      this.#buttons.push({ action: button.action, value: button.value });
    if (key?.startsWith('job:')) {
      if (card.status !== 'running') {
        // The final state: the result follows as its own message, printed in full.
        this.#running.delete(key);
        this.#buttonsShown.delete(key);
        this.#finishing.add(key);
        return;
      }
      this.#running.add(key);
      if (this.#shouldShowProgress(key, card)) this.#print(renderProgressLine(card));
      // The buttons once per job, and again when they change (Pause becomes Resume).
      const buttons = renderButtons(card);
      if (buttons && this.#buttonsShown.get(key) !== buttons) {
        this.#buttonsShown.set(key, buttons);
        this.#print(buttons);
      }
      return;
    }
    const to = message.ephemeralTo ? `(only for ${message.ephemeralTo.name}) ` : '';
    this.#print(`${to}${renderCardText(card)}`);
    for (const attachment of message.attachments ?? []) this.#print(renderAttachmentLine(attachment));
    if (message.notify) {
      this.#finishing.clear();
      if (this.#running.size === 0) for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
  }

  // Edits in place do not exist in a terminal: show a progress line when the phase changes, every
  // 10 %, or after progressEveryMs, not on every poll.
  #shouldShowProgress(key: string, card: OutgoingMessage['card']): boolean {
    const last = this.#progressShown.get(key);
    const phase = card.progress?.phase ?? '';
    const percent = card.progress?.percent;
    const now = Date.now();
    const show =
      !last ||
      last.phase !== phase ||
      (percent !== undefined && Math.floor(percent / 10) !== Math.floor((last.percent ?? -10) / 10)) ||
      now - last.at >= this.#options.progressEveryMs;
    if (show) this.#progressShown.set(key, { at: now, phase, ...(percent === undefined ? {} : { percent }) });
    return show;
  }

  async #onLine(line: string): Promise<boolean> {
    if (line === '' || line.startsWith('#')) return true;
    if (line === '/quit' || line === 'exit' || line === 'quit') return false;
    if (line === '/help') {
      this.#print(CONSOLE_HELP);
      return true;
    }
    const as = /^\/?as\s+(\S+)$/i.exec(line);
    if (as) {
      this.#user = as[1]!.replace(/^@/, '');
      this.#print(`you are now ${this.#user}`);
      return true;
    }
    const core = this.#core;
    if (!core) throw new Error('the console is not attached to the core');
    const button = /^(approve|deny|cancel|pause|resume|abort|acknowledge|snooze)(?:\s+(\S+))?$/i.exec(line);
    const word = button?.[1]?.toLowerCase();
    if (word && (word !== 'cancel' || button?.[2] !== undefined)) {
      const pressed = this.#findButton(word, button?.[2]);
      if (pressed) {
        await core.press({
          ...pressed,
          user: this.#chatUser(),
          platform: 'console',
          channel: this.#options.channel,
          thread: this.thread,
        });
        return true;
      }
      if (word !== 'cancel') {
        this.#print(`no ${word} button${button?.[2] ? ` for '${button[2]}'` : ''} on any card; type /help`);
        return true;
      }
    }
    const text = line.replace(/^\/?pve\b\s*/i, '');
    await core.handle({
      platform: 'console',
      user: this.#chatUser(),
      channel: this.#options.channel,
      text,
      thread: this.thread,
    });
    return true;
  }

  #findButton(word: string, value: string | undefined): { action: string; value: string } | undefined {
    const actions = BUTTON_WORDS[word] ?? [];
    for (let i = this.#buttons.length - 1; i >= 0; i--) {
      const button = this.#buttons[i]!;
      if (actions.includes(button.action) && (value === undefined || button.value === value)) return button;
    }
    return undefined;
  }

  #chatUser(): ChatUser {
    return { id: `console:${this.#user}`, name: this.#user, groups: [] };
  }

  #prompt(): void {
    if ((this.#options.input as { isTTY?: boolean }).isTTY) this.#options.output.write(`${this.#user}> `);
  }

  #print(text: string): void {
    this.#options.output.write(`${text}\n`);
  }
}
