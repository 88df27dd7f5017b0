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
      /** Sent first; `wait` waits for the task the request started to end. */
      before: z.array(fixtureRequestSchema.extend({ wait: z.boolean().optional() })).optional(),
      /** Nodes powered off first (their API answers 595 through the others). */
      nodesDown: z.array(z.string()).optional(),
      /** The next task of this type fails with this message (SimFaults.failNextTask). */
      failNextTask: z.strictObject({ type: z.string(), message: z.string() }).optional(),
      /**
       * The access control the answer was computed on (users, groups, tokens, ACLs, pools, as in
       * /etc/pve/user.cfg): the simulator loads it first. The bot's token keeps its secret.
       */
      userCfg: z.string().optional(),
      /** `auditor`: the request is sent with the simulator's read-only (PVEAuditor) token. */
      token: z.enum(['auditor']).optional(),
      skip: z.string().min(1).optional(),
    })
    .optional(),
});

export type Fixture = z.output<typeof fixtureSchema>;
export type FixtureRequest = z.output<typeof fixtureRequestSchema>;
