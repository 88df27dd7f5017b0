import type { PveParams } from './encode-params.js';
import { type GuestRef, guestPath } from './guest-ref.js';
import type { PveTransport } from './pve-transport.js';
import { type GuestStatus, guestStatusSchema, upidSchema } from './schemas/guest-schemas.js';

export type PowerAction = 'start' | 'stop' | 'shutdown' | 'reboot';

/**
 * Starts a power task and returns its UPID (`qmstart`/`vzstart`…, or `hastart`/`hastop` for an
 * HA-managed guest, whose real action the HA stack performs later). Some checks happen before
 * the task exists (`CT 101 already running` is an HTTP 500), others inside it (QEMU's
 * `VM 100 already running` is a failed task): callers must handle both.
 */
export function powerGuest(
  transport: PveTransport,
  guest: GuestRef,
  action: PowerAction,
  params?: PveParams,
  signal?: AbortSignal,
): Promise<string> {
  return transport.request('POST', `${guestPath(guest)}/status/${action}`, {
    params,
    schema: upidSchema,
    signal,
  });
}

export function getGuestStatus(
  transport: PveTransport,
  guest: GuestRef,
  signal?: AbortSignal,
): Promise<GuestStatus> {
  return transport.request('GET', `${guestPath(guest)}/status/current`, {
    schema: guestStatusSchema,
    signal,
  });
}
