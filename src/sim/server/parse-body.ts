// Reading a request's parameters the way pve-http-server's extract_params does: a form or JSON
// body for POST/PUT, the query string merged over it, repeated form keys kept as arrays.

import type { IncomingMessage } from 'node:http';
import { PveHttpError } from '../pve-http-error.js';
import type { ParamSource } from './validate-params.js';

/** pve-http-server's $limit_max_post. */
export const MAX_BODY_BYTES = 512 * 1024;

export interface RequestParams {
  /** Values for the validator: form strings (arrays for repeated keys) or JSON values. */
  params: Record<string, unknown>;
  /** The same as strings, for the request record (JSON values are stringified). */
  raw: Record<string, string | string[]>;
  source: ParamSource;
}

/**
 * Decodes `application/x-www-form-urlencoded` text (also used for query strings): `&` or `;`
 * between pairs, `+` for space, a key without `=` counts as empty, a repeated key becomes an array.
 */
export function decodeUrlencoded(text: string): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  if (!text) return result;
  for (const pair of text.split(/[&;]/)) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decodeComponent(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decodeComponent(pair.slice(eq + 1));
    const old = result[key];
    if (old === undefined) result[key] = value;
    else result[key] = Array.isArray(old) ? [...old, value] : [old, value];
  }
  return result;
}

function decodeComponent(text: string): string {
  const spaced = text.replaceAll('+', ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    // Like Perl's byte-wise unescape, tolerate a stray '%' instead of refusing the request.
    return spaced;
  }
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  // Past the limit the rest is still read and dropped, so the client gets to read the 413
  // instead of a reset while it is still sending.
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size <= MAX_BODY_BYTES) chunks.push(buffer);
  }
  if (size > MAX_BODY_BYTES) throw new PveHttpError(413, 'request too large');
  return Buffer.concat(chunks);
}

function stringify(value: unknown): string | string[] {
  if (Array.isArray(value))
    return value.map((item) => (typeof item === 'string' ? item : JSON.stringify(item)));
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Reads the parameters of `request` (its body already unread). The body only counts for POST and
 * PUT, as in PVE; GET and DELETE take parameters from the query string alone.
 */
export async function parseRequestParams(request: IncomingMessage, query: string): Promise<RequestParams> {
  // pve-http-server refuses chunked bodies outright, whatever the method.
  if (/chunked/i.test(request.headers['transfer-encoding'] ?? '')) {
    throw new PveHttpError(501, 'chunked transfer encoding not supported');
  }
  const method = request.method ?? 'GET';
  const body = await readBody(request);
  let params: Record<string, unknown> = {};
  let source: ParamSource = 'form';
  if ((method === 'POST' || method === 'PUT') && body.length > 0) {
    const contentType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (contentType === 'application/json') {
      source = 'json';
      params = parseJsonObject(body.toString('utf8'));
    } else {
      params = decodeUrlencoded(body.toString('utf8'));
    }
  }
  const merged = { ...params, ...decodeUrlencoded(query) };
  const raw: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(merged)) raw[key] = stringify(value);
  return { params: merged, raw, source };
}

function parseJsonObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // decode_json dies inside extract_params, which pveproxy answers as a plain 500.
    throw new PveHttpError(500, `malformed JSON string: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PveHttpError(400, 'Parameter verification failed.', { _root: 'an object is required' });
  }
  return value as Record<string, unknown>;
}
