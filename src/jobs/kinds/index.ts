// Every job kind the worker runs. A new kind: one file in this folder and one line here.
import { createJobKindRegistry } from '../job-kind.js';
import { balanceKind } from './balance-kind.js';
import { balancePlanKind } from './balance-plan-kind.js';
import { cloneKind } from './clone-kind.js';
import { clusterKind } from './cluster-kind.js';
import { createKind } from './create-kind.js';
import { digestKind } from './digest-kind.js';
import { haKind } from './ha-kind.js';
import { haResourceKinds } from './ha-resource-kind.js';
import { haWatchKind } from './ha-watch-kind.js';
import { migrateKind } from './migrate-kind.js';
import { nodePowerKind } from './node-power-kind.js';
import { rebootKind } from './reboot-kind.js';
import { replicationCreateKind } from './replication-create-kind.js';
import { replicationKind } from './replication-kind.js';
import { shutdownKind } from './shutdown-kind.js';
import { startKind } from './start-kind.js';
import { statusKind } from './status-kind.js';
import { stopKind } from './stop-kind.js';
import { updatesKind } from './updates-kind.js';
import { upgradeKind } from './upgrade-kind.js';
import { upgradePlanKind } from './upgrade-plan-kind.js';

export const jobKinds = createJobKindRegistry([
  statusKind,
  clusterKind,
  startKind,
  stopKind,
  shutdownKind,
  rebootKind,
  migrateKind,
  cloneKind,
  createKind,
  updatesKind,
  upgradePlanKind,
  upgradeKind,
  nodePowerKind,
  digestKind,
  haKind,
  ...haResourceKinds,
  haWatchKind,
  replicationKind,
  replicationCreateKind,
  balancePlanKind,
  balanceKind,
]);
