// What PVE's webhook target does with its templates (proxmox-notify endpoints/webhook.rs
// build_request, setup_handlebars): the URL, each header value and the body are rendered with
// handlebars, no escaping at all (`no_escape`), over the data {title, message, severity,
// timestamp, fields, secrets}, with three helpers: `json` (serde_json::to_string of any value),
// `escape` (a string JSON-escaped, without the quotes) and `url-encode` (percent-encoding of
// controls, space and `:/?#[]@!$&'()*+,;=%`). Only that subset of handlebars is implemented:
// `{{ path.to.value }}`, `{{{ … }}}` and `{{ helper path }}`; a missing value renders as nothing.

export class WebhookTemplateError extends Error {
  override readonly name = 'WebhookTemplateError';
}

type Data = Record<string, unknown>;

function lookup(data: Data, path: string): unknown {
  let value: unknown = data;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** serde_json::to_string: compact; a map's keys sorted (serde_json's default BTreeMap). */
function toJson(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const URL_ENCODED = new Set([..." :/?#[]@!$&'()*+,;=%"]);

/** percent_encoding::utf8_percent_encode with CONTROLS plus the characters above. */
function percentEncode(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f || code > 0x7f || URL_ENCODED.has(char)) {
      for (const byte of Buffer.from(char, 'utf8'))
        out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    } else out += char;
  }
  return out;
}

function stringParam(helper: string, value: unknown): string {
  if (typeof value !== 'string')
    throw new WebhookTemplateError(`Error rendering template: helper '${helper}' needs a string`);
  return value;
}

/** A plain `{{ value }}`: strings as they are, numbers and booleans as text, nothing for missing. */
function display(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return toJson(value);
}

function evaluate(expression: string, data: Data): string {
  const parts = expression.trim().split(/\s+/);
  const [head = '', arg] = parts;
  if (parts.length === 1) return display(lookup(data, head));
  if (parts.length !== 2 || arg === undefined)
    throw new WebhookTemplateError(`Error rendering template: unsupported expression '{{${expression}}}'`);
  const value = lookup(data, arg);
  switch (head) {
    case 'json':
      return toJson(value);
    case 'escape':
      return JSON.stringify(stringParam('escape', value)).slice(1, -1);
    case 'url-encode':
      return percentEncode(stringParam('url-encode', value));
    default:
      throw new WebhookTemplateError(`Error rendering template: Helper not defined: "${head}"`);
  }
}

/** Renders `template` over `data` as the webhook target does. */
export function renderWebhookTemplate(template: string, data: Data): string {
  // `{{{ x }}}` first (a triple-stash; also unescaped), then `{{ x }}`. `}}}` after a `{{` that is
  // not a triple-stash is `}}` and a literal `}`, as handlebars-rust's grammar reads it.
  return template.replace(/\{\{\{([^}]*)\}\}\}|\{\{([^}]*)\}\}/g, (_, triple?: string, double?: string) =>
    evaluate(triple ?? double ?? '', data),
  );
}
