// What pveproxy does with one request, in its order: method and format, authentication, the
// schema's method lookup (501), the API-token gate, proxying to the target node (500 for an
// unknown node, 595 for one that is down), parameter verification (400), then the handler.

import type { IncomingMessage } from 'node:http';
import type { Logger } from '../../logger.js';
import { PveHttpError, unknownMethodMessage } from '../pve-http-error.js';
import type { HttpMethod, RecordedRequest, SimClusterView } from '../types.js';
import type { ApiSchema } from './api-schema.js';
import { matchApiPath, methodSchema } from './api-schema.js';
import { AUTH_FAILED, AuthFailure, type Identity, type SimAuth } from './auth.js';
import { parseRequestParams } from './parse-body.js';
import { checkApiPermissions, checkHandlerPermissions, Requester } from './permissions.js';
import type { SimRouteRegistry } from './route-registry.js';
import { checkRequestAgainstSchema } from './validate-params.js';
import { DataWithTotal } from './with-total.js';

const METHODS: ReadonlySet<string> = new Set<HttpMethod>(['GET', 'POST', 'PUT', 'DELETE']);
const PREFIX = '/api2/json';

/** The fault switches the request path consults on every request. */
export interface RequestFaultState {
  latencyMs: number;
  rejectAuth: boolean;
  /** Nodes whose pveproxy is down (faults.apiDown): proxied calls to them are refused. */
  apiDown: ReadonlySet<string>;
}

export interface ApiRequestContext {
  schema: ApiSchema;
  registry: SimRouteRegistry;
  auth: SimAuth;
  cluster: SimClusterView;
  faults: RequestFaultState;
  logger: Logger;
}

/** An answer before serialisation: `json` undefined means an empty body. */
export interface ApiReply {
  status: number;
  reason: string;
  json?: unknown;
  errors?: Record<string, string>;
}

export function replyFromError(error: unknown, logger: Logger): ApiReply {
  if (error instanceof AuthFailure) return { status: 401, reason: error.message };
  if (error instanceof UnreachableNode) return { status: 595, reason: error.message };
  if (error instanceof PveHttpError) {
    const message = error.exact || error.message.endsWith('\n') ? error.message : `${error.message}\n`;
    const json: Record<string, unknown> = { data: null, message };
    if (error.errors) json.errors = error.errors;
    const reply: ApiReply = { status: error.status, reason: firstLine(error.message), json };
    if (error.errors) reply.errors = error.errors;
    return reply;
  }
  // A plain exception in a handler is a bug in the simulator: answer like Perl's die, and say so.
  const message = error instanceof Error ? error.message : String(error);
  logger.error({ err: error instanceof Error ? error.stack : message }, 'simulator handler failed');
  return { status: 500, reason: firstLine(message), json: { data: null, message: `${message}\n` } };
}

function firstLine(message: string): string {
  return message.split('\n', 1)[0] ?? '';
}

export async function handleApiRequest(
  ctx: ApiRequestContext,
  servingNode: string,
  request: IncomingMessage,
  record: RecordedRequest,
): Promise<ApiReply> {
  const method = request.method ?? 'GET';
  if (!METHODS.has(method)) throw new PveHttpError(501, `method '${method}' not available`);
  const url = new URL(request.url ?? '/', 'https://simulator.invalid');
  if (!url.pathname.startsWith(`${PREFIX}/`)) {
    throw PveHttpError.raise(501, unknownMethodMessage(method, url.pathname));
  }
  const path = url.pathname.slice(PREFIX.length);
  record.path = path;
  if (ctx.faults.rejectAuth) throw new AuthFailure(AUTH_FAILED);

  const { params, raw, source } = await parseRequestParams(request, url.search.slice(1));
  record.rawParams = raw;

  const match = matchApiPath(ctx.schema, path);
  // Logging in needs no authentication (auth_handler's exception for /access/ticket).
  const isLogin = match?.template === '/access/ticket';
  const identity = isLogin ? null : ctx.auth.authenticate(method, request.headers);

  const info = match ? methodSchema(ctx.schema, match.template, method) : null;
  // pve-manager PVE/HTTPServer.pm rest_handler's default answer: a message without a newline.
  if (!match || !info) throw PveHttpError.raise(501, unknownMethodMessage(method, path));
  record.template = match.template;

  if (info.allowtoken === 0 && ctx.auth.hasToken(request.headers)) {
    throw new PveHttpError(
      403,
      `Permission check failed (URI '${path}' not available with API token, need proper ticket.)`,
    );
  }
  // rest_handler: check_api2_permissions before the proxy and before the parameters are verified.
  const requester = identity?.access ? new Requester(identity.user, identity.access) : undefined;
  if (requester) checkApiPermissions(info.permissions, requester, { ...params, ...match.variables });
  const target = match.variables.node;
  if (match.template.startsWith('/nodes/{node}') && target !== undefined)
    checkTargetNode(ctx, servingNode, target);

  const check = checkRequestAgainstSchema(ctx.schema, method, path, params, source);
  if (!check.ok) {
    if (check.status === 501) throw PveHttpError.raise(501, check.message);
    throw new PveHttpError(check.status, check.message, check.errors);
  }

  if (isLogin) return login(ctx, method, check.params);
  if (requester)
    checkHandlerPermissions(`${method} ${match.template}`, requester, check.params, ctx.schema.version);
  const handler = ctx.registry.handler(method, match.template);
  if (!handler) {
    throw PveHttpError.raise(
      501,
      `${unknownMethodMessage(method, path)} (the simulator does not implement ${method} ${match.template})`,
    );
  }
  const result = await handler({
    method: method as HttpMethod,
    path,
    template: match.template,
    params: check.params,
    servingNode,
    user: (identity as Identity).user,
  });
  if (result instanceof DataWithTotal) {
    // PVE's formatter only adds `total` when it is non-zero.
    const json = result.total
      ? { data: result.data ?? null, total: result.total }
      : { data: result.data ?? null };
    return { status: 200, reason: 'OK', json };
  }
  return { status: 200, reason: 'OK', json: { data: result ?? null } };
}

/** pveproxy forwarding a `proxyto: node` call: the node must resolve and be reachable. */
function checkTargetNode(ctx: ApiRequestContext, servingNode: string, target: string): void {
  if (!ctx.cluster.nodeNames().includes(target)) {
    throw PveHttpError.die(
      `hostname lookup '${target}' failed - failed to get address info for: ${target}: Name or service not known`,
    );
  }
  if (target === servingNode) return;
  // AnyEvent::HTTP's pseudo-status for a failed connect, passed on with an empty body: a dead
  // node does not answer at all, a live one whose pveproxy is down refuses the connection.
  if (!ctx.cluster.isNodeOnline(target)) throw new UnreachableNode('No route to host');
  if (ctx.faults.apiDown.has(target)) throw new UnreachableNode('Connection refused');
}

/** 595 from the proxy: no JSON envelope, the OS error as the reason phrase. */
export class UnreachableNode extends Error {
  override readonly name = 'UnreachableNode';
}

function login(ctx: ApiRequestContext, method: string, params: Record<string, unknown>): ApiReply {
  // GET only serves the login form's (empty) data.
  if (method === 'GET') return { status: 200, reason: 'OK', json: { data: {} } };
  const realm = typeof params.realm === 'string' ? params.realm : undefined;
  const data = ctx.auth.login(String(params.username), String(params.password), realm);
  return { status: 200, reason: 'OK', json: { data } };
}
