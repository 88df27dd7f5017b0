// Runs many small jobs with at most `limit` of them in flight, so reading 64 nodes never puts
// hundreds of requests on PVE at once. Stops taking new work once the signal is aborted.

export async function runBounded(
  work: ReadonlyArray<() => Promise<void>>,
  limit: number,
  signal?: AbortSignal,
): Promise<void> {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`limit must be a positive integer, got ${limit}`);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < work.length) {
      signal?.throwIfAborted();
      const job = work[next];
      next += 1;
      await job?.();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, work.length) }, lane));
}
