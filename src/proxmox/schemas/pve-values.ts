import { z } from 'zod';

// PVE's backend is Perl: booleans are usually 0/1 numbers, sometimes JSON booleans or strings,
// and a number is a string whenever Perl last used it as one (`/cluster/nextid` returns "105").
// These parse what PVE really sends and normalise it (real answers in
// test/conformance/pve/fixtures, e.g. cluster/nextid.9.json).

/** 0/1, "0"/"1", true/false → boolean. */
export const pveBool = z
  .union([z.boolean(), z.literal(0), z.literal(1), z.enum(['0', '1', 'true', 'false'])])
  .transform((value) => value === true || value === 1 || value === '1' || value === 'true');

/** A number or a numeric string → number. */
export const pveNumber = z
  .union([
    z.number(),
    z
      .string()
      .trim()
      .regex(/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i),
  ])
  .transform(Number);

/** An integer or an integer string → number. */
export const pveInt = z
  .union([
    z.number().int(),
    z
      .string()
      .trim()
      .regex(/^-?\d+$/),
  ])
  .transform(Number);

/** A string that PVE sometimes sends as a number (task `id`, tags) → string. */
export const pveString = z.union([z.string(), z.number()]).transform(String);
