import { editDistance } from './grammar/edit-distance.js';

/** The names closest to `query` (a prefix match counts as close), best first. */
export function closestNames(query: string, names: string[], limit: number): string[] {
  const lower = query.toLowerCase();
  const scored = [...new Set(names)]
    .map((name) => {
      const prefix = name.toLowerCase().startsWith(lower) || lower.startsWith(name.toLowerCase());
      return { name, score: prefix ? 0.5 : editDistance(query.toLowerCase(), name.toLowerCase()) };
    })
    .filter((entry) => entry.score <= Math.max(2, Math.floor(query.length / 3)))
    .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name));
  return scored.slice(0, limit).map((entry) => entry.name);
}
