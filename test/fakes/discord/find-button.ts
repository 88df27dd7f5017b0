// Finds buttons in a message's components: in action rows, and (components v2) in containers,
// sections and their accessories. A person can only click a button the message really shows.

type Json = Record<string, unknown>;

const children = (c: Json): unknown[] => [
  ...(Array.isArray(c.components) ? c.components : []),
  ...(c.accessory !== undefined ? [c.accessory] : []),
];

export function findButton(components: unknown[], customId: string): Json | undefined {
  for (const component of components) {
    if (typeof component !== 'object' || component === null) continue;
    const c = component as Json;
    if (c.type === 2 && c.custom_id === customId) return c;
    const found = findButton(children(c), customId);
    if (found !== undefined) return found;
  }
  return undefined;
}

export function buttonIds(components: unknown[]): string[] {
  return components.flatMap((component) => {
    if (typeof component !== 'object' || component === null) return [];
    const c = component as Json;
    const own = c.type === 2 && typeof c.custom_id === 'string' ? [c.custom_id] : [];
    return [...own, ...buttonIds(children(c))];
  });
}
