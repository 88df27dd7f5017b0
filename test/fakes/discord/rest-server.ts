// The HTTP side of the fake: every request under /api/v10 is parsed (JSON, or multipart with
// payload_json and file parts as discord.js sends with files), checked against injected faults and the rate
// limits, routed, answered with Discord's headers, and recorded for calls().
import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiError, type RestReply } from './api-errors.js';
import { APPLICATION_ROUTES } from './application-routes.js';
import { CHANNEL_ROUTES } from './channel-routes.js';
import type { DiscordStore } from './discord-store.js';
import { INTERACTION_ROUTES } from './interaction-routes.js';
import type { UploadedFile } from './message-attachments.js';
import { RateLimits } from './rate-limits.js';
import { answerRest, type RestContext, type RestRequest } from './rest-router.js';
import type { FakeAuth, RestFault } from './types.js';

const API_PREFIX = '/api/v10';
const ROUTES = [...APPLICATION_ROUTES, ...CHANNEL_ROUTES, ...INTERACTION_ROUTES];

export class RestServer {
  private readonly rateLimits = new RateLimits();
  private readonly token: string;
  private readonly store: DiscordStore;
  private readonly context: RestContext;

  constructor(token: string, store: DiscordStore, context: RestContext) {
    this.token = token;
    this.store = store;
    this.context = context;
  }

  failNext(method: string, pathPattern: RegExp, fault: RestFault): void {
    this.rateLimits.failNext(method, pathPattern, fault);
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    readBody(req)
      .then(async (raw) => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const method = req.method ?? 'GET';
        if (!url.pathname.startsWith(`${API_PREFIX}/`)) {
          const message = `404: Not Found (the fake Discord serves ${API_PREFIX} only, not ${method} ${url.pathname})`;
          send(res, apiError(404, 0, message));
          return;
        }
        // discord.js percent-encodes path segments (@original arrives as %40original).
        const path = url.pathname.slice(API_PREFIX.length).split('/').map(decodeSegment).join('/');
        const auth = authOf(req.headers.authorization, this.token);
        const parsed = await parseBody(req.headers['content-type'], raw);
        const request: RestRequest = {
          method,
          path,
          query: url.searchParams,
          body: parsed.body,
          files: parsed.files ?? [],
          auth,
        };
        const reply = this.answer(request, parsed.invalid === true);
        send(res, reply);
        const query = Object.fromEntries(url.searchParams);
        this.store.record({
          method,
          path,
          query,
          body: parsed.body,
          auth,
          status: reply.status,
          at: Date.now(),
        });
      })
      .catch((error: unknown) => {
        // A bug in the fake itself: make it loud rather than a hanging request.
        if (!res.headersSent) send(res, apiError(500, 0, `fake Discord failed: ${String(error)}`));
        else res.destroy();
      });
  }

  private answer(request: RestRequest, invalidJson: boolean): RestReply {
    const { method, path } = request;
    const fault = this.rateLimits.takeFault(method, path);
    const { headers, limited } = this.rateLimits.consume(method, path);
    let reply: RestReply;
    if (fault !== undefined) reply = this.rateLimits.faultReply(fault, method, path);
    else if (limited !== undefined) reply = limited;
    else if (invalidJson) reply = apiError(400, 50109, 'The request body contains invalid JSON.');
    else reply = answerRest(ROUTES, request, this.context);
    return { ...reply, headers: { ...headers, ...reply.headers } };
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function authOf(header: string | undefined, token: string): FakeAuth {
  if (header === undefined || header === '') return 'none';
  return header === `Bot ${token}` ? 'bot' : 'bad';
}

async function parseBody(
  contentType: string | undefined,
  raw: Buffer,
): Promise<{ body: unknown; files?: UploadedFile[]; invalid?: true }> {
  if (raw.length === 0) return { body: undefined };
  try {
    if (contentType?.startsWith('multipart/form-data')) {
      const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
      const payload = form.get('payload_json');
      const files: UploadedFile[] = [];
      for (const [key, value] of form.entries()) {
        if (typeof value === 'string') continue;
        files.push({
          key,
          filename: value.name,
          ...(value.type !== '' ? { contentType: value.type } : {}),
          bytes: Buffer.from(await value.arrayBuffer()),
        });
      }
      return { body: typeof payload === 'string' ? JSON.parse(payload) : undefined, files };
    }
    return { body: JSON.parse(raw.toString('utf8')) };
  } catch {
    return { body: undefined, invalid: true };
  }
}

function send(res: ServerResponse, reply: RestReply): void {
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.body !== undefined) headers['content-type'] = 'application/json';
  res.writeHead(reply.status, headers);
  res.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
