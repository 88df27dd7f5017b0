// The one place every Slack Web API call passes (the WebClient's `fetch` option): a fetch that
// reports each failed call, whether HTTP said so (4xx, 5xx, 429, no answer at all) or Slack's
// own `"ok": false` in a 200 (channel_not_found, not_in_channel, …). The caller still gets the
// response untouched; the body is read from a clone.
import type { webApi } from '@slack/bolt';

export function countingFetch(
  onError: () => void,
  fetchFn: typeof fetch = globalThis.fetch,
): webApi.FetchFunction {
  return async (url, init) => {
    let response: Response;
    try {
      response = await fetchFn(url, init as RequestInit);
    } catch (error) {
      onError();
      throw error;
    }
    if (!response.ok) onError();
    else if (response.headers.get('content-type')?.includes('application/json')) {
      // Read before the WebClient reads its own copy, so the count is in place when the call returns.
      const body = (await response
        .clone()
        .json()
        .catch(() => undefined)) as { ok?: unknown } | null | undefined; // unreadable: the WebClient's to report
      if (body?.ok === false) onError();
    }
    return response;
  };
}
