import { powerKind } from './power-kind.js';

/** `stop <vm>`: one PVE task, followed to its end (and through the HA stack for HA guests). */
export const stopKind = powerKind('stop');
