// `stop <vm>`: cuts the guest's power at once.
import { powerCommand } from './power.js';

export const stopCommand = powerCommand(
  'stop',
  'Stop a guest at once',
  'Cuts the power, like pulling the plug; prefer `shutdown` for a clean stop.',
);
