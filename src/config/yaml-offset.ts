// Where a path of a parsed YAML document is (`clusters.1.tokenId`, `commands.migrate.allow`), so a
// problem found by the schema is reported at its line and column (the policy file, the clusters
// file): the key of a map entry, an item of a list, or, for something missing, the deepest part
// of the path that is there.
import { isMap, isScalar, isSeq } from 'yaml';

export function yamlOffsetOf(root: unknown, path: readonly (string | number)[]): number | undefined {
  let node = root;
  let offset = (root as { range?: number[] } | null)?.range?.[0];
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (!pair) break;
      offset = (pair.key as { range?: number[] }).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
      offset = (node as { range?: number[] } | undefined)?.range?.[0] ?? offset;
    } else break;
  }
  return offset;
}
