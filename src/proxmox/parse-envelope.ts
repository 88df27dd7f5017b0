import type { z } from 'zod';
import { PveError, PveErrorCode } from './pve-error.js';

/** Reads `{"data": …}` from a 2xx body and checks it against the expected schema. */
export function parseEnvelope<S extends z.ZodType>(
  text: string,
  schema: S,
  where: { method: string; path: string; host: string; statusCode: number },
): z.output<S> {
  let envelope: unknown;
  try {
    envelope = JSON.parse(text);
  } catch {
    throw new PveError({
      ...where,
      code: PveErrorCode.BadResponse,
      message: `${where.path}: response is not JSON`,
    });
  }
  const data =
    typeof envelope === 'object' && envelope !== null ? (envelope as { data?: unknown }).data : undefined;
  const result = schema.safeParse(data);
  if (!result.success) {
    const summary = result.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    throw new PveError({
      ...where,
      code: PveErrorCode.BadResponse,
      message: `${where.method} ${where.path}: unexpected response (${summary})`,
      issues: result.error.issues,
    });
  }
  return result.data;
}
