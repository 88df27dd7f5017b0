// Discord's REST answers: JSON errors `{code, message}` with Discord's own codes, and the nested
// `errors` tree of a 50035 "Invalid Form Body" that names the bad field by its JSON path.

export interface RestReply {
  status: number;
  /** JSON body; none for 204. */
  body?: unknown;
  headers?: Record<string, string>;
}

export const ok = (body: unknown, status = 200): RestReply => ({ status, body });
export const noContent = (): RestReply => ({ status: 204 });

export function apiError(status: number, code: number, message: string): RestReply {
  return { status, body: { message, code } };
}

export const unauthorized = (): RestReply => apiError(401, 0, '401: Unauthorized');
export const unknownChannel = (): RestReply => apiError(404, 10003, 'Unknown Channel');
export const unknownMessage = (): RestReply => apiError(404, 10008, 'Unknown Message');
export const unknownWebhook = (): RestReply => apiError(404, 10015, 'Unknown Webhook');
export const unknownInteraction = (): RestReply => apiError(404, 10062, 'Unknown interaction');
export const missingAccess = (): RestReply => apiError(403, 50001, 'Missing Access');
export const missingPermissions = (): RestReply => apiError(403, 50013, 'Missing Permissions');
export const alreadyAcknowledged = (): RestReply =>
  apiError(400, 40060, 'Interaction has already been acknowledged.');
export const emptyMessage = (): RestReply => apiError(400, 50006, 'Cannot send an empty message');

type Path = ReadonlyArray<string | number>;

interface ErrorNode {
  [key: string]: ErrorNode | Array<{ code: string; message: string }> | undefined;
  _errors?: Array<{ code: string; message: string }>;
}

/** Collects field errors into Discord's tree: {embeds: {0: {title: {_errors: [{code, message}]}}}}. */
export class FormErrors {
  private readonly root: ErrorNode = {};
  private count = 0;

  add(path: Path, code: string, message: string): void {
    let node = this.root;
    for (const key of path) {
      const k = String(key);
      const child = node[k];
      if (child === undefined || Array.isArray(child)) {
        const created: ErrorNode = {};
        node[k] = created;
        node = created;
      } else {
        node = child;
      }
    }
    node._errors ??= [];
    node._errors.push({ code, message });
    this.count += 1;
  }

  get empty(): boolean {
    return this.count === 0;
  }

  reply(): RestReply {
    return { status: 400, body: { message: 'Invalid Form Body', code: 50035, errors: this.root } };
  }

  // The checks Discord's validators make, with Discord's error codes and wording.

  maxLength(path: Path, value: unknown, max: number): void {
    if (typeof value === 'string' && [...value].length > max) {
      this.add(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
    } else if (Array.isArray(value) && value.length > max) {
      this.add(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
    }
  }

  lengthBetween(path: Path, value: unknown, min: number, max: number): void {
    if (value === undefined || value === null) {
      if (min > 0) this.add(path, 'BASE_TYPE_REQUIRED', 'This field is required');
      return;
    }
    if (typeof value !== 'string') {
      this.add(path, 'BASE_TYPE_STRING', 'Must be a string.');
      return;
    }
    const length = [...value].length;
    if (length < min || length > max) {
      this.add(path, 'BASE_TYPE_BAD_LENGTH', `Must be between ${min} and ${max} in length.`);
    }
  }

  required(path: Path, value: unknown): boolean {
    if (value === undefined || value === null || value === '') {
      this.add(path, 'BASE_TYPE_REQUIRED', 'This field is required');
      return false;
    }
    return true;
  }
}
