// The format of one corpus file (README.md beside this file): a real PVE exchange and where it
// came from. Loaded by the conformance tests and written by `pve-chatops pve-record`.
import { z } from 'zod';

const paramValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number()]))]);

export const fixtureRequestSchema = z.strictObject({
  method: z.enum(['GET', 'POST', 'PUT', 'DELETE']),
  /** Below /api2/json, starting with `/`. */
  path: z.string().regex(/^\/[^?#]*$/, 'a path below /api2/json, without a query'),
  params: z.record(z.string(), paramValue).optional(),
});

export const fixtureSchema = z.strictObject({
  description: z.string().min(1),
  pveVersion: z.string().regex(/^\d+\.\d+$/, 'major.minor, e.g. "9.1"'),
  provenance: z.strictObject({
    kind: z.enum(['capture', 'source']),
    source: z.string().min(1),
    producer: z.string().min(1),
    notes: z.string().optional(),
  }),
  request: fixtureRequestSchema,
  response: z.strictObject({
    status: z.number().int().min(100).max(999),
    statusText: z.string(),
    /** The body exactly as sent; null for an empty body (401, 595). */
    body: z.unknown(),
  }),
  sim: z
    .strictObject({
      path: z.string().optional(),
      params: z.record(z.string(), paramValue).optional(),
      before: z.array(fixtureRequestSchema).optional(),
      skip: z.string().min(1).optional(),
    })
    .optional(),
});

export type Fixture = z.output<typeof fixtureSchema>;
export type FixtureRequest = z.output<typeof fixtureRequestSchema>;
