// What stands before Bolt on /slack/events (HTTP mode, mounted on the ops server or on a server of
// its own). Slack only ever POSTs there: any other method gets 405 with `Allow: POST` (Bolt would
// throw, and the server answer 500). Bolt's signature check refuses requests older than 5 minutes
// but not ones dated in the future, so a request signed with a timestamp ahead of the clock would
// stay replayable for as long as it lies: those are refused here with 401, before Bolt reads them.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

/** How far ahead of our clock a request's timestamp may be (clock skew between Slack and us). */
export const MAX_FUTURE_SKEW_SECONDS = 60;

export interface SlackEventsGuardOptions {
  /** Told about each refused request (no secrets: method, path, how far in the future). */
  onRefused?: (why: { status: number; method: string; aheadSeconds?: number }) => void;
  /** Seconds since the epoch; injectable for tests. */
  nowSeconds?: () => number;
}

export function guardSlackEvents(
  bolt: RequestListener,
  options: SlackEventsGuardOptions = {},
): RequestListener {
  const now = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  return (request: IncomingMessage, response: ServerResponse) => {
    const method = (request.method ?? '').toUpperCase();
    if (method !== 'POST') {
      options.onRefused?.({ status: 405, method });
      response.writeHead(405, { Allow: 'POST', 'Content-Type': 'text/plain', 'Cache-Control': 'no-store' });
      response.end(method === 'HEAD' ? undefined : 'method not allowed: Slack POSTs here\n');
      return;
    }
    const header = request.headers['x-slack-request-timestamp'];
    const timestamp = Number(Array.isArray(header) ? header[0] : header);
    // A missing or unreadable timestamp is Bolt's to refuse (it does, with 401).
    const ahead = Number.isFinite(timestamp) ? timestamp - now() : 0;
    if (ahead > MAX_FUTURE_SKEW_SECONDS) {
      options.onRefused?.({ status: 401, method, aheadSeconds: ahead });
      // Drain the body so the connection stays usable, then refuse.
      request.resume();
      response.writeHead(401, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-store' });
      response.end('request timestamp is in the future\n');
      return;
    }
    bolt(request, response);
  };
}
