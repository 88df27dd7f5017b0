import diagnosticsChannel from 'node:diagnostics_channel';

/** One HTTP exchange with one PVE host (a failover produces one event per host tried). */
export interface PveRequestEvent {
  method: string;
  /** The API path below /api2/json, without the query string. */
  path: string;
  /** The origin tried, e.g. `https://127.20.1.101:8006`. */
  host: string;
  /** The HTTP status, or undefined when no response arrived. */
  status?: number;
  /** The PveError code when the exchange failed (transport or HTTP error). */
  errorCode?: string;
  durationMs: number;
}

export type PveRequestListener = (event: PveRequestEvent) => void;

/**
 * Published for every exchange so benchmarks can count PVE calls and metrics can time them
 * without the client knowing about either (the undici `undici:request:*` channels pattern).
 */
export const pveRequestChannel = diagnosticsChannel.channel('pve-chatops:pve:request');

export function publishPveRequest(event: PveRequestEvent, listener?: PveRequestListener): void {
  if (pveRequestChannel.hasSubscribers) pveRequestChannel.publish(event);
  try {
    listener?.(event);
  } catch {
    // A metrics hook must never turn a successful PVE call into a failure.
  }
}
