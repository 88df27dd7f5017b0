// Slack reads `&`, `<` and `>` as control characters in message text: `<!channel>` pings everyone
// and `<https://x|label>` hides a link. Escaping them is all Slack asks for; anything a user typed
// goes through here before it reaches mrkdwn.

export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Text for inside a `code span`: escaped, and its own backticks cannot end the span. */
export function escapeCodeSpan(text: string): string {
  return escapeMrkdwn(text).replace(/`/g, "'");
}
