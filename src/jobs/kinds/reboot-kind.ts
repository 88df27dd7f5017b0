import { powerKind } from './power-kind.js';

/** `reboot <vm>`: one PVE task, followed to its end (and through the HA stack for HA guests). */
export const rebootKind = powerKind('reboot');
