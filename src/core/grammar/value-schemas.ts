// The kinds of values commands take, as zod schemas over the typed word. Each refusal says what
// was typed and what would be right: "'node 3' is not a node name (letters, digits and '-')".
import { z } from 'zod';
import { quoteInput } from './quote-input.js';

export const MIN_VMID = 100;
export const MAX_VMID = 999_999_999;

const DIGITS = /^\d+$/;
const VM_NAME = /^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/;
/** PVE's `pve-node` format; also one label of its `dns-name` format. */
const NODE_NAME = /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/;
const POOL_ID = /^[A-Za-z0-9_.-]+$/;
const JOB_ID = /^[A-Za-z0-9_.-]{1,100}$/;

const VMID_RULE = `a vmid (a whole number from ${MIN_VMID} to ${MAX_VMID})`;
const VM_RULE = `a VM name or vmid (letters, digits, '.' and '-', up to 63 characters; or a vmid)`;

/**
 * What a value names, for the chat platforms that offer typed options and autocomplete (Discord):
 * guests and nodes are completed from the cluster, integers become number options, commands a
 * list of choices. Anything unregistered is free text.
 */
export type ValueKind =
  | { kind: 'guest' }
  | { kind: 'node' }
  | { kind: 'guest-or-node' }
  | { kind: 'integer'; min: number; max: number }
  | { kind: 'command' }
  | { kind: 'choice'; values: readonly string[] };

export const valueKinds = z.registry<ValueKind>();

/** The kind a schema was registered with; `.default()` and `.optional()` wrappers are looked through. */
export function valueKindOf(schema: z.ZodType): ValueKind | undefined {
  let current: z.ZodType | undefined = schema;
  for (let depth = 0; current && depth < 5; depth++) {
    const kind = valueKinds.get(current);
    if (kind) return kind;
    const def = current._zod.def as { type: string; innerType?: z.ZodType };
    current = def.type === 'default' || def.type === 'optional' ? def.innerType : undefined;
  }
  return undefined;
}

function refusal(text: string, what: string): string {
  return `${quoteInput(text)} is not ${what}`;
}

/** A string value that `test` accepts, kept as typed; `what` names the rule it broke. */
function word(test: (text: string) => boolean, what: string | ((text: string) => string)) {
  return z.string().check((ctx) => {
    if (test(ctx.value)) return;
    const rule = typeof what === 'string' ? what : what(ctx.value);
    ctx.issues.push({ code: 'custom', message: refusal(ctx.value, rule), input: ctx.value });
  });
}

export function isVmid(text: string): boolean {
  return DIGITS.test(text) && Number(text) >= MIN_VMID && Number(text) <= MAX_VMID;
}

function isVmRef(text: string): boolean {
  return DIGITS.test(text) ? isVmid(text) : VM_NAME.test(text);
}

export function isNodeName(text: string): boolean {
  return NODE_NAME.test(text);
}

/** PVE's `dns-name`: labels joined by dots, each at most 63 characters, 255 in all. */
export function isDnsName(text: string): boolean {
  return text.length <= 255 && text.split('.').every((label) => label.length <= 63 && NODE_NAME.test(label));
}

/** A guest by name or vmid, as typed (the core resolves it). */
export const vmRef = () =>
  word(isVmRef, (text) => (DIGITS.test(text) ? VMID_RULE : VM_RULE)).register(valueKinds, { kind: 'guest' });

export const nodeName = () =>
  word(isNodeName, "a node name (letters, digits and '-')").register(valueKinds, { kind: 'node' });

/** A node or a guest; the core decides which it names. */
export const nodeOrVm = () =>
  word(
    (text) => isNodeName(text) || isVmRef(text),
    "a node name, VM name or vmid (letters, digits, '.' and '-')",
  ).register(valueKinds, { kind: 'guest-or-node' });

/** Node names separated by spaces (`node01 node02`), each checked; a list without repeats. */
export const nodeNames = () =>
  z
    .string()
    .transform((text, ctx) => {
      const names = text.split(/\s+/).filter(Boolean);
      const bad = names.find((name) => !isNodeName(name));
      if (bad !== undefined) {
        ctx.issues.push({
          code: 'custom',
          message: refusal(bad, "a node name (letters, digits and '-')"),
          input: text,
        });
        return z.NEVER;
      }
      return [...new Set(names)];
    })
    .register(valueKinds, { kind: 'node' });

/** Guests by name or vmid, separated by spaces or commas (`TestVM db01 103`); a list without repeats. */
export const vmRefs = () =>
  z
    .string()
    .transform((text, ctx) => {
      const refs = text.split(/[\s,]+/).filter(Boolean);
      const bad = refs.find((ref) => !isVmRef(ref));
      if (bad !== undefined) {
        ctx.issues.push({
          code: 'custom',
          message: refusal(bad, DIGITS.test(bad) ? VMID_RULE : VM_RULE),
          input: text,
        });
        return z.NEVER;
      }
      return [...new Set(refs)];
    })
    .register(valueKinds, { kind: 'guest' });

/** Nodes and guests by name or vmid, separated by spaces or commas; the core decides which each names. */
export const nodesOrVms = () =>
  z
    .string()
    .transform((text, ctx) => {
      const refs = text.split(/[\s,]+/).filter(Boolean);
      const bad = refs.find((ref) => !isNodeName(ref) && !isVmRef(ref));
      if (bad !== undefined) {
        ctx.issues.push({
          code: 'custom',
          message: refusal(bad, "a node name, VM name or vmid (letters, digits, '.' and '-')"),
          input: text,
        });
        return z.NEVER;
      }
      return [...new Set(refs)];
    })
    .register(valueKinds, { kind: 'guest-or-node' });

/** One of a few words, case-insensitively; the refusal lists them. */
export function choice<const V extends string>(values: readonly [V, ...V[]], what: string) {
  return word((text) => values.includes(text.toLowerCase() as V), `${what} (${values.join(', ')})`)
    .transform((text) => text.toLowerCase() as V)
    .register(valueKinds, { kind: 'choice', values });
}

export const dnsName = () =>
  word(isDnsName, "a valid name (letters, digits and '-', dot-separated parts of up to 63 characters)");

export const poolId = () =>
  word((text) => POOL_ID.test(text), "a pool name (letters, digits, '_', '.' and '-')");

export const jobId = () =>
  word((text) => JOB_ID.test(text), "a job id (up to 100 letters, digits, '_', '.' and '-')");

/** A command name (for `help <command>`), lower-cased. */
export const commandName = () =>
  word((text) => /^[A-Za-z?-]{1,40}$/.test(text), 'a command name')
    .transform((text) => text.toLowerCase())
    .register(valueKinds, { kind: 'command' });

/** A whole number in [min, max], typed in decimal digits. */
export function integer(min: number, max: number, what: string) {
  const rule = `${what} (a whole number from ${min} to ${max})`;
  return word((text) => DIGITS.test(text) && Number(text) >= min && Number(text) <= max, rule)
    .transform(Number)
    .register(valueKinds, { kind: 'integer', min, max });
}

export const vmid = () =>
  word(isVmid, VMID_RULE)
    .transform(Number)
    .register(valueKinds, { kind: 'integer', min: MIN_VMID, max: MAX_VMID });
