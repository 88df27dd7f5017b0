// A PveTransport answering fixed data per `METHOD /path` (path URI-decoded), for cases the
// simulator cannot produce. An answer may be a function of the call's params (and the number of
// earlier calls to that key); an Error answer is thrown. Unknown paths fail the test.
import type { PveTransport } from '../../../src/proxmox/pve-transport.js';

export type AnswerFunction = (params: Record<string, unknown>, call: number) => unknown;
// Not `unknown`: a union with a function type keeps the function's parameters typed in place.
export type FixedAnswer = AnswerFunction | object | string | number | boolean | null;

export interface FixedTransport extends PveTransport {
  /** Every request made, as `METHOD /path`, in order. */
  calls: string[];
}

export function fixedTransport(answers: Record<string, FixedAnswer>): FixedTransport {
  const calls: string[] = [];
  return {
    calls,
    hosts: ['https://127.0.0.1:8006'],
    close: async () => {},
    request: async (method, path, options) => {
      const key = `${method} ${decodeURIComponent(path)}`;
      const count = calls.filter((c) => c === key).length;
      calls.push(key);
      const entry = answers[key];
      const answer =
        typeof entry === 'function'
          ? (entry as AnswerFunction)((options.params ?? {}) as Record<string, unknown>, count)
          : entry;
      if (answer instanceof Error) throw answer;
      if (answer === undefined) throw new Error(`unexpected ${key}`);
      return options.schema.parse(answer);
    },
  };
}
