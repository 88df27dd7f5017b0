// `reboot <vm>`: asks the guest OS to restart.
import { riskyPowerCommand } from './power.js';

export const rebootCommand = riskyPowerCommand('reboot', 'Reboot a guest', 'Asks the guest OS to restart.');
