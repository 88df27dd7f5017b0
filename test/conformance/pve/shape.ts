// What "the same keys and types" means between a real PVE answer and the simulator's: both are
// flattened into paths with the JSON types seen there, then compared path by path.
//
// - Arrays are compared element kind by element kind: elements that are objects with a string
//   `type` (the /cluster/resources and HA status lists) are kinds of their own (`data[qemu]`),
//   every other element is `data[*]`.
// - Object keys that are data, not names (node names, HA sids, vmids, UPIDs), are replaced by a
//   placeholder, so `not_allowed_nodes.node02` and `.node03` are one path, `<node>`.
// - An array that is empty on one side says nothing about its elements: only kinds present on
//   both sides are compared, and kinds present on one side only are reported when both sides
//   have elements.

export type JsonType = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object';

export type Shape = Map<string, Set<JsonType>>;

const DATA_KEYS: Array<[RegExp, string]> = [
  [/^node\d\d$/, '<node>'],
  [/^(vm|ct):\d+$/, '<sid>'],
  [/^\d+(-\d+)?$/, '<id>'],
  [/^UPID:/, '<upid>'],
  [/^(hostpci|usb|net|scsi|sata|ide|virtio|mp|unused)\d+$/, '<device>'],
];

function keyOf(key: string): string {
  for (const [pattern, placeholder] of DATA_KEYS) if (pattern.test(key)) return placeholder;
  return key;
}

function typeOf(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const type = typeof value;
  if (type === 'boolean' || type === 'number' || type === 'string') return type;
  return 'object';
}

function kindOf(element: unknown): string {
  if (element && typeof element === 'object' && !Array.isArray(element)) {
    const type = (element as Record<string, unknown>).type;
    if (typeof type === 'string') return type;
  }
  return '*';
}

export function shapeOf(value: unknown, path = '', shape: Shape = new Map()): Shape {
  const type = typeOf(value);
  const types = shape.get(path) ?? new Set<JsonType>();
  types.add(type);
  shape.set(path, types);
  if (type === 'array') {
    for (const element of value as unknown[]) shapeOf(element, `${path}[${kindOf(element)}]`, shape);
  } else if (type === 'object') {
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      shapeOf(child, path === '' ? keyOf(key) : `${path}.${keyOf(key)}`, shape);
    }
  }
  return shape;
}

export interface ShapeDifference {
  path: string;
  /** `missing`: real PVE has it, the simulator not; `extra`: the reverse; `type`: both, unlike. */
  kind: 'missing' | 'extra' | 'type';
  real: JsonType[];
  simulator: JsonType[];
}

/** The element-kind prefixes (`data[qemu]`) along a path, outermost first. */
function elementPrefixes(path: string): string[] {
  const prefixes: string[] = [];
  for (let i = path.indexOf(']'); i !== -1; i = path.indexOf(']', i + 1)) prefixes.push(path.slice(0, i + 1));
  return prefixes;
}

function arrayOf(prefix: string): string {
  return prefix.slice(0, prefix.lastIndexOf('['));
}

function hasElements(shape: Shape, arrayPath: string): boolean {
  for (const path of shape.keys()) {
    if (path.startsWith(`${arrayPath}[`) && !path.slice(arrayPath.length + 1).includes('[')) return true;
  }
  return false;
}

export function compareShapes(real: Shape, simulator: Shape): ShapeDifference[] {
  const differences: ShapeDifference[] = [];
  const paths = new Set([...real.keys(), ...simulator.keys()]);
  for (const path of [...paths].sort()) {
    const a = real.get(path);
    const b = simulator.get(path);
    // Inside an element kind one side lacks, only the kind itself is worth a word.
    const prefixes = elementPrefixes(path);
    const enclosing = prefixes.find((prefix) => !real.has(prefix) || !simulator.has(prefix));
    if (enclosing !== undefined) {
      if (enclosing !== path) continue;
      if (!hasElements(real, arrayOf(path)) || !hasElements(simulator, arrayOf(path))) continue;
    }
    if (a && b) {
      const same = a.size === b.size && [...a].every((t) => b.has(t));
      if (!same) differences.push({ path, kind: 'type', real: [...a], simulator: [...b] });
    } else if (a) {
      differences.push({ path, kind: 'missing', real: [...a], simulator: [] });
    } else if (b) {
      differences.push({ path, kind: 'extra', real: [], simulator: [...b] });
    }
  }
  return differences;
}

export function describeDifference(d: ShapeDifference): string {
  if (d.kind === 'missing') return `${d.path}: real PVE sends ${d.real.join('|')}, the simulator nothing`;
  if (d.kind === 'extra') return `${d.path}: the simulator sends ${d.simulator.join('|')}, real PVE nothing`;
  return `${d.path}: real PVE sends ${d.real.join('|')}, the simulator ${d.simulator.join('|')}`;
}
