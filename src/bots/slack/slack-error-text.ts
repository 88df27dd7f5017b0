// What went wrong in a WebClient call, for the log: Slack's own error code (`channel_not_found`,
// `missing_scope`) when it answered one, the exception's message otherwise.

export function slackErrorText(error: unknown): string {
  const data = (error as { data?: { error?: unknown } }).data;
  if (typeof data?.error === 'string') return data.error;
  return error instanceof Error ? error.message : String(error);
}
