import { powerCommand } from './power-command.js';

export const startCommand = powerCommand('start', 'Start a guest', 'Powers the guest on.');
