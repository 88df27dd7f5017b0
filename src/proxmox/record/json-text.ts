// JSON that keeps numbers as PVE wrote them. `JSON.parse` turns `1.5e-05` into 0.000015 and
// `2.0` into 2 when written back; a fixture must keep the number text, so numbers are read into
// `JsonNumber` (their source text) and written back verbatim. Strings, keys and structure are
// ordinary JSON values, so the anonymiser can walk them.

export class JsonNumber {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | { [key: string]: JsonValue };

/** Parses JSON text; throws SyntaxError on anything that is not one JSON value. */
export function parseJsonText(text: string): JsonValue {
  let i = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`JSON: ${what} at offset ${i}`);
  };
  const space = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const value = (): JsonValue => {
    space();
    const c = text[i];
    if (c === '{') {
      i++;
      // No prototype: a key named __proto__ stays an ordinary key.
      const object = Object.create(null) as Record<string, JsonValue>;
      space();
      if (text[i] === '}') {
        i++;
        return object;
      }
      for (;;) {
        space();
        if (text[i] !== '"') fail('expected a key');
        const key = string();
        space();
        if (text[i++] !== ':') fail("expected ':'");
        object[key] = value();
        space();
        const next = text[i++];
        if (next === '}') return object;
        if (next !== ',') fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      const array: JsonValue[] = [];
      space();
      if (text[i] === ']') {
        i++;
        return array;
      }
      for (;;) {
        array.push(value());
        space();
        const next = text[i++];
        if (next === ']') return array;
        if (next !== ',') fail("expected ',' or ']'");
      }
    }
    if (c === '"') return string();
    for (const [word, result] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return result;
      }
    }
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 64));
    if (!match) return fail('unexpected character');
    i += match[0].length;
    return new JsonNumber(match[0]);
  };
  const string = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail('unterminated string');
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const result = value();
  space();
  if (i !== text.length) fail('trailing characters');
  return result;
}

/** Writes JSON like `JSON.stringify(value, null, indent)`, numbers from their source text. */
export function stringifyJsonText(value: unknown, indent = 2, depth = 0): string {
  if (value instanceof JsonNumber) return value.text;
  if (value === null || value === undefined) return 'null';
  if (typeof value !== 'object') return JSON.stringify(value);
  const pad = ' '.repeat(indent * (depth + 1));
  const end = ' '.repeat(indent * depth);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((item) => pad + stringifyJsonText(item, indent, depth + 1));
    return `[\n${items.join(',\n')}\n${end}]`;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  const items = entries.map(
    ([key, v]) => `${pad}${JSON.stringify(key)}: ${stringifyJsonText(v, indent, depth + 1)}`,
  );
  return `{\n${items.join(',\n')}\n${end}}`;
}
