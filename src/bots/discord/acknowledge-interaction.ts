// Answering an interaction's one callback (defer, reply) when the same interaction may arrive
// twice: Discord replays dispatches after a gateway resume, and every process connected with the
// bot's token receives each interaction. Only the first callback is accepted; the others get
// 40060 "already acknowledged", and 10062 "Unknown interaction" comes after Discord's 3 seconds.
// Either way this arrival has nothing left to do: whoever answered first handles the request.
import { DiscordAPIError } from 'discord.js';
import type { Logger } from '../../logger.js';

/** Discord's codes for an interaction that can no longer be answered by this arrival. */
const ALREADY_ACKNOWLEDGED = 40060;
const UNKNOWN_INTERACTION = 10062;

/** True when `callback` answered the interaction; false when another arrival did, or it expired. */
export async function acknowledgeInteraction(
  callback: () => Promise<unknown>,
  interaction: { id: string; user: { id: string } },
  logger: Logger,
): Promise<boolean> {
  try {
    await callback();
    return true;
  } catch (error) {
    if (!(error instanceof DiscordAPIError)) throw error;
    const context = { interaction: interaction.id, user: interaction.user.id };
    if (error.code === ALREADY_ACKNOWLEDGED) {
      logger.info(context, 'Discord interaction already answered (delivered twice); this arrival is ignored');
      return false;
    }
    if (error.code === UNKNOWN_INTERACTION) {
      logger.warn(
        context,
        'Discord interaction expired before it was answered (Discord allows 3 s); ignored',
      );
      return false;
    }
    throw error;
  }
}
