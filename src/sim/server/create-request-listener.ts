// The I/O around handleApiRequest: record the request, hold the answer for the latency fault
// (and PVE's delay on 401s), then write it the way pve-http-server does.

import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RecordedRequest } from '../types.js';
import {
  type ApiReply,
  type ApiRequestContext,
  handleApiRequest,
  replyFromError,
} from './handle-api-request.js';
import type { NodeRequestListener } from './node-server.js';

export interface RequestListenerContext extends ApiRequestContext {
  /** Every answered request is appended here, the oldest dropped past `maxRecordedRequests`. */
  requests: RecordedRequest[];
  /** Bounds the record so a simulator left running for days (the demo) does not grow forever. */
  maxRecordedRequests: number;
  /** pveproxy holds 401 answers for about 3 s to slow down password guessing. */
  authFailureDelayMs: number;
  /** Aborted when the simulator stops, so no answer waits on a timer past that. */
  signal: AbortSignal;
}

export function createRequestListener(ctx: RequestListenerContext): NodeRequestListener {
  return (node, request, response) => {
    void serve(ctx, node, request, response);
  };
}

async function serve(
  ctx: RequestListenerContext,
  node: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const record: RecordedRequest = {
    node,
    method: request.method ?? 'GET',
    path: (request.url ?? '/').split('?', 1)[0] ?? '/',
    template: null,
    status: 0,
    rawParams: {},
  };
  let reply: ApiReply;
  try {
    reply = await handleApiRequest(ctx, node, request, record);
  } catch (error) {
    reply = replyFromError(error, ctx.logger);
  }
  const wait = ctx.faults.latencyMs + (reply.status === 401 ? ctx.authFailureDelayMs : 0);
  if (wait > 0 && !(await pause(wait, ctx.signal))) {
    response.destroy();
    return;
  }
  record.status = reply.status;
  if (reply.errors) record.errors = reply.errors;
  ctx.requests.push(record);
  // Trim in batches: one splice per 10 % overshoot instead of a shift per request.
  if (ctx.requests.length > ctx.maxRecordedRequests * 1.1) {
    ctx.requests.splice(0, ctx.requests.length - ctx.maxRecordedRequests);
  }
  write(response, reply);
}

async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

/** A status line can carry neither line breaks nor characters outside Latin-1. */
function reasonPhrase(reason: string): string {
  return reason.replace(/[^\t\x20-\x7e\xa0-\xff]/g, '?');
}

function write(response: ServerResponse, reply: ApiReply): void {
  if (response.destroyed || response.headersSent) return;
  const body = reply.json === undefined ? '' : JSON.stringify(reply.json);
  const headers: OutgoingHttpHeaders = { 'Content-Length': Buffer.byteLength(body) };
  if (reply.json !== undefined) headers['Content-Type'] = 'application/json;charset=UTF-8';
  if (reply.status >= 400) headers.Connection = 'close';
  if (reply.status === 200) headers['Cache-Control'] = 'max-age=0';
  response.writeHead(reply.status, reasonPhrase(reply.reason), headers);
  response.end(body);
}
