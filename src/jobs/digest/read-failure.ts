// A failed read as the digest keeps it: PVE's words and the error code, nothing that does not
// survive JSON. An abort is not a failed read: it ends the whole collection.
import { isPveError } from '../../proxmox/pve-error.js';
import type { ReadFailure } from './digest-input.js';

export function readFailureOf(error: unknown): ReadFailure {
  if (isPveError(error)) return { message: error.message, code: error.code };
  return { message: error instanceof Error ? error.message : String(error) };
}

/** Settles a read: its value, or why it failed; rethrows when the collection was aborted. */
export async function settleRead<T>(
  read: Promise<T>,
  signal: AbortSignal | undefined,
): Promise<{ value: T } | { failure: ReadFailure }> {
  try {
    return { value: await read };
  } catch (error) {
    if (signal?.aborted) throw error;
    return { failure: readFailureOf(error) };
  }
}
