// Turns recorded exchanges into corpus fixtures (test/conformance/pve/README.md): anonymised with
// one Anonymiser for the whole run, body written with its numbers exactly as PVE wrote them, one
// file per exchange under <out>/<area>/<name>[-<status>].<major>.json.

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { PveParams } from '../encode-params.js';
import { Anonymiser } from './anonymiser.js';
import { ENDPOINTS, fillPath, fixtureName, type RecordVars } from './endpoints.js';
import { type JsonValue, parseJsonText, stringifyJsonText } from './json-text.js';
import type { RecordedExchange } from './record-cluster.js';

export const ANONYMISATION_NOTES =
  'Recorded by pve-record and anonymised with stable placeholders: node names → node01.. (sorted by real name), ' +
  'cluster name → MonCluster, guest names → guest-<vmid>, pools → poolN, tags → tagN, descriptions/comments → text-N, ' +
  'IPv4 → 192.0.2.x, IPv6 → 2001:db8::x, MACs → BC:24:11:00:00:xx, fingerprints → AA:…:xx, PEM/SSH keys/UUIDs/secrets/serials → placeholders, ' +
  'users → chatops@pve!bot (the recording token) / userN@pve (root@pam kept), host names and domains → example.com. ' +
  'Kept as received: vmids, storage names, versions, package data, timestamps and every number.';

export interface WrittenFixture {
  /** Relative to the output directory. */
  file: string;
  status: number;
  /** `GET /nodes/node01/status` with placeholders. */
  summary: string;
}

export interface WriteOptions {
  out: string;
  /** The recording token (`user@realm!name`), shown as chatops@pve!bot. */
  tokenId: string;
  /** The day of the recording, `YYYY-MM-DD`. */
  date: string;
}

interface Prepared {
  exchange: RecordedExchange;
  body: JsonValue;
}

export async function writeFixtures(
  exchanges: readonly RecordedExchange[],
  options: WriteOptions,
): Promise<{ written: WrittenFixture[]; pveVersion: string }> {
  const anonymiser = new Anonymiser({ tokenId: options.tokenId });
  const prepared: Prepared[] = exchanges.map((exchange) => ({
    exchange,
    body: parseBody(exchange.answer.body),
  }));
  // Learn every name first, so the first file already uses the same placeholders as the last.
  anonymiser.addNodes(
    exchanges.map((e) => e.request.vars.node).filter((n): n is string => typeof n === 'string'),
  );
  for (const { exchange, body } of prepared) {
    if (exchange.answer.status === 200) anonymiser.learn(learnPath(exchange), body);
  }
  const pveVersion = findVersion(prepared);
  const major = pveVersion.split('.')[0] ?? pveVersion;

  const written: WrittenFixture[] = [];
  const used = new Set<string>();
  for (const { exchange, body } of prepared) {
    const { request, answer } = exchange;
    const endpoint = ENDPOINTS[request.template];
    const vars = anonymiseVars(anonymiser, request.vars);
    const path = anonymiser.text(fillPath(request.template, request.vars));
    const params = anonymiseParams(anonymiser, request.params);
    const status = answer.status;
    const base = `${endpoint.area}/${fixtureName(request.template, vars)}${status === 200 ? '' : `-${status}`}`;
    let file = `${base}.${major}.json`;
    for (let n = 2; used.has(file); n++) file = `${base}-${n}.${major}.json`;
    used.add(file);
    const summary = `GET ${path}${params ? `?${new URLSearchParams(stringParams(params))}` : ''}`;
    const fixture = {
      description: `${summary}: ${status === 200 ? 'the answer' : `the ${status} answer`} of a real PVE ${pveVersion} cluster`,
      pveVersion,
      provenance: {
        kind: 'capture',
        source: `pve-record ${options.date}`,
        producer: endpoint.producer,
        notes: ANONYMISATION_NOTES,
      },
      request: { method: 'GET', path, ...(params ? { params } : {}) },
      response: {
        status,
        statusText: anonymiser.text(answer.statusText),
        body: anonymiser.value(body),
      },
    };
    const target = join(options.out, file);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, `${stringifyJsonText(fixture)}\n`, { flag: 'w' });
    written.push({ file, status, summary });
  }
  return { written, pveVersion };
}

/** `{"data":…}` as a JSON value; an empty body is null; anything else is kept as its text. */
function parseBody(text: string): JsonValue {
  if (text.trim() === '') return null;
  try {
    return parseJsonText(text);
  } catch {
    return text;
  }
}

/** The path the anonymiser recognises an answer by (`/cluster/status`, `/nodes/x/certificates/info`). */
function learnPath(exchange: RecordedExchange): string {
  return fillPath(exchange.request.template, exchange.request.vars);
}

function findVersion(prepared: Prepared[]): string {
  for (const { exchange, body } of prepared) {
    if (exchange.request.template !== '/version' || exchange.answer.status !== 200) continue;
    const data =
      typeof body === 'object' && body !== null && !Array.isArray(body)
        ? (body as Record<string, JsonValue>).data
        : undefined;
    const record =
      typeof data === 'object' && data !== null && !Array.isArray(data)
        ? (data as Record<string, JsonValue>)
        : {};
    for (const value of [record.release, record.version]) {
      const match = typeof value === 'string' ? /^(\d+)\.(\d+)/.exec(value) : null;
      if (match) return `${match[1]}.${match[2]}`;
    }
  }
  throw new Error('GET /version gave no PVE version: cannot name the fixtures (is the token valid?)');
}

function anonymiseVars(anonymiser: Anonymiser, vars: RecordVars): RecordVars {
  return {
    ...vars,
    ...(vars.node === undefined ? {} : { node: anonymiser.node(vars.node) }),
    ...(vars.target === undefined ? {} : { target: anonymiser.node(vars.target) }),
    ...(vars.id === undefined ? {} : { id: anonymiser.text(vars.id) }),
    ...(vars.upid === undefined ? {} : { upid: anonymiser.text(vars.upid) }),
  };
}

function anonymiseParams(
  anonymiser: Anonymiser,
  params: PveParams | undefined,
): Record<string, string | number> | undefined {
  if (!params) return undefined;
  const out: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(params)) {
    if (typeof value === 'string') out[key] = anonymiser.text(value);
    else if (typeof value === 'number') out[key] = value;
    else if (typeof value === 'boolean') out[key] = value ? 1 : 0;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function stringParams(params: Record<string, string | number>): Record<string, string> {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)]));
}
