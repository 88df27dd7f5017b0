/**
 * The chat could not make a command's public record (the sink's openRequestThread failed: on
 * Slack, the bot may not post in the channel). Nothing ran; the message is the adapter's advice
 * to the person, told to them privately.
 */
export class RequestNotPostedError extends Error {
  override readonly name = 'RequestNotPostedError';
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}
