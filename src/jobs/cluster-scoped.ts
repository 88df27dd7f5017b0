// What a job on one of several clusters (JobData.cluster) says must name that cluster wherever the
// same words could mean another: a command it offers as a button (`rollback TestVM …` exists on
// every cluster that has a TestVM) gets `--cluster`, an alert's key and title get the cluster (two
// clusters' `storage:local` are two incidents), and its kind's remembered state is the cluster's.
import type { AlertInput } from './alerts/alert.js';
import type { Offer } from './offer.js';

/** `rollback TestVM before-upgrade --cluster lab`. */
export function offersOn(
  offers: readonly Offer[] | undefined,
  cluster: string | undefined,
): Offer[] | undefined {
  if (cluster === undefined || offers === undefined) return offers as Offer[] | undefined;
  return offers.map((o) =>
    /(^|\s)--cluster(\s|=)/.test(o.command) ? o : { ...o, command: `${o.command} --cluster ${cluster}` },
  );
}

/** The alert as one cluster's: its key and title name the cluster, its offers take `--cluster`. */
export function alertOn(input: AlertInput, cluster: string | undefined): AlertInput {
  if (cluster === undefined) return input;
  return {
    ...input,
    key: `${cluster}/${input.key}`.slice(0, 200),
    title: `[${cluster}] ${input.title}`,
    ...(input.offers ? { offers: offersOn(input.offers, cluster) } : {}),
  };
}

/** The name a kind's remembered state is kept under: per cluster when the job is one cluster's. */
export function stateNameOn(name: string, cluster: string | undefined): string {
  return cluster === undefined ? name : `${name}@${cluster}`;
}
