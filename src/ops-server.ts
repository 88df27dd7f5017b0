// The operator's HTTP endpoints: `GET /healthz` (each dependency named, with its time), `GET
// /metrics` (Prometheus text) for whom `metricsAccess` lets in, and the queue dashboard behind
// HTTP Basic auth when one is configured. A shared leaf: what it checks and shows comes in as
// callbacks and handlers, so the same server runs in a bot, a worker or both, on the public port
// or on a listener of its own. More routes can share the port (Bolt's request listener on
// /slack/events): they are served by the HTTP server itself, before express, so nothing reads a
// body before them (Slack's signature still checks) and a burst of Slack requests does not pay
// for express's router on every one (measured: about a sixth of the bot's time per request).
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';

/** Resolves when the dependency answers; may stop early on `signal` (the check's time is up). */
export type HealthCheck = (signal: AbortSignal) => Promise<void>;

export interface OpsDashboard {
  /** Where to mount it, e.g. `/admin/queues`; the same basePath the dashboard was built with. */
  path: string;
  user: string;
  password: string;
  /** createQueueDashboard(queue, path). */
  router: RequestHandler;
}

/**
 * Who may read /metrics on a listener: anyone who reaches it (`open`: a listener of its own, on
 * loopback or a private network), whoever sends `Authorization: Bearer <token>`, or nobody (`none`:
 * 404, as on a public port without a token). Metrics name commands, nodes and error rates.
 */
export type MetricsAccess = 'open' | 'none' | { bearerToken: string };

export interface OpsServerOptions {
  /** 0: any free port (see the result's `port`). */
  port: number;
  /** Default: every interface. */
  host?: string;
  metrics: Metrics;
  metricsAccess: MetricsAccess;
  /** Named checks for /healthz, e.g. `{ redis: () => redis.ping(), pve: (signal) => pve.version(signal) }`. */
  checks: Record<string, HealthCheck>;
  /** Longest a check may take before it counts as failed. Default 2 s. */
  checkTimeoutMs?: number;
  /** The queue dashboard; no such route without it. */
  dashboard?: OpsDashboard;
  /**
   * More handlers, each on one exact path (query string allowed) for every method, with the
   * request untouched (URL and raw body), e.g. `{ '/slack/events': receiver.requestListener }`
   * for Bolt's HTTPReceiver. A handler that throws gets a 500, logged.
   */
  routes?: Record<string, RequestListener>;
  logger: Logger;
}

export interface RunningOpsServer {
  port: number;
  close(): Promise<void>;
}

export type CheckResult = { ok: true; ms: number } | { ok: false; ms: number; error: string };

export interface HealthReport {
  status: 'ok' | 'failing';
  checks: Record<string, CheckResult>;
}

export async function startOpsServer(options: OpsServerOptions): Promise<RunningOpsServer> {
  const { metrics, logger } = options;
  const timeoutMs = options.checkTimeoutMs ?? 2_000;
  const app = express();
  app.disable('x-powered-by');
  // No body parser here: a route such as Bolt's needs the raw body to check Slack's signature.

  app.get('/healthz', async (_request, response) => {
    const report = await runChecks(options.checks, timeoutMs);
    for (const [name, result] of Object.entries(report.checks)) {
      if (!result.ok) logger.warn({ check: name, error: result.error, ms: result.ms }, 'health check failed');
    }
    response
      .status(report.status === 'ok' ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json(report);
  });

  const access = options.metricsAccess;
  if (access !== 'none') {
    if (typeof access === 'object' && !access.bearerToken)
      throw new Error('a metrics token must not be empty');
    app.get(
      '/metrics',
      ...(typeof access === 'object' ? [bearerAuth(access.bearerToken)] : []),
      async (_request: Request, response: Response) => {
        const text = await metrics.registry.metrics();
        response
          .set('Content-Type', metrics.registry.contentType)
          .set('Cache-Control', 'no-store')
          .send(text);
      },
    );
  }

  if (options.dashboard) {
    const { path, user, password, router } = options.dashboard;
    if (!/^\/[^\s]*[^/\s]$/.test(path))
      throw new Error(`dashboard path must start with / and not end with it: '${path}'`);
    if (!user || !password) throw new Error('the dashboard needs a user and a password');
    app.use(path, basicAuth(user, password), router);
  }

  const taken = ['/healthz', '/metrics', ...(options.dashboard ? [options.dashboard.path] : [])];
  const routes = new Map<string, RequestListener>();
  for (const [path, handler] of Object.entries(options.routes ?? {})) {
    if (!path.startsWith('/') || taken.some((t) => path === t || path.startsWith(`${t}/`)))
      throw new Error(`route '${path}' must start with / and not overlap ${taken.join(', ')}`);
    routes.set(path, handler);
  }

  // Without this, express would answer an error with its stack trace outside production.
  app.use((error: unknown, _request: Request, response: Response, next: NextFunction) => {
    logger.error({ error: error instanceof Error ? error.message : String(error) }, 'ops request failed');
    if (response.headersSent) return next(error);
    response.status(500).type('text/plain').send('internal error\n');
  });

  const server = createServer((request, response) => {
    const route = routes.get(pathOf(request.url));
    if (!route) return app(request, response);
    try {
      route(request, response);
    } catch (error) {
      logger.error({ error: error instanceof Error ? error.message : String(error) }, 'ops request failed');
      if (!response.headersSent)
        response.writeHead(500, { 'content-type': 'text/plain' }).end('internal error\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  logger.info(
    {
      port,
      host: options.host ?? '*',
      checks: Object.keys(options.checks),
      metrics: access === 'none' ? 'not served' : access === 'open' ? 'open' : 'bearer token',
      dashboard: options.dashboard?.path,
      routes: Object.keys(options.routes ?? {}),
    },
    'ops server listening',
  );
  return {
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive connections (a Prometheus scraper's) would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}

/** The path of a request target (`/slack/events?x=1` → `/slack/events`), without parsing a URL. */
function pathOf(target: string | undefined): string {
  const url = target ?? '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** Runs every check at once, each within `timeoutMs`. */
export async function runChecks(
  checks: Record<string, HealthCheck>,
  timeoutMs: number,
): Promise<HealthReport> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => [name, await runCheck(check, timeoutMs)] as const),
  );
  return {
    status: entries.every(([, result]) => result.ok) ? 'ok' : 'failing',
    checks: Object.fromEntries(entries),
  };
}

async function runCheck(check: HealthCheck, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`no answer within ${timeoutMs} ms`);
      abort.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    await Promise.race([check(abort.signal), timeout]);
    return { ok: true, ms: elapsed(started) };
  } catch (error) {
    return { ok: false, ms: elapsed(started), error: publicErrorText(error) };
  } finally {
    clearTimeout(timer);
  }
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

/**
 * What a failed check may say over HTTP: the error's message alone (never its stack, cause or
 * fields), its first line, no credentials of a URL, and short.
 */
export function publicErrorText(error: unknown): string {
  const message = error instanceof Error ? error.message : 'check failed';
  const line = (message.split('\n', 1)[0] ?? '').replace(/\/\/[^/\s@]*@/g, '//***@').trim();
  const text = line || (error instanceof Error ? error.name : 'check failed');
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

/** HTTP Basic auth against one user: both parts compared in constant time, a 401 with a challenge otherwise. */
function basicAuth(user: string, password: string): RequestHandler {
  const expectedUser = sha256(user);
  const expectedPassword = sha256(password);
  return (request, response, next) => {
    const given = credentialsOf(request.headers.authorization);
    if (given) {
      // Both compared whatever the first says, so the time does not tell which part was wrong.
      const userOk = timingSafeEqual(sha256(given.user), expectedUser);
      const passwordOk = timingSafeEqual(sha256(given.password), expectedPassword);
      if (userOk && passwordOk) {
        next();
        return;
      }
    }
    response
      .status(401)
      .set('WWW-Authenticate', 'Basic realm="pve-chatops", charset="UTF-8"')
      .set('Cache-Control', 'no-store')
      .type('text/plain')
      .send('authentication required\n');
  };
}

/** `Authorization: Bearer <token>`, compared in constant time; a 401 with a challenge otherwise. */
function bearerAuth(token: string): RequestHandler {
  const expected = sha256(token);
  return (request, response, next) => {
    const given = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
    // Hashed first: timingSafeEqual needs equal lengths, and the length must not tell either.
    if (given !== undefined && timingSafeEqual(sha256(given), expected)) {
      next();
      return;
    }
    response
      .status(401)
      .set('WWW-Authenticate', 'Bearer realm="pve-chatops"')
      .set('Cache-Control', 'no-store')
      .type('text/plain')
      .send('authentication required\n');
  };
}

function credentialsOf(header: string | undefined): { user: string; password: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
