// A job request checked before anything is queued: a kind this build has, a payload its schema
// accepts (the parsed payload, defaults applied), and a job id BullMQ can take. The queue and the
// core's in-memory test port share it, so both refuse alike.
import { JobError, JobErrorCode } from './job-error.js';
import type { JobKind, JobKindRegistry } from './job-kind.js';

export function validateJobRequest(
  kinds: JobKindRegistry,
  request: { kind: string; payload: unknown; jobId?: string | undefined },
): { kind: JobKind; payload: unknown } {
  const kind = kinds.get(request.kind);
  if (!kind) throw new JobError(JobErrorCode.UnknownKind, `no job kind '${request.kind}'`);
  const payload = kind.payload.safeParse(request.payload);
  if (!payload.success) {
    const detail = payload.error.issues
      .map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`)
      .join('; ');
    throw new JobError(JobErrorCode.InvalidPayload, `invalid ${kind.name} job: ${detail}`);
  }
  // BullMQ job ids may not contain ':' or be plain integers.
  if (request.jobId !== undefined && (request.jobId.includes(':') || /^\d+$/.test(request.jobId))) {
    throw new JobError(
      JobErrorCode.InvalidPayload,
      `job id '${request.jobId}' may not contain ':' or be a number`,
    );
  }
  return { kind, payload: payload.data };
}
