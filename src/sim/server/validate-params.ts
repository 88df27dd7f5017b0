import { unknownMethodMessage } from '../pve-http-error.js';
// Parameter validation as PVE does it (pve-common JSONSchema.pm check_object/check_prop/check_type,
// after RESTHandler's legacy normalisation), with PVE's own error wording, so a client mistake
// gets the same 400 here as from a real node. Pure: no I/O, usable without a server.

import type { ParamValue } from '../types.js';
import type { ApiSchema, MethodSchema, SchemaProperty } from './api-schema.js';
import { matchApiPath, methodSchema } from './api-schema.js';
import { addError, checkProp, type Value } from './check-prop.js';

/** Where the values came from: form/query strings, or a JSON body (JSON booleans allowed). */
export type ParamSource = 'form' | 'json';

export type ValidationResult =
  | { ok: true; params: Record<string, ParamValue> }
  | { ok: false; errors: Record<string, string> };

const NOT_OPTIONAL = 'property is missing and it is not optional';
const PARAMETER_FAILURE = 'Parameter verification failed.';
const NOT_IN_SCHEMA = 'property is not defined in schema and the schema does not allow additional properties';

/**
 * Validates `raw` against a method's parameter schema. Form values are strings (`string[]` for a
 * repeated key); JSON values are whatever the body held. Returns the values typed by the schema
 * (integer/number → number, boolean → boolean, array → string[]) or PVE's per-parameter errors.
 */
export function validateParams(
  method: MethodSchema,
  raw: Readonly<Record<string, unknown>>,
  source: ParamSource = 'form',
  version: string = '9.1',
): ValidationResult {
  const properties = method.parameters.properties;
  const values = normalize(properties, raw, source);
  const errors: Record<string, string> = {};

  // Like check_object: first every declared property (required ones may be missing)…
  for (const [name, prop] of Object.entries(properties)) {
    if (isIndexedName(name)) continue; // `net[n]` stands for net0, net1…: all optional, checked below
    checkProperty(values.get(name), prop, name, errors);
  }
  // …then every given key: indexed names, `requires`, and keys the schema does not know.
  for (const [name, value] of values) {
    if (Object.hasOwn(properties, name)) {
      const requires = properties[name]?.requires;
      if (typeof requires === 'string' && value !== undefined && values.get(requires) === undefined) {
        // pve-common JSONSchema.pm check_object; reworded for 9.0 (commit 0f0e791).
        const message = version.startsWith('8.')
          ? `missing property - '${name}' requires this property`
          : `missing property required by '${name}'`;
        addError(errors, requires, message);
      }
      continue;
    }
    const indexed = indexedProperty(properties, name);
    if (indexed) {
      checkProperty(value, indexed, name, errors);
      continue;
    }
    if (!method.parameters.additionalProperties) addError(errors, name, NOT_IN_SCHEMA);
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const params: Record<string, ParamValue> = {};
  for (const [name, value] of values) {
    if (value === undefined) continue;
    const prop = properties[name] ?? indexedProperty(properties, name);
    params[name] = typed(value, prop?.type);
  }
  return { ok: true, params };
}

export type SchemaCheck =
  | { ok: true; template: string; params: Record<string, ParamValue> }
  | {
      ok: false;
      template: string | null;
      status: 400 | 501;
      message: string;
      errors?: Record<string, string>;
    };

/**
 * The whole PVE parameter path for one request, without a server: find the template (else 501
 * PVE's own 501 message, see unknownMethodMessage), refuse a path variable repeated with another value,
 * merge the path variables in, and validate. The conformance tests run every client request
 * through this against both the 8.4 and the 9.1 schema.
 */
export function checkRequestAgainstSchema(
  schema: ApiSchema,
  method: string,
  path: string,
  rawParams: Readonly<Record<string, unknown>>,
  source: ParamSource = 'form',
): SchemaCheck {
  const match = matchApiPath(schema, path);
  const info = match ? methodSchema(schema, match.template, method) : null;
  if (!match || !info) {
    return { ok: false, template: null, status: 501, message: unknownMethodMessage(method, path) };
  }
  const merged: Record<string, unknown> = { ...rawParams };
  for (const [name, value] of Object.entries(match.variables)) {
    const given = rawParams[name];
    if (given !== undefined && given !== null && String(given) !== value) {
      const errors = { [name]: 'duplicate parameter (already defined in URI) with conflicting values!' };
      return { ok: false, template: match.template, status: 400, message: PARAMETER_FAILURE, errors };
    }
    merged[name] = value;
  }
  const result = validateParams(info, merged, source, schema.version);
  if (!result.ok) {
    return {
      ok: false,
      template: match.template,
      status: 400,
      message: PARAMETER_FAILURE,
      errors: result.errors,
    };
  }
  return { ok: true, template: match.template, params: result.params };
}

function normalize(
  properties: Record<string, SchemaProperty>,
  raw: Readonly<Record<string, unknown>>,
  source: ParamSource,
): Map<string, Value> {
  const values = new Map<string, Value>();
  for (const [name, given] of Object.entries(raw)) {
    let value = given as Value;
    // pve-http-server's decode_urlencoded leaves `key=` undefined (Perl's split drops the empty
    // field), so an empty form value counts as not given; JSON null likewise.
    if (given === null || (source === 'form' && given === '')) value = undefined;
    const prop = properties[name] ?? indexedProperty(properties, name);
    // RESTHandler $normalize_legacy_param_formats: an array for a `*-list` string is joined with
    // commas, and a lone value for an array parameter becomes a one-element array.
    if (prop && value !== undefined) {
      const format = typeof prop.format === 'string' ? prop.format : '';
      if (Array.isArray(value) && prop.type === 'string' && format.endsWith('-list')) value = value.join(',');
      else if (!Array.isArray(value) && prop.type === 'array') value = [value];
    }
    values.set(name, value);
  }
  return values;
}

function isIndexedName(name: string): boolean {
  return name.endsWith('[n]');
}

/**
 * How many numbered keys PVE registers for each `[n]` schema property (`net[n]` → net0..net31):
 * the official schema writes them once, the servers register each index. From qemu-server
 * src/PVE/QemuServer.pm ($MAX_NETS, $MAX_SERIAL_PORTS, $MAX_PARALLEL_PORTS; ipconfig[n] loops
 * over $MAX_NETS), QemuServer/Drive.pm ($MAX_IDE_DISKS, $MAX_SCSI_DISKS, $MAX_VIRTIO_DISKS,
 * $MAX_SATA_DISKS, $MAX_UNUSED_DISKS), Memory.pm ($MAX_NUMA), PCI.pm, USB.pm, Virtiofs.pm;
 * pve-container src/PVE/LXC/Config.pm ($MAX_MOUNT_POINTS, $MAX_DEVICES, $MAX_LXC_NETWORKS,
 * unused = $MAX_MOUNT_POINTS); pve-cluster src/PVE/Corosync.pm (MAX_LINK_INDEX 7).
 */
const INDEX_LIMITS: Readonly<Record<string, number>> = {
  net: 32,
  ipconfig: 32,
  serial: 4,
  parallel: 3,
  ide: 4,
  scsi: 31,
  virtio: 16,
  sata: 6,
  unused: 256,
  numa: 8,
  hostpci: 16,
  usb: 14,
  virtiofs: 10,
  mp: 256,
  dev: 256,
  link: 8,
};

/** The schema writes numbered options once as `net[n]`; `net0`…`net31` use it, `net32` is unknown. */
function indexedProperty(
  properties: Record<string, SchemaProperty>,
  name: string,
): SchemaProperty | undefined {
  const m = /^(.*?)(0|[1-9]\d*)$/.exec(name);
  if (!m) return undefined;
  const base = m[1] as string;
  const limit = INDEX_LIMITS[base];
  if (limit !== undefined && Number(m[2]) >= limit) return undefined;
  return properties[`${base}[n]`];
}

function isOptional(prop: SchemaProperty): boolean {
  return prop.optional === 1 || prop.optional === true;
}

/** check_prop for one top-level value (see check-prop.ts). */
function checkProperty(
  value: Value,
  prop: SchemaProperty,
  path: string,
  errors: Record<string, string>,
): void {
  if (value === undefined && !isOptional(prop) && prop.type !== 'null') {
    addError(errors, path, NOT_OPTIONAL);
    return;
  }
  checkProp(value, prop, path, errors);
}

function typed(value: Exclude<Value, undefined>, type: string | undefined): ParamValue {
  switch (type) {
    case 'boolean':
      return value === true || String(value) === '1';
    case 'integer':
    case 'number':
      return Number(value);
    case 'array':
      return (value as unknown[]).map((item) => String(item));
    default:
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}
