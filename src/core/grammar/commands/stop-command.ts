import { powerCommand } from './power-command.js';

export const stopCommand = powerCommand(
  'stop',
  'Stop a guest at once',
  'Cuts the power, like pulling the plug; prefer `shutdown` for a clean stop.',
);
