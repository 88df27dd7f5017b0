// Every fixture under fixtures/, parsed, with the endpoint template its request addresses.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadApiSchema, matchApiPath } from '../../../src/sim/server/api-schema.js';
import { type Fixture, fixtureSchema } from './fixture-schema.js';

export const FIXTURES_DIR = fileURLToPath(new URL('./fixtures', import.meta.url));

export interface LoadedFixture extends Fixture {
  /** Relative to fixtures/, e.g. `guests/qemu-migrate-precondition-running.9.json`. */
  file: string;
  /** `GET /nodes/{node}/qemu/{vmid}/migrate`: the official schema's template. */
  endpoint: string;
}

function jsonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return jsonFiles(path);
    return entry.name.endsWith('.json') ? [path] : [];
  });
}

/** The template of `path` in the PVE 9.1 schema, else 8.4's (an endpoint 9.x dropped). */
export function endpointOf(method: string, path: string): string {
  for (const version of ['9.1', '8.4'] as const) {
    const match = matchApiPath(loadApiSchema(version), path);
    if (match) return `${method} ${match.template}`;
  }
  return `${method} ${path}`;
}

export function loadFixtures(dir = FIXTURES_DIR): LoadedFixture[] {
  return jsonFiles(dir)
    .sort()
    .map((path) => {
      const file = relative(dir, path);
      const parsed = fixtureSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
      if (!parsed.success) {
        throw new Error(
          `${file} is not a corpus fixture: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        );
      }
      return {
        ...parsed.data,
        file,
        endpoint: endpointOf(parsed.data.request.method, parsed.data.request.path),
      };
    });
}
