// Typed access to the already-validated parameters of a SimRequest.
import { loadApiSchema, methodSchema } from '../server/api-schema.js';
import { type PropertyStringFormat, parsePropertyString } from '../server/check-prop.js';
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

/**
 * A validated property-string parameter (`memory`, `net0`, `scsi0`…) parsed with its schema
 * format, like qemu-server's parse_* helpers do through JSONSchema.pm parse_property_string;
 * undefined when not given or the schema has no object format for it.
 */
export function optPropertyString(request: SimRequest, name: string): Record<string, string> | undefined {
  const text = optStr(request, name);
  if (text === undefined) return undefined;
  const properties =
    methodSchema(loadApiSchema(), request.template, request.method)?.parameters.properties ?? {};
  const indexed = /^(.*?)\d+$/.exec(name);
  const prop = properties[name] ?? (indexed ? properties[`${indexed[1]}[n]`] : undefined);
  if (!prop || typeof prop.format !== 'object') return undefined;
  return parsePropertyString(prop.format as PropertyStringFormat, text, name);
}

/** `memory` as MiB: the `current` key (qemu-server QemuServer/Memory.pm get_current_memory). */
export function optMemoryMiB(request: SimRequest): number | undefined {
  const memory = optPropertyString(request, 'memory');
  return memory?.current === undefined ? undefined : Number(memory.current);
}
