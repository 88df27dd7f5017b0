// `shutdown <vm>`: asks the guest OS to shut down cleanly.
import { powerCommand } from './power.js';

export const shutdownCommand = powerCommand(
  'shutdown',
  'Shut a guest down cleanly',
  'Asks the guest OS to shut down (ACPI for a VM, init for a container).',
);
