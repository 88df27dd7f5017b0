// Reading an approval request back from its Redis hash (the fields approval-scripts.ts lists).
// Every JSON field is checked against a schema, because the hash outlives the code that wrote it;
// and a pending request past its expiry reads as expired here, whether or not a script has run.
import { z } from 'zod';
import { jobScheduleSchema } from '../../jobs/job-data.js';
import { threadRefSchema } from '../../jobs/job-events.js';
import type { ApprovalRequest } from './approval-request.js';

const chatUserSchema = z.object({ id: z.string(), name: z.string(), groups: z.array(z.string()) });
const storedRequestSchema = z.object({
  id: z.string(),
  command: z.string(),
  summary: z.string(),
  details: z.string().optional(),
  payload: z.unknown(),
  jobKind: z.string(),
  snapshotFirst: z.boolean().optional(),
  schedule: jobScheduleSchema.optional(),
  cluster: z.string().optional(),
  requester: chatUserSchema,
  rule: z.object({
    approvers: z.array(z.string()),
    count: z.number(),
    ttlMs: z.number(),
    allowSelf: z.boolean(),
  }),
  thread: threadRefSchema,
  approverDescription: z.string(),
  createdAt: z.number(),
  expiresAt: z.number(),
});
const approvalsSchema = z.array(z.object({ by: chatUserSchema, at: z.number() }));
const decidedBySchema = z.object({
  by: chatUserSchema,
  at: z.number(),
  decision: z.enum(['approve', 'deny', 'cancel']),
});
const statusSchema = z.enum(['pending', 'approved', 'denied', 'expired', 'cancelled']);

/** A script's flat HGETALL reply (field, value, field, value) as a record. */
export function hashFields(flat: string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
  return fields;
}

/** The request a hash holds, as it stands at `now` (ms). */
export function parseStoredApproval(fields: Record<string, string>, now: number): ApprovalRequest {
  const fixed = storedRequestSchema.parse(JSON.parse(fields.request ?? 'null'));
  let status = statusSchema.parse(fields.status);
  if (status === 'pending' && now >= fixed.expiresAt) status = 'expired';
  const request: ApprovalRequest = {
    ...fixed,
    status,
    approvals: approvalsSchema.parse(JSON.parse(fields.approvals ?? '[]')),
  };
  if (fields.decidedBy) request.decidedBy = decidedBySchema.parse(JSON.parse(fields.decidedBy));
  return request;
}
