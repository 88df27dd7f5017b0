// Real HTTPS on 127.0.0.1 answering with corpus fixtures as PVE sent them: the status code, the
// reason phrase (PVE's error text) and the body (none for 401 and 595), re-encoded from the
// parsed fixture (keys, types and values kept; a number's spelling may change, `1.5e-05` becomes
// `0.000015`, which any JSON reader reads alike). A request is answered only when its method,
// path AND parameters are the fixture's: a client asking about the wrong node gets a 501. The
// client under test uses its real transport (undici, pinned certificate, token header).
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createClusterCertificates } from '../../../src/sim/server/certificates.js';
import type { Fixture } from './fixture-schema.js';

export interface ReplayedRequest {
  method: string;
  /** URI-decoded, below /api2/json. */
  path: string;
  params: Record<string, string>;
  authorization: string | undefined;
}

export interface ReplayServer {
  host: string;
  fingerprint: string;
  /** Every request received, in order. */
  requests: ReplayedRequest[];
  /** Requests no fixture answered (they got a 501). */
  unanswered: ReplayedRequest[];
  /** Answers with these fixtures from now on, matched by method and path. */
  use(fixtures: Fixture[]): void;
  close(): Promise<void>;
}

/** Method, path and parameters (sorted), as the client encodes them: booleans 1/0. */
function key(method: string, path: string, params: Record<string, unknown>): string {
  const encoded = Object.entries(params)
    .map(([k, v]) => [
      k,
      typeof v === 'boolean' ? (v ? '1' : '0') : Array.isArray(v) ? v.join(',') : String(v),
    ])
    .sort(([a], [b]) => String(a).localeCompare(String(b)));
  return `${method} ${path} ${JSON.stringify(encoded)}`;
}

export async function startReplayServer(): Promise<ReplayServer> {
  const certificates = await createClusterCertificates([{ name: 'node01', address: '127.0.0.1' }]);
  const leaf = certificates.nodes.get('node01');
  if (!leaf) throw new Error('no certificate');
  let answers = new Map<string, Fixture>();
  const requests: ReplayedRequest[] = [];
  const unanswered: ReplayedRequest[] = [];
  const server: Server = createServer({ cert: leaf.certPem, key: leaf.keyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'https://127.0.0.1');
      const path = decodeURIComponent(url.pathname.replace(/^\/api2\/json/, ''));
      // A repeated key (an array parameter: `header=a&header=b`) is kept whole, joined as key() joins arrays.
      const params: Record<string, string> = {};
      for (const [name, value] of new URLSearchParams(
        req.method === 'POST' || req.method === 'PUT' ? Buffer.concat(chunks).toString() : url.search,
      )) {
        params[name] = name in params ? `${params[name]},${value}` : value;
      }
      const request = { method: req.method ?? 'GET', path, params, authorization: req.headers.authorization };
      requests.push(request);
      const fixture = answers.get(key(request.method, path, params));
      if (!fixture) {
        unanswered.push(request);
        res.writeHead(501, `Method '${request.method} ${path}' not implemented`, {
          'content-type': 'application/json',
        });
        res.end('{"data":null}');
        return;
      }
      const { status, statusText, body } = fixture.response;
      // pveproxy sends the JSON text as it encoded it; re-encoding keeps every key and type.
      const text = body === null ? '' : JSON.stringify(body);
      res.writeHead(status, statusText, {
        ...(text ? { 'content-type': 'application/json;charset=UTF-8' } : {}),
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `https://127.0.0.1:${port}`,
    fingerprint: leaf.fingerprint,
    requests,
    unanswered,
    use(fixtures) {
      answers = new Map(
        fixtures.map((f) => [key(f.request.method, f.request.path, f.request.params ?? {}), f]),
      );
      requests.length = 0;
      unanswered.length = 0;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
