// A private answer through a command's response_url: a plain JSON POST, as Slack documents it, so
// whichever replica handles the command can send it (Bolt's `respond` lives only in the process
// that received the request).
export async function respondThrough(responseUrl: string, body: Record<string, unknown>): Promise<void> {
  const response = await fetch(responseUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  // Drained either way, so the connection is reused.
  const text = await response.text();
  if (!response.ok) throw new Error(`response_url answered ${response.status}: ${text.slice(0, 200)}`);
}
