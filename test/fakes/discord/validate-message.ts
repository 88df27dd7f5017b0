// Discord's limits on a message body (create, edit, interaction response, follow-up), answered
// as Discord does: 400 {code: 50035, errors: {<json path>: {_errors: [...]}}}. A bot that builds
// an over-long card or a sixth button row fails here the way it would fail in production.
import { emptyMessage, FormErrors, type RestReply } from './api-errors.js';

const COMPONENTS_V2 = 1 << 15;
const LINK_BUTTON = 5;
const PREMIUM_BUTTON = 6;
const SELECT_TYPES = new Set([3, 5, 6, 7, 8]);

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const textLength = (value: unknown): number => (typeof value === 'string' ? [...value].length : 0);

/** Checks the fields present in `body`; undefined when they are all valid. */
export function validateMessageBody(body: Json): RestReply | undefined {
  const errors = new FormErrors();
  if (body.content !== undefined && body.content !== null && typeof body.content !== 'string') {
    errors.add(['content'], 'BASE_TYPE_STRING', 'Must be a string.');
  }
  errors.maxLength(['content'], body.content, 2000);
  checkEmbeds(errors, body.embeds);
  const flags = typeof body.flags === 'number' ? body.flags : 0;
  if ((flags & COMPONENTS_V2) === 0) checkActionRows(errors, body.components);
  return errors.empty ? undefined : errors.reply();
}

/** A message needs content, an embed, a component, an attachment, a sticker or a poll. */
export function emptyMessageError(message: {
  content: string;
  embeds: unknown[];
  components: unknown[];
  attachments?: unknown[];
}): RestReply | undefined {
  // Discord trims content: whitespace alone is empty too.
  const empty =
    message.content.trim() === '' &&
    message.embeds.length === 0 &&
    message.components.length === 0 &&
    (message.attachments ?? []).length === 0;
  return empty ? emptyMessage() : undefined;
}

function checkEmbeds(errors: FormErrors, embeds: unknown): void {
  if (embeds === undefined || embeds === null) return;
  if (!Array.isArray(embeds)) {
    errors.add(['embeds'], 'BASE_TYPE_ARRAY', 'Must be an array.');
    return;
  }
  errors.maxLength(['embeds'], embeds, 10);
  let total = 0;
  embeds.forEach((embed, i) => {
    if (!isObject(embed)) {
      errors.add(['embeds', i], 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
      return;
    }
    const at = (...path: Array<string | number>) => ['embeds', i, ...path];
    errors.maxLength(at('title'), embed.title, 256);
    errors.maxLength(at('description'), embed.description, 4096);
    total += textLength(embed.title) + textLength(embed.description);
    if (isObject(embed.footer)) {
      if (errors.required(at('footer', 'text'), embed.footer.text)) {
        errors.maxLength(at('footer', 'text'), embed.footer.text, 2048);
      }
      total += textLength(embed.footer.text);
    }
    if (isObject(embed.author)) {
      if (errors.required(at('author', 'name'), embed.author.name)) {
        errors.maxLength(at('author', 'name'), embed.author.name, 256);
      }
      total += textLength(embed.author.name);
    }
    if (embed.fields !== undefined) {
      const fields = Array.isArray(embed.fields) ? embed.fields : [];
      errors.maxLength(at('fields'), fields, 25);
      fields.forEach((field: unknown, j) => {
        const f = isObject(field) ? field : {};
        if (errors.required(at('fields', j, 'name'), f.name))
          errors.maxLength(at('fields', j, 'name'), f.name, 256);
        if (errors.required(at('fields', j, 'value'), f.value)) {
          errors.maxLength(at('fields', j, 'value'), f.value, 1024);
        }
        total += textLength(f.name) + textLength(f.value);
      });
    }
  });
  if (total > 6000)
    errors.add(['embeds'], 'MAX_EMBED_SIZE_EXCEEDED', 'Embed size exceeds maximum size of 6000');
}

function checkActionRows(errors: FormErrors, rows: unknown): void {
  if (rows === undefined || rows === null) return;
  if (!Array.isArray(rows)) {
    errors.add(['components'], 'BASE_TYPE_ARRAY', 'Must be an array.');
    return;
  }
  errors.maxLength(['components'], rows, 5);
  const seenIds = new Set<string>();
  rows.forEach((row, i) => {
    if (!isObject(row) || row.type !== 1) {
      errors.add(
        ['components', i, 'type'],
        'UNION_TYPE_CHOICES',
        'Value of field "type" must be one of (1,).',
      );
      return;
    }
    const children = Array.isArray(row.components) ? row.components : [];
    if (children.length === 0) {
      errors.add(['components', i, 'components'], 'BASE_TYPE_MIN_LENGTH', 'Must be 1 or more in length.');
    }
    errors.maxLength(['components', i, 'components'], children, 5);
    const hasSelect = children.some((c) => isObject(c) && SELECT_TYPES.has(c.type as number));
    if (hasSelect && children.length > 1) {
      errors.add(
        ['components', i, 'components'],
        'COMPONENT_LAYOUT_WIDTH_EXCEEDED',
        'The specified component exceeds the maximum width',
      );
    }
    children.forEach((child, j) => {
      checkComponent(errors, ['components', i, 'components', j], child, seenIds);
    });
  });
}

function checkComponent(
  errors: FormErrors,
  path: Array<string | number>,
  component: unknown,
  seenIds: Set<string>,
): void {
  if (!isObject(component)) {
    errors.add(path, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    return;
  }
  const customId = component.custom_id;
  if (component.type === 2) {
    errors.maxLength([...path, 'label'], component.label, 80);
    if (component.style === LINK_BUTTON) {
      if (typeof component.url !== 'string') errors.required([...path, 'url'], component.url);
      if (customId !== undefined) {
        errors.add(path, 'BUTTON_COMPONENT_CUSTOM_ID_INVALID', 'A link button cannot have a custom id');
      }
      return;
    }
    if (component.style === PREMIUM_BUTTON) return;
    if (component.url !== undefined) {
      errors.add(path, 'BUTTON_COMPONENT_URL_INVALID', 'Only link buttons can have a url');
    }
    if (label(component) === undefined && component.emoji === undefined) {
      errors.add([...path, 'label'], 'BASE_TYPE_REQUIRED', 'This field is required');
    }
  } else if (SELECT_TYPES.has(component.type as number)) {
    if (component.type === 3) {
      const options = Array.isArray(component.options) ? component.options : [];
      if (options.length === 0) errors.required([...path, 'options'], undefined);
      errors.maxLength([...path, 'options'], options, 25);
    }
  } else {
    errors.add(
      [...path, 'type'],
      'UNION_TYPE_CHOICES',
      'Value of field "type" must be one of (2, 3, 5, 6, 7, 8).',
    );
    return;
  }
  if (typeof customId !== 'string' || customId === '') {
    errors.add([...path, 'custom_id'], 'BASE_TYPE_REQUIRED', 'This field is required');
    return;
  }
  errors.maxLength([...path, 'custom_id'], customId, 100);
  if (seenIds.has(customId)) {
    errors.add(
      [...path, 'custom_id'],
      'COMPONENT_CUSTOM_ID_DUPLICATED',
      'Component custom id cannot be duplicated',
    );
  }
  seenIds.add(customId);
}

const label = (component: Json): string | undefined =>
  typeof component.label === 'string' && component.label !== '' ? component.label : undefined;
