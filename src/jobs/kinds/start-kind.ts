import { powerKind } from './power-kind.js';

/** `start <vm>`: one PVE task, followed to its end (and through the HA stack for HA guests). */
export const startKind = powerKind('start');
