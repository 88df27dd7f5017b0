// `start <vm>`: powers the guest on (through the HA stack for HA-managed guests).
import { powerCommand } from './power.js';

export const startCommand = powerCommand('start', 'Start a guest', 'Powers the guest on.');
