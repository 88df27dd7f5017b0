// Discord's per-route rate limits as headers on every response, and the faults tests inject.
// Each bucket (method + route, per major parameter: channel, guild or webhook) allows LIMIT
// requests per WINDOW_MS; the limit is generous so that tests never wait, but a client that
// ignored the headers and kept going would get the same 429 Discord sends. failNext() answers
// the next matching request with a fault instead of handling it.
import { createHash } from 'node:crypto';
import type { RestReply } from './api-errors.js';
import type { RestFault } from './types.js';

const LIMIT = 50;
const WINDOW_MS = 1000;

interface Window {
  resetAt: number;
  used: number;
}

interface PendingFault {
  method: string;
  pattern: RegExp;
  fault: RestFault;
}

export class RateLimits {
  private readonly windows = new Map<string, Window>();
  private readonly faults: PendingFault[] = [];

  failNext(method: string, pattern: RegExp, fault: RestFault): void {
    this.faults.push({ method: method.toUpperCase(), pattern, fault });
  }

  /** Removes and returns the first pending fault matching this request. */
  takeFault(method: string, path: string): RestFault | undefined {
    const index = this.faults.findIndex((f) => f.method === method && f.pattern.test(path));
    if (index === -1) return undefined;
    const [pending] = this.faults.splice(index, 1);
    return pending?.fault;
  }

  /** Counts the request against its bucket; the headers to send, or a 429 when the bucket is spent. */
  consume(method: string, path: string): { headers: Record<string, string>; limited?: RestReply } {
    const { key, hash } = bucketOf(method, path);
    const now = Date.now();
    let window = this.windows.get(key);
    if (window === undefined || window.resetAt <= now) {
      window = { resetAt: now + WINDOW_MS, used: 0 };
      this.windows.set(key, window);
    }
    if (window.used >= LIMIT) {
      return { headers: {}, limited: tooManyRequests(window.resetAt - now, hash) };
    }
    window.used += 1;
    return { headers: headers(hash, LIMIT - window.used, window.resetAt) };
  }

  /** The reply for an injected fault, with the headers Discord sends alongside it. */
  faultReply(fault: RestFault, method: string, path: string): RestReply {
    const { hash } = bucketOf(method, path);
    if ('retryAfterMs' in fault) return tooManyRequests(fault.retryAfterMs, hash);
    const message = fault.message ?? defaultMessage(fault.status);
    return { status: fault.status, body: { message, code: fault.code ?? 0 } };
  }
}

/** A 429 as Discord sends it; discord.js reads Retry-After (seconds, may be fractional) and waits. */
function tooManyRequests(retryAfterMs: number, hash: string): RestReply {
  const seconds = Math.max(retryAfterMs, 1) / 1000;
  return {
    status: 429,
    headers: {
      ...headers(hash, 0, Date.now() + retryAfterMs),
      'retry-after': String(seconds),
      'x-ratelimit-scope': 'user',
    },
    body: { message: 'You are being rate limited.', retry_after: seconds, global: false },
  };
}

function headers(hash: string, remaining: number, resetAt: number): Record<string, string> {
  return {
    'x-ratelimit-limit': String(LIMIT),
    'x-ratelimit-remaining': String(remaining),
    'x-ratelimit-reset': (resetAt / 1000).toFixed(3),
    'x-ratelimit-reset-after': (Math.max(0, resetAt - Date.now()) / 1000).toFixed(3),
    'x-ratelimit-bucket': hash,
  };
}

/**
 * Discord buckets by route shape; channel, guild and webhook ids are major parameters, and each
 * interaction's callback is its own bucket (so a burst of commands never shares one limit).
 */
function bucketOf(method: string, path: string): { key: string; hash: string } {
  const major =
    /^\/(?:channels|guilds|interactions)\/\d+/.exec(path)?.[0] ??
    /^\/webhooks\/\d+\/[^/]+/.exec(path)?.[0] ??
    '';
  const route = path
    .replace(/^(\/(?:webhooks|interactions)\/\d+)\/[^/]+/, '$1/:token')
    .replace(/\/\d{5,}/g, '/:id');
  const hash = createHash('md5').update(`${method} ${route}`).digest('hex');
  return { key: `${hash}:${major}`, hash };
}

function defaultMessage(status: number): string {
  const reasons: Record<number, string> = {
    400: '400: Bad Request',
    401: '401: Unauthorized',
    403: 'Missing Permissions',
    404: '404: Not Found',
    500: '500: Internal Server Error',
    502: '502: Bad Gateway',
    503: '503: Service Unavailable',
  };
  return reasons[status] ?? `${status}: Error`;
}
