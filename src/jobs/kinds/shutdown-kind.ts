import { powerKind } from './power-kind.js';

/** `shutdown <vm>`: one PVE task, followed to its end (and through the HA stack for HA guests). */
export const shutdownKind = powerKind('shutdown');
