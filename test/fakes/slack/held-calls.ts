// Web API calls the fake keeps unanswered until the test decides: the caller is then waiting on
// Slack at a point the test chose, e.g. a bot process to kill between its ack and its reply.
// Waiting on `received` is waiting on an event (the fake has the whole request), never on time.

/** One hold, set by FakeSlack.holdNext(). */
export interface HeldCall {
  readonly method: string;
  /** Resolves with the call's decoded params once the fake has received it whole: its caller waits now. */
  readonly received: Promise<Record<string, unknown>>;
  /** Resolves once the caller's connection closed while the call was held (it died, or gave up). */
  readonly callerGone: Promise<void>;
  /**
   * Answers the call as Slack would have and records it, with its effect (a message posted); if
   * the caller is gone, Slack did the work and the reply was lost.
   */
  release(): void;
  /** Closes its connection unanswered; nothing is recorded or done: the call never reached Slack. */
  drop(): void;
}

/** What the fake does with a held call once the test decides. */
export interface HeldRequest {
  answer(): void;
  drop(): void;
  /** Calls `listener` once the caller's connection closed while unanswered. */
  onCallerGone(listener: () => void): void;
}

interface Pending {
  method: string;
  matches: (params: Record<string, unknown>) => boolean;
  arrive(params: Record<string, unknown>, request: HeldRequest): void;
}

export class HeldCalls {
  readonly #pending: Pending[] = [];

  /** Holds the next call of `method` whose params `matches`; later calls pass. */
  holdNext(method: string, matches: (params: Record<string, unknown>) => boolean = () => true): HeldCall {
    let arrive!: (params: Record<string, unknown>) => void;
    const received = new Promise<Record<string, unknown>>((resolve) => {
      arrive = resolve;
    });
    let gone!: () => void;
    const callerGone = new Promise<void>((resolve) => {
      gone = resolve;
    });
    let request: HeldRequest | undefined;
    let decided: 'release' | 'drop' | undefined;
    const decide = (how: 'release' | 'drop') => {
      if (decided) throw new Error(`FakeSlack: the held ${method} was already ${decided}d`);
      decided = how;
      if (request) settle(request, how);
    };
    this.#pending.push({
      method,
      matches,
      arrive: (params, held) => {
        request = held;
        held.onCallerGone(gone);
        arrive(params);
        // Decided before it arrived: settled as it arrives.
        if (decided) settle(held, decided);
      },
    });
    return {
      method,
      received,
      callerGone,
      release: () => decide('release'),
      drop: () => decide('drop'),
    };
  }

  /** Takes the hold this call meets, if any: the caller then settles it through `request`. */
  take(method: string, params: Record<string, unknown>, request: HeldRequest): boolean {
    const index = this.#pending.findIndex((p) => p.method === method && p.matches(params));
    if (index < 0) return false;
    const [pending] = this.#pending.splice(index, 1);
    pending!.arrive(params, request);
    return true;
  }
}

function settle(request: HeldRequest, how: 'release' | 'drop'): void {
  if (how === 'release') request.answer();
  else request.drop();
}
