// Where the simulator may answer differently from a real PVE answer in the corpus, and why. Each
// entry names the endpoint (as `METHOD /template`), the shape path (see shape.ts; a trailing `*`
// matches every path below) and the reason. Keep it short: a difference without a good reason
// is a simulator bug to fix, not an entry to add.

export interface AllowedDifference {
  endpoint: string;
  path: string;
  why: string;
}

export const ALLOWED_DIFFERENCES: AllowedDifference[] = [];

export function isAllowed(endpoint: string, path: string): AllowedDifference | undefined {
  return ALLOWED_DIFFERENCES.find(
    (a) =>
      a.endpoint === endpoint &&
      (a.path === path || (a.path.endsWith('*') && path.startsWith(a.path.slice(0, -1)))),
  );
}
