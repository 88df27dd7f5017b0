// The shipped subset of Proxmox's official API schema, and matching a concrete request path to
// one of its templates. The simulator serves 9.1 or, as a PVE 8.4 cluster, 8.4; the conformance
// tests check every request against both.

import { readFileSync } from 'node:fs';
import type { HttpMethod } from '../types.js';

/** One parameter as the schema describes it. Numbers may be strings ("0"), flags are 0/1. */
export interface SchemaProperty {
  type?: string;
  optional?: number | boolean;
  format?: string | Record<string, unknown>;
  enum?: string[];
  minimum?: number | string;
  maximum?: number | string;
  minLength?: number | string;
  maxLength?: number | string;
  pattern?: string;
  requires?: string | Record<string, unknown>;
  default?: unknown;
  typetext?: string;
  items?: SchemaProperty;
}

export interface MethodSchema {
  name: string;
  protected?: number;
  proxyto?: string;
  allowtoken?: number;
  permissions?: unknown;
  parameters: { additionalProperties?: number | boolean; properties: Record<string, SchemaProperty> };
}

export interface ApiSchema {
  provenance: string;
  version: string;
  endpoints: Record<string, Partial<Record<HttpMethod, MethodSchema>>>;
}

export type SchemaVersion = '9.1' | '8.4';

const cache = new Map<SchemaVersion, ApiSchema>();

/** Loads (once) `src/sim/schema/pve-api-<version>.json`. */
export function loadApiSchema(version: SchemaVersion = '9.1'): ApiSchema {
  let schema = cache.get(version);
  if (!schema) {
    const url = new URL(`../schema/pve-api-${version}.json`, import.meta.url);
    schema = JSON.parse(readFileSync(url, 'utf8')) as ApiSchema;
    cache.set(version, schema);
  }
  return schema;
}

export interface PathMatch {
  template: string;
  /** Path variables, URI-unescaped, e.g. `{ node: 'node01', upid: 'UPID:node01:…:' }`. */
  variables: Record<string, string>;
}

/**
 * Finds the schema template for `path` (below /api2/json). Segments are URI-unescaped like
 * pveproxy does, so an encoded UPID matches `{upid}` (a UPID has colons but no slashes).
 * A literal segment wins over a variable, as in PVE's router. Returns null when nothing matches
 * or the path is malformed.
 */
export function matchApiPath(schema: ApiSchema, path: string): PathMatch | null {
  const segments = splitPath(path);
  if (!segments) return null;
  let best: { match: PathMatch; literals: number } | null = null;
  for (const template of Object.keys(schema.endpoints)) {
    const parts = template.split('/').filter((p) => p !== '');
    if (parts.length !== segments.length) continue;
    const variables: Record<string, string> = {};
    let literals = 0;
    let ok = true;
    for (let i = 0; i < parts.length && ok; i++) {
      const part = parts[i] as string;
      const segment = segments[i] as string;
      if (part.startsWith('{') && part.endsWith('}')) {
        variables[part.slice(1, -1)] = segment;
      } else if (part === segment) {
        literals++;
      } else {
        ok = false;
      }
    }
    if (ok && (!best || literals > best.literals)) best = { match: { template, variables }, literals };
  }
  return best?.match ?? null;
}

function splitPath(path: string): string[] | null {
  const raw = path.split('/').filter((p) => p !== '');
  try {
    return raw.map((segment) => decodeURIComponent(segment));
  } catch {
    return null;
  }
}

/** The method schema for a template and HTTP method, if the schema has it. */
export function methodSchema(schema: ApiSchema, template: string, method: string): MethodSchema | null {
  return schema.endpoints[template]?.[method as HttpMethod] ?? null;
}
