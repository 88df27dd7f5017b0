// A card button's action and value in Discord's one `custom_id` string (at most 100 characters).
// The prefix tells our buttons from any other component a message might carry.
const PREFIX = 'pve';
const MAX_LENGTH = 100;

export function buttonCustomId(action: string, value: string): string {
  const id = `${PREFIX}:${action}:${value}`;
  if (id.length > MAX_LENGTH)
    throw new Error(`a button id is longer than Discord allows: ${id.slice(0, 40)}…`);
  return id;
}

export function parseButtonCustomId(customId: string): { action: string; value: string } | undefined {
  const match = /^pve:([a-z-]+):(.*)$/.exec(customId);
  return match ? { action: match[1]!, value: match[2]! } : undefined;
}
