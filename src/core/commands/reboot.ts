// `reboot <vm>`: asks the guest OS to restart.
import { powerCommand } from './power.js';

export const rebootCommand = powerCommand('reboot', 'Reboot a guest', 'Asks the guest OS to restart.');
