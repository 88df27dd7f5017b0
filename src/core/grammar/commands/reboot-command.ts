import { powerCommand } from './power-command.js';

export const rebootCommand = powerCommand('reboot', 'Reboot a guest', 'Asks the guest OS to restart.');
