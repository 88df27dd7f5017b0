// A bare HTTPS client for the platform tests: node:https with the cluster CA, no pooling, and the
// raw status line, headers and body as the server sent them.

import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { request } from 'node:https';

export interface CallResult {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  text: string;
  /** The parsed body when it is JSON, else undefined. */
  json: unknown;
}

export interface CallOptions {
  headers?: OutgoingHttpHeaders;
  /** A form object (repeated keys as arrays), a string or a Buffer. */
  body?: Record<string, string | string[]> | string | Buffer;
  /** Send the body with chunked transfer encoding instead of Content-Length. */
  chunked?: boolean;
}

export function formEncode(form: Record<string, string | string[]>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(form)) {
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, item);
  }
  return params.toString();
}

export function call(
  host: string,
  ca: string,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<CallResult> {
  const url = new URL(path, host);
  const headers: OutgoingHttpHeaders = { ...options.headers };
  let body: string | Buffer | undefined;
  if (typeof options.body === 'object' && !Buffer.isBuffer(options.body)) {
    body = formEncode(options.body);
    headers['Content-Type'] ??= 'application/x-www-form-urlencoded';
  } else {
    body = options.body;
  }
  if (body !== undefined && !options.chunked) headers['Content-Length'] = Buffer.byteLength(body);
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, ca, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          headers: res.headers,
          text,
          json,
        });
      });
    });
    req.on('error', reject);
    if (body !== undefined && options.chunked) {
      // Two writes without a Content-Length make Node send Transfer-Encoding: chunked.
      req.write(body.slice(0, 1));
      req.end(body.slice(1));
    } else {
      req.end(body);
    }
  });
}
