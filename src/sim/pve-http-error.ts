/**
 * An error a simulated endpoint raises, answered the way pve-http-server does: the status line
 * carries the first line of the message, the body `{"data":null,"message":"…\n","errors"?}`.
 */
export class PveHttpError extends Error {
  override readonly name = 'PveHttpError';
  readonly status: number;
  readonly errors?: Record<string, string>;

  // Fields declared explicitly: parameter properties are not erasable syntax.
  constructor(status: number, message: string, errors?: Record<string, string>) {
    super(message);
    this.status = status;
    if (errors !== undefined) this.errors = errors;
  }

  /** 400 `Parameter verification failed.` with one message per parameter (`raise_param_exc`). */
  static parameters(errors: Record<string, string>): PveHttpError {
    return new PveHttpError(400, 'Parameter verification failed.', errors);
  }

  /** A plain `die "text\n"` in a handler: HTTP 500 with that text. */
  static die(message: string): PveHttpError {
    return new PveHttpError(500, message);
  }
}

/** PVE's own words for an unknown path or method (HTTP 501, `HTTPServer.pm`), built in one place. */
export function unknownMethodMessage(method: string, path: string): string {
  return `Method '${method} ${path}' not implemented`;
}
