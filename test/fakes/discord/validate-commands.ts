// Discord's rules for application command registrations (PUT .../commands, a bulk overwrite),
// answered as Discord does: 400 code 50035 with the path of the bad field, e.g.
// errors['0'].options['1'].name. Slash command definitions that Discord would refuse fail here.
import { FormErrors, type RestReply } from './api-errors.js';

const NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;
const SUBCOMMAND = 1;
const GROUP = 2;
const CHOICE_TYPES = new Set([3, 4, 10]);
/**
 * Names, descriptions and choice names and values of a command, its options and subcommands
 * together (4000 until Discord raised it in February 2024: discord-api-docs pull request 6668).
 */
const MAX_COMMAND_CHARS = 8000;

type Json = Record<string, unknown>;
type Path = Array<string | number>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const chars = (value: unknown): number => (typeof value === 'string' ? [...value].length : 0);

/** Validates a bulk registration body; undefined when Discord would accept it. */
export function validateCommands(body: unknown): RestReply | undefined {
  const errors = new FormErrors();
  if (!Array.isArray(body)) {
    errors.add([], 'BASE_TYPE_ARRAY', 'Must be an array.');
    return errors.reply();
  }
  const seen = new Set<string>();
  body.forEach((command, i) => {
    if (!isObject(command)) {
      errors.add([i], 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
      return;
    }
    checkCommand(errors, [i], command);
    const key = `${command.type ?? 1}:${String(command.name)}`;
    if (seen.has(key))
      errors.add([], 'APPLICATION_COMMANDS_DUPLICATE_NAME', 'Application command names must be unique');
    seen.add(key);
  });
  return errors.empty ? undefined : errors.reply();
}

/** Validates one command (POST .../commands). */
export function validateCommand(command: unknown): RestReply | undefined {
  const errors = new FormErrors();
  if (isObject(command)) checkCommand(errors, [], command);
  else errors.add([], 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
  return errors.empty ? undefined : errors.reply();
}

function checkCommand(errors: FormErrors, path: Path, command: Json): void {
  const type = command.type ?? 1;
  if (type === 1) {
    checkName(errors, [...path, 'name'], command.name);
    errors.lengthBetween([...path, 'description'], command.description, 1, 100);
    checkOptions(errors, [...path, 'options'], command.options, 0);
    if (commandChars(command) > MAX_COMMAND_CHARS) {
      errors.add(
        path,
        'APPLICATION_COMMAND_TOO_LARGE',
        `Command exceeds maximum size (${MAX_COMMAND_CHARS})`,
      );
    }
  } else if (type === 2 || type === 3) {
    errors.lengthBetween([...path, 'name'], command.name, 1, 32);
    if (command.description !== undefined && command.description !== '') {
      errors.add([...path, 'description'], 'APPLICATION_COMMAND_DESCRIPTION_INVALID', 'Must be empty.');
    }
    if (command.options !== undefined) {
      errors.add(
        [...path, 'options'],
        'APPLICATION_COMMAND_OPTIONS_INVALID',
        'Context menu commands cannot have options',
      );
    }
  } else {
    errors.add([...path, 'type'], 'BASE_TYPE_CHOICES', 'Value must be one of {1, 2, 3}.');
  }
}

function checkName(errors: FormErrors, path: Path, name: unknown): void {
  if (typeof name !== 'string' || !NAME.test(name) || name !== name.toLowerCase()) {
    errors.add(path, 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
  }
}

/** `depth` 0: a command's options; 1: a group's or subcommand's; 2: a subcommand inside a group. */
function checkOptions(
  errors: FormErrors,
  path: Path,
  options: unknown,
  depth: number,
  parent?: number,
): void {
  if (options === undefined || options === null) return;
  if (!Array.isArray(options)) {
    errors.add(path, 'BASE_TYPE_ARRAY', 'Must be an array.');
    return;
  }
  errors.maxLength(path, options, 25);
  const names = new Set<string>();
  let optionalSeen = false;
  const types = options.map((o) => (isObject(o) ? o.type : undefined));
  const nested = types.some((t) => t === SUBCOMMAND || t === GROUP);
  if (nested && types.some((t) => t !== SUBCOMMAND && t !== GROUP)) {
    errors.add(
      path,
      'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
      'Sub-command and sub-command group option types are mutually exclusive to all other types',
    );
  }
  options.forEach((option, i) => {
    const at: Path = [...path, i];
    if (!isObject(option)) {
      errors.add(at, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
      return;
    }
    const type = option.type as number;
    checkName(errors, [...at, 'name'], option.name);
    errors.lengthBetween([...at, 'description'], option.description, 1, 100);
    if (typeof option.name === 'string') {
      if (names.has(option.name)) {
        errors.add(
          [...at, 'name'],
          'APPLICATION_COMMAND_OPTIONS_DUPLICATE_NAME',
          'Option names must be unique',
        );
      }
      names.add(option.name);
    }
    if (!Number.isInteger(type) || type < 1 || type > 11) {
      errors.add(
        [...at, 'type'],
        'BASE_TYPE_CHOICES',
        'Value must be one of {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}.',
      );
      return;
    }
    const allowedHere =
      type === GROUP ? depth === 0 : type === SUBCOMMAND ? depth === 0 || parent === GROUP : parent !== GROUP;
    if (!allowedHere) {
      errors.add(
        [...at, 'type'],
        'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
        type === SUBCOMMAND || type === GROUP
          ? 'Sub-commands and groups can only be nested in a group or at the top level'
          : 'A sub-command group can only contain sub-commands',
      );
    }
    if (type === SUBCOMMAND || type === GROUP) {
      checkOptions(errors, [...at, 'options'], option.options, depth + 1, type);
      return;
    }
    if (option.options !== undefined) {
      errors.add(
        [...at, 'options'],
        'APPLICATION_COMMAND_OPTIONS_INVALID',
        'Only sub-commands and groups have options',
      );
    }
    if (option.required === true && optionalSeen) {
      errors.add(
        path,
        'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID',
        'Required options must be placed before non-required options',
      );
    }
    if (option.required !== true) optionalSeen = true;
    checkChoices(errors, at, option, type);
  });
}

function checkChoices(errors: FormErrors, at: Path, option: Json, type: number): void {
  if (option.autocomplete === true) {
    if (!CHOICE_TYPES.has(type)) {
      errors.add(
        [...at, 'autocomplete'],
        'APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_INVALID',
        'Autocomplete is only allowed on string, integer and number options',
      );
    }
    if (Array.isArray(option.choices) && option.choices.length > 0) {
      errors.add(
        [...at, 'autocomplete'],
        'APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_CHOICES',
        'Autocomplete cannot be enabled on an option with choices',
      );
    }
  }
  if (option.choices === undefined) return;
  if (!CHOICE_TYPES.has(type)) {
    errors.add(
      [...at, 'choices'],
      'APPLICATION_COMMAND_OPTION_CHOICES_INVALID',
      'Only string, integer and number options have choices',
    );
    return;
  }
  const choices = Array.isArray(option.choices) ? option.choices : [];
  errors.maxLength([...at, 'choices'], choices, 25);
  choices.forEach((choice: unknown, j) => {
    const c = isObject(choice) ? choice : {};
    errors.lengthBetween([...at, 'choices', j, 'name'], c.name, 1, 100);
    if (type === 3) errors.lengthBetween([...at, 'choices', j, 'value'], c.value, 1, 100);
    else if (typeof c.value !== 'number')
      errors.add([...at, 'choices', j, 'value'], 'NUMBER_TYPE_COERCE', 'Value is not a number.');
  });
}

/** Discord counts name, description and every option's and choice's name, description and value. */
function commandChars(node: Json): number {
  let total = chars(node.name) + chars(node.description);
  for (const option of Array.isArray(node.options) ? node.options : []) {
    if (isObject(option)) total += commandChars(option);
  }
  for (const choice of Array.isArray(node.choices) ? node.choices : []) {
    if (isObject(choice)) total += chars(choice.name) + chars(String(choice.value ?? ''));
  }
  return total;
}
