// Matches a REST request under /api/v10 to a handler. Routes declare whether they need the bot
// token; an unknown route answers 404 with a message naming it, so a bot calling something the
// fake (or Discord) does not have fails loudly instead of silently.
import { apiError, type RestReply, unauthorized } from './api-errors.js';
import type { Identity } from './build-payloads.js';
import type { DiscordStore } from './discord-store.js';
import type { DispatchResult } from './gateway-server.js';
import type { InteractionRegistry } from './interaction-registry.js';
import type { UploadedFile } from './message-attachments.js';
import type { FakeAuth } from './types.js';

export interface RestRequest {
  method: string;
  /** Without /api/v10. */
  path: string;
  query: URLSearchParams;
  body: unknown;
  /** The file parts of a multipart request (`files[0]`, …); empty for JSON. */
  files: UploadedFile[];
  auth: FakeAuth;
}

export interface RestContext {
  store: DiscordStore;
  id: Identity;
  interactions: InteractionRegistry;
  /** Sends a gateway dispatch (THREAD_CREATE and the like) on the bot's session. */
  dispatch(t: string, d: unknown): DispatchResult;
  /** The intents the bot identified with. */
  intents(): number;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Anchored; capture groups become `params`. */
  pattern: RegExp;
  auth: 'bot' | 'none';
  handle(req: RestRequest, params: string[], ctx: RestContext): RestReply;
}

export function answerRest(routes: Route[], req: RestRequest, ctx: RestContext): RestReply {
  const matching = routes.filter((r) => r.pattern.test(req.path));
  if (matching.length === 0) {
    return apiError(404, 0, `404: Not Found (the fake Discord has no route ${req.method} ${req.path})`);
  }
  const route = matching.find((r) => r.method === req.method);
  if (route === undefined) return apiError(405, 0, '405: Method Not Allowed');
  if (route.auth === 'bot' && req.auth !== 'bot') return unauthorized();
  const params = route.pattern.exec(req.path)!.slice(1);
  return route.handle(req, params, ctx);
}

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The JSON object body, or {} (Discord answers missing fields through validation). */
export const bodyObject = (req: RestRequest): Record<string, unknown> => (isObject(req.body) ? req.body : {});
