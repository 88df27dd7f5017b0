import type { PveTlsMode } from './pve-connector.js';
import { PveError, PveErrorCode } from './pve-error.js';

/** Exactly one way of trusting PVE's certificates; anything else is a configuration error. */
export function chooseTlsMode(options: {
  fingerprints?: string[];
  caPem?: string;
  insecureSkipTlsVerify?: boolean;
}): PveTlsMode {
  const fingerprints = options.fingerprints?.filter((f) => f.trim() !== '') ?? [];
  const modes = [fingerprints.length > 0, Boolean(options.caPem), options.insecureSkipTlsVerify === true];
  if (modes.filter(Boolean).length > 1) {
    throw configError('choose one of fingerprints, caPem or insecureSkipTlsVerify');
  }
  if (fingerprints.length > 0) {
    const bad = fingerprints.find((f) => !/^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/.test(f.trim()));
    if (bad !== undefined)
      throw configError(`invalid SHA-256 fingerprint "${bad}" (expected AA:BB:… with 32 bytes)`);
    return { kind: 'fingerprint', fingerprints };
  }
  if (options.caPem) return { kind: 'ca', caPem: options.caPem };
  if (options.insecureSkipTlsVerify === true) return { kind: 'insecure' };
  throw configError(
    'TLS verification needs fingerprints (PVE_FINGERPRINTS) or the cluster CA (PVE_CA_FILE); insecureSkipTlsVerify must be explicit',
  );
}

/** `host`, `host:port` or `https://host:port` → `https://host:port`, port 8006 by default. */
export function toOrigin(host: string): string {
  const url = new URL(/^[a-z]+:\/\//i.test(host) ? host : `https://${host}`);
  if (url.protocol !== 'https:') throw configError(`PVE host "${host}" must use https`);
  return `https://${url.hostname}:${url.port || '8006'}`;
}

export function configError(message: string): PveError {
  return new PveError({ code: PveErrorCode.Config, message });
}
