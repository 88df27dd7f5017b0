// `stop <vm>`: cuts the guest's power at once.
import { riskyPowerCommand } from './power.js';

export const stopCommand = riskyPowerCommand(
  'stop',
  'Stop a guest at once',
  'Cuts the power, like pulling the plug; prefer `shutdown` for a clean stop.',
);
