// Waiting on something shared (a connection other runs use too) without cancelling it: only this
// caller stops waiting when its signal fires.

/** `promise`, unless the signal fires first; the listener is removed either way. */
export async function whileNotAborted<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  aborted: () => Error,
): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) throw aborted();
  let onAbort: (() => void) | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        onAbort = () => reject(aborted());
        signal.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
