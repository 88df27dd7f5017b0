// Every job kind the worker runs. A new kind: one file in this folder and one line here.
import { createJobKindRegistry } from '../job-kind.js';
import { cloneKind } from './clone-kind.js';
import { migrateKind } from './migrate-kind.js';
import { rebootKind, shutdownKind, startKind, stopKind } from './power-kinds.js';
import { statusKind } from './status-kind.js';

export const jobKinds = createJobKindRegistry([
  statusKind,
  startKind,
  stopKind,
  shutdownKind,
  rebootKind,
  migrateKind,
  cloneKind,
]);
