// `shutdown <vm>`: asks the guest OS to shut down cleanly.
import { riskyPowerCommand } from './power.js';

export const shutdownCommand = riskyPowerCommand(
  'shutdown',
  'Shut a guest down cleanly',
  'Asks the guest OS to shut down (ACPI for a VM, init for a container).',
);
