import { unknownMethodMessage } from '../pve-http-error.js';
// Parameter validation as PVE does it (pve-common JSONSchema.pm check_object/check_prop/check_type,
// after RESTHandler's legacy normalisation), with PVE's own error wording, so a client mistake
// gets the same 400 here as from a real node. Pure: no I/O, usable without a server.

import type { ParamValue } from '../types.js';
import type { ApiSchema, MethodSchema, SchemaProperty } from './api-schema.js';
import { matchApiPath, methodSchema } from './api-schema.js';
import { checkFormat } from './param-formats.js';

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
        addError(errors, requires, `missing property - '${name}' requires this property`);
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
  const result = validateParams(info, merged, source);
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

/** A given value as Perl sees it after decoding: undefined when absent or empty in a form. */
type Value = string | number | boolean | unknown[] | Record<string, unknown> | undefined;

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

/** The schema writes numbered options once as `net[n]`; `net0`, `net5`… all use it. */
function indexedProperty(
  properties: Record<string, SchemaProperty>,
  name: string,
): SchemaProperty | undefined {
  const m = /^(.*?)(\d+)$/.exec(name);
  return m ? properties[`${m[1]}[n]`] : undefined;
}

function addError(errors: Record<string, string>, path: string, message: string): void {
  // JSONSchema.pm add_error joins with a single-quoted '\n': a literal backslash and n.
  errors[path] = errors[path] === undefined ? message : `${errors[path]}\\n${message}`;
}

const IS_NUMBER = /^[+-]?(\d+\.\d+|\d+\.|\.\d+|\d+)([eE][+-]?\d+)?$/;
const IS_INTEGER = /^[+-]?\d+$/;

function isOptional(prop: SchemaProperty): boolean {
  return prop.optional === 1 || prop.optional === true;
}

/** check_prop for one top-level value; adds at most one error for it, as PVE does. */
function checkProperty(
  value: Value,
  prop: SchemaProperty,
  path: string,
  errors: Record<string, string>,
): void {
  if (value === undefined) {
    if (!isOptional(prop) && prop.type !== 'null') addError(errors, path, NOT_OPTIONAL);
    return;
  }
  if (!checkType(value, prop.type, path, errors)) return;
  if (Array.isArray(value)) {
    const items = prop.items;
    if (items) {
      for (const [i, item] of value.entries()) checkProperty(item as Value, items, `${path}[${i}]`, errors);
    }
    return;
  }
  if (typeof value === 'object') return;
  const error = scalarError(prop, String(value));
  if (error) addError(errors, path, error);
}

/** The first failing scalar check, in JSONSchema.pm's order: format, pattern, length, range, enum. */
function scalarError(prop: SchemaProperty, text: string): string | null {
  if (prop.format !== undefined) {
    const error = checkFormat(prop.format, text);
    // PVE's format validators die with "…\n" and check_prop keeps that newline in the message.
    if (error) return `invalid format - ${error}\n`;
  }
  // JSONSchema.pm matches `m/^$pattern$/` without grouping, so an alternation is anchored at one
  // end only; copying that keeps us exactly as strict as PVE. `(?^:` is Perl's inline-flags group.
  if (prop.pattern !== undefined && !new RegExp(`^${prop.pattern.replaceAll('(?^:', '(?:')}$`).test(text)) {
    return 'value does not match the regex pattern';
  }
  const length = [...text].length;
  if (prop.maxLength !== undefined && length > Number(prop.maxLength)) {
    return `value may only be ${prop.maxLength} characters long`;
  }
  if (prop.minLength !== undefined && length < Number(prop.minLength)) {
    return `value must be at least ${prop.minLength} characters long`;
  }
  if (IS_NUMBER.test(text)) {
    if (prop.maximum !== undefined && Number(text) > Number(prop.maximum)) {
      return `value must have a maximum value of ${prop.maximum}`;
    }
    if (prop.minimum !== undefined && Number(text) < Number(prop.minimum)) {
      return `value must have a minimum value of ${prop.minimum}`;
    }
  }
  if (prop.enum && !prop.enum.includes(text)) {
    return `value '${text}' does not have a value in the enumeration '${prop.enum.join(', ')}'`;
  }
  return null;
}

/** check_type: what each declared type accepts from a form string or a JSON value. */
function checkType(
  value: Value,
  type: string | undefined,
  path: string,
  errors: Record<string, string>,
): boolean {
  if (!type || type === 'any') return true;
  const fail = (detail: string) => {
    addError(errors, path, `type check ('${type}') failed${detail}`);
    return false;
  };
  if (type === 'array') return Array.isArray(value) ? true : fail('');
  if (type === 'object') return isObject(value) ? true : fail('');
  // Perl sees arrays, objects and JSON booleans as references: only a boolean may be one of those.
  if (Array.isArray(value)) return fail(' - got ARRAY');
  if (isObject(value)) return fail(' - got HASH');
  if (typeof value === 'boolean') return type === 'boolean' ? true : fail(' - got JSON::PP::Boolean');
  const text = String(value);
  switch (type) {
    case 'boolean':
      return text === '1' || text === '0' ? true : fail(` - got '${text}'`);
    case 'integer':
      return IS_INTEGER.test(text) ? true : fail(` - got '${text}'`);
    case 'number':
      return IS_NUMBER.test(text) ? true : fail(` - got '${text}'`);
    default:
      return true;
  }
}

function isObject(value: Value): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
