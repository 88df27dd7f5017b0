// One value against one schema property, as pve-common src/PVE/JSONSchema.pm check_prop,
// check_type and check_object do it, including property strings: a `format` that is an object
// is parsed like JSONSchema.pm parse_property_string (default_key, alias/keyAlias, booleans
// through parse_boolean) and its keys are checked again with check_prop. Error texts are PVE's.

import type { SchemaProperty } from './api-schema.js';
import { checkFormat } from './param-formats.js';

/** A given value as Perl sees it after decoding. */
export type Value = string | number | boolean | unknown[] | Record<string, unknown> | undefined;

/** The format of a property string: its keys and their schemas (pve-common register_format hashes). */
export type PropertyStringFormat = Record<string, SchemaProperty & PropertyStringKey>;

interface PropertyStringKey {
  alias?: string;
  keyAlias?: string;
  default_key?: number | boolean;
  group?: string;
}

/** A parse failure: `message` is `$@` as check_prop sees it (always newline-terminated). */
export class FormatError extends Error {
  override readonly name = 'FormatError';
}

/** JSONSchema.pm add_error joins with a single-quoted '\n': a literal backslash and n. */
export function addError(errors: Record<string, string>, path: string, message: string): void {
  const key = path || '_root';
  errors[key] = errors[key] === undefined ? message : `${errors[key]}\\n${message}`;
}

const IS_NUMBER = /^[+-]?(\d+\.\d+|\d+\.|\.\d+|\d+)([eE][+-]?\d+)?$/;
const IS_INTEGER = /^[+-]?\d+$/;

function isObject(value: Value): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** check_prop: adds at most one error for a scalar, as PVE does. */
export function checkProp(
  value: Value,
  prop: SchemaProperty & PropertyStringKey,
  path: string,
  errors: Record<string, string>,
): void {
  if (value === undefined) {
    // An alias key is never itself set (parse_property_string maps it to its target).
    if (prop.type === 'null' || prop.alias !== undefined || prop.group !== undefined) return;
    if (!(prop.optional === 1 || prop.optional === true)) {
      addError(errors, path, 'property is missing and it is not optional');
    }
    return;
  }
  if (prop.alias !== undefined) return;
  if (!checkType(value, prop.type, path, errors)) return;
  if (Array.isArray(value)) {
    const items = prop.items;
    if (items) {
      for (const [i, item] of value.entries()) checkProp(item as Value, items, `${path}[${i}]`, errors);
    }
    return;
  }
  if (typeof value === 'object') return;
  const error = scalarError(prop, String(value), path);
  if (error) addError(errors, path, error);
}

/** The first failing scalar check, in check_prop's order: format, pattern, length, range, enum. */
function scalarError(prop: SchemaProperty, text: string, path: string): string | null {
  if (prop.format !== undefined) {
    const error = formatError(prop.format, text, path);
    if (error) return `invalid format - ${error}`;
  }
  // check_prop matches `m/^$pattern$/` without grouping, so an alternation is anchored at one
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

/**
 * check_format's `$@`, newline-terminated like a Perl die, or null. An object format is a
 * property string; a named one goes to the validators in param-formats.ts.
 */
function formatError(format: string | Record<string, unknown>, text: string, path: string): string | null {
  if (typeof format === 'string') {
    const error = checkFormat(format, text);
    return error === null ? null : `${error}\n`;
  }
  try {
    parsePropertyString(format as PropertyStringFormat, text, path);
    return null;
  } catch (error) {
    if (error instanceof FormatError) return error.message;
    throw error;
  }
}

/** check_type: what each declared type accepts from a form string or a JSON value. */
export function checkType(
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

/** JSONSchema.pm parse_boolean: `1|on|yes|true` → 1, `0|off|no|false` → 0, else undef. */
export function parseBoolean(text: string): '1' | '0' | undefined {
  if (/^(1|on|yes|true)$/i.test(text)) return '1';
  if (/^(0|off|no|false)$/i.test(text)) return '0';
  return undefined;
}

/**
 * JSONSchema.pm parse_property_string for an inline (hash) format: splits on commas, maps a
 * bare value to the `default_key`, an alias to its target (recording a `keyAlias`), booleans
 * through parse_boolean, then check_object with additional properties refused. Returns the
 * parsed keys or throws a FormatError whose message is the `$@` PVE reports after
 * `invalid format - `: a plain die text, or `format error\n` plus one `<path>: <error>` line per
 * failing key (PVE::Exception stringify).
 */
export function parsePropertyString(
  format: PropertyStringFormat,
  data: string,
  path = '',
): Record<string, string> {
  const res: Record<string, string> = {};
  let defaultKey: string | undefined;
  for (const part of data.split(',')) {
    if (/^\s*$/.test(part)) continue;
    const pair = /^([^=]+)=(.+)$/.exec(part);
    if (pair) {
      let key = pair[1] as string;
      let value = pair[2] as string;
      if (res[key] !== undefined) die(`duplicate key in comma-separated list property: ${key}`);
      let schema = Object.hasOwn(format, key) ? format[key] : undefined;
      const alias = schema?.alias;
      if (alias) {
        const keyAlias = schema?.keyAlias;
        if (keyAlias) {
          if (res[keyAlias] !== undefined) die(`key alias '${keyAlias}' is already defined`);
          res[keyAlias] = key;
        }
        key = alias;
        schema = Object.hasOwn(format, key) ? format[key] : undefined;
        if (res[key] !== undefined) die(`key '${key}' is already defined (via alias)`);
      }
      if (!schema) die(`invalid key in comma-separated list property: ${key}`);
      if (schema.type === 'boolean') value = parseBoolean(value) ?? value;
      res[key] = value;
    } else if (!part.includes('=')) {
      if (defaultKey) die(`duplicate key in comma-separated list property: ${defaultKey}`);
      for (const [key, schema] of Object.entries(format)) {
        if (!schema.default_key) continue;
        defaultKey = key;
        // Perl's `!$res->{$default_key}`: a key set to "0" or "" counts as unset here.
        const current = res[key];
        if (current !== undefined && current !== '' && current !== '0') {
          die(`duplicate key in comma-separated list property: ${key}`);
        }
        res[key] = schema.type === 'boolean' ? (parseBoolean(part) ?? part) : part;
        break;
      }
      if (!defaultKey) die('value without key, but schema does not define a default key');
    } else {
      die('missing key in comma-separated list property');
    }
  }

  // check_object with additionalProperties 0.
  const errors: Record<string, string> = {};
  const sub = (key: string) => (path ? `${path}.${key}` : key);
  for (const [key, schema] of Object.entries(format)) checkProp(res[key], schema, sub(key), errors);
  for (const key of Object.keys(res)) {
    const schema = Object.hasOwn(format, key) ? format[key] : undefined;
    if (!schema) {
      addError(
        errors,
        sub(key),
        'property is not defined in schema and the schema does not allow additional properties',
      );
      continue;
    }
    const requires = schema.requires;
    if (typeof requires === 'string' && res[requires] === undefined) {
      addError(errors, sub(requires), `missing property required by '${sub(key)}'`);
    }
  }
  if (Object.keys(errors).length > 0) {
    // raise "format error\n", errors => …; PVE::Exception stringify appends "<key>: <msg>\n" each.
    const lines = Object.entries(errors).map(([key, message]) => `${key}: ${message}\n`);
    throw new FormatError(`format error\n${lines.join('')}`);
  }
  return res;
}

function die(message: string): never {
  throw new FormatError(`${message}\n`);
}
