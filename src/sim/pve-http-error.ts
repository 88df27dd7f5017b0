/**
 * An error a simulated endpoint raises, answered the way pve-http-server does: the status line
 * carries the first line of the message, the body `{"data":null,"message":"…\n","errors"?}`.
 * The message goes out as PVE has it: `die "text\n"` ends in a newline (added here when
 * missing), while `PVE::Exception::raise("text")` and the 501 of an unknown method do not
 * (`exact`).
 */
export class PveHttpError extends Error {
  override readonly name = 'PveHttpError';
  readonly status: number;
  readonly errors?: Record<string, string>;
  /** Send the message as it is, without the trailing newline `die "…\n"` has. */
  exact = false;

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

  /** `PVE::Exception::raise($msg, code => $status)` with a message that has no newline. */
  static raise(status: number, message: string): PveHttpError {
    const error = new PveHttpError(status, message);
    error.exact = true;
    return error;
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
