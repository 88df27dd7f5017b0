/** A parameter value as the client accepts it; encoded the way pvesh and the GUI send it. */
export type PveParamValue = string | number | boolean | readonly (string | number)[] | undefined | null;
export type PveParams = Record<string, PveParamValue>;

/**
 * Encodes parameters as `application/x-www-form-urlencoded` (also used for query strings).
 * PVE's JSONSchema check only accepts `1`/`0` for booleans in form encoding (`true` is a 400),
 * a repeated key becomes an array, and undefined/null are simply left out.
 */
export function encodeParams(params: PveParams | undefined): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params ?? {})) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      for (const item of value) search.append(key, String(item));
    } else if (typeof value === 'boolean') {
      search.append(key, value ? '1' : '0');
    } else {
      search.append(key, String(value));
    }
  }
  return search.toString();
}
