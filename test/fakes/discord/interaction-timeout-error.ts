/** No interaction callback came within Discord's 3 s (the person sees "The application did not respond"). */
export class InteractionTimeoutError extends Error {
  readonly code = 'FAKE_DISCORD_INTERACTION_TIMEOUT';
  override readonly name = 'InteractionTimeoutError';
}
