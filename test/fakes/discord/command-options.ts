// The `data` of a slash command or autocomplete interaction, as Discord's client would send it.
// When the bot has registered the command, the fake behaves like the client: it uses the
// registered id, types each option as declared (an integer option carries a number), and refuses
// what a person could not type (an unknown subcommand or option, a missing required option), so
// a test cannot pass against a command the bot never declared. Unregistered commands get a stable
// id and option types chosen from the JS values (string 3, integer 4, boolean 5, number 10).
import type { DiscordStore, StoredCommand } from './discord-store.js';
import type { OptionValue } from './types.js';

const STRING = 3;
const INTEGER = 4;
const BOOLEAN = 5;
const NUMBER = 10;

type Json = Record<string, unknown>;

export interface CommandDataInput {
  name: string;
  /** 'start', or 'group sub' for a subcommand inside a group. */
  subcommand: string;
  options: Record<string, OptionValue>;
  /** Autocomplete: the option being typed. */
  focused?: string;
}

export interface CommandData {
  id: string;
  name: string;
  type: 1;
  guild_id?: string;
  options: Json[];
}

export function commandData(
  store: DiscordStore,
  guildId: string,
  unregisteredIds: Map<string, string>,
  input: CommandDataInput,
): CommandData {
  const autocomplete = input.focused !== undefined;
  const values = { ...input.options };
  if (autocomplete && !(input.focused! in values)) values[input.focused!] = '';
  const registered = findCommand(store, guildId, input.name);
  const [first, second] = input.subcommand.split(' ');
  const declared = registered === undefined ? undefined : declaredOptions(registered.command.body, input);
  const leaf = buildOptions(values, declared, input, autocomplete);
  const sub: Json = { type: 1, name: second ?? first, options: leaf };
  const options = second === undefined ? [sub] : [{ type: 2, name: first, options: [sub] }];
  if (registered !== undefined) {
    return {
      id: registered.command.id,
      name: input.name,
      type: 1,
      ...(registered.guildId !== undefined ? { guild_id: registered.guildId } : {}),
      options,
    };
  }
  let id = unregisteredIds.get(input.name);
  if (id === undefined) {
    id = store.ids.next();
    unregisteredIds.set(input.name, id);
  }
  return { id, name: input.name, type: 1, options };
}

function findCommand(
  store: DiscordStore,
  guildId: string,
  name: string,
): { command: StoredCommand; guildId?: string } | undefined {
  const isChatInput = (c: StoredCommand) => c.body.name === name && (c.body.type ?? 1) === 1;
  const inGuild = store.commands.get(guildId)?.find(isChatInput);
  if (inGuild !== undefined) return { command: inGuild, guildId };
  const global = store.commands.get('global')?.find(isChatInput);
  return global === undefined ? undefined : { command: global };
}

/** The registered options of the invoked subcommand; throws if the bot never declared it. */
function declaredOptions(body: Json, input: CommandDataInput): Json[] {
  const path = input.subcommand.split(' ');
  let options = asOptions(body.options);
  for (const [depth, name] of path.entries()) {
    const wanted = depth === path.length - 1 ? 1 : 2;
    const found = options.find((o) => o.name === name && o.type === wanted);
    if (found === undefined) {
      const known = options.map((o) => o.name).join(', ');
      throw new Error(
        `FakeDiscord: /${input.name} has no registered subcommand '${input.subcommand}' (registered: ${known || 'none'})`,
      );
    }
    options = asOptions(found.options);
  }
  return options;
}

function buildOptions(
  values: Record<string, OptionValue>,
  declared: Json[] | undefined,
  input: CommandDataInput,
  autocomplete: boolean,
): Json[] {
  if (declared !== undefined && !autocomplete) {
    const missing = declared.filter((o) => o.required === true && !(String(o.name) in values));
    if (missing.length > 0) {
      throw new Error(
        `FakeDiscord: /${input.name} ${input.subcommand} needs ${missing.map((o) => o.name).join(', ')} (required)`,
      );
    }
  }
  return Object.entries(values).map(([name, value]) => {
    const declaration = declared?.find((o) => o.name === name);
    if (declared !== undefined && declaration === undefined) {
      throw new Error(`FakeDiscord: /${input.name} ${input.subcommand} has no registered option '${name}'`);
    }
    const type = typeof declaration?.type === 'number' ? declaration.type : typeOf(value);
    const focused = name === input.focused;
    return {
      name,
      type,
      value: autocomplete ? autocompleteValue(type, value, focused) : coerce(type, value, name),
      ...(focused ? { focused: true } : {}),
    };
  });
}

function typeOf(value: OptionValue): number {
  if (typeof value === 'boolean') return BOOLEAN;
  if (typeof value === 'number') return Number.isInteger(value) ? INTEGER : NUMBER;
  return STRING;
}

/** What Discord's client sends for a completed option of this type. */
function coerce(type: number, value: OptionValue, name: string): OptionValue {
  if (type === STRING) return String(value);
  if (type === BOOLEAN) {
    if (typeof value !== 'boolean')
      throw new Error(`FakeDiscord: option '${name}' is a boolean, got ${value}`);
    return value;
  }
  if (type === INTEGER || type === NUMBER) {
    const n = Number(value);
    if (typeof value === 'boolean' || !Number.isFinite(n) || (type === INTEGER && !Number.isInteger(n))) {
      throw new Error(
        `FakeDiscord: option '${name}' is ${type === INTEGER ? 'an integer' : 'a number'}, got ${value}`,
      );
    }
    return n;
  }
  return value;
}

/** In autocomplete, Discord sends integer and number options as the raw text typed so far. */
function autocompleteValue(type: number, value: OptionValue, focused: boolean): OptionValue {
  if (type === INTEGER || type === NUMBER || focused) return String(value);
  return value;
}

const asOptions = (value: unknown): Json[] =>
  Array.isArray(value) ? value.filter((o): o is Json => typeof o === 'object' && o !== null) : [];
