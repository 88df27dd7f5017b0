// Typed access to the already-validated parameters of a SimRequest.
import type { SimRequest } from '../types.js';

export function str(request: SimRequest, name: string): string {
  const value = request.params[name];
  return Array.isArray(value) ? value.join(',') : String(value ?? '');
}

export function optStr(request: SimRequest, name: string): string | undefined {
  return request.params[name] === undefined ? undefined : str(request, name);
}

export function int(request: SimRequest, name: string): number {
  return Number(request.params[name]);
}

export function optInt(request: SimRequest, name: string): number | undefined {
  return request.params[name] === undefined ? undefined : int(request, name);
}

/** Booleans arrive as booleans after validation; `1`/`0` are accepted for direct callers. */
export function bool(request: SimRequest, name: string): boolean {
  const value = request.params[name];
  return value === true || value === 1 || value === '1';
}

export function optBool(request: SimRequest, name: string): boolean | undefined {
  return request.params[name] === undefined ? undefined : bool(request, name);
}
