// The one logging interface every module receives: pino's calling convention (object first,
// message second). Processes log JSON lines through pino with two layers against leaking secrets:
// fields that hold secrets by name are censored (`redact`), and every configured secret VALUE is
// replaced wherever it appears in a line (an error message quoting a header, a URL with a
// password), so no code path has to remember to strip them.
import { pino } from 'pino';

export interface Logger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Field names that hold secrets, at the top level and one level down (pino paths). */
const SECRET_FIELDS = [
  'authorization',
  'password',
  'secret',
  'token',
  'tokenSecret',
  'botToken',
  'appToken',
  'signingSecret',
  'clientSecret',
  'privateKey',
  'cookie',
];
const REDACT_PATHS = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((f) => `*.${f}`),
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
];
export const REDACTED = '[redacted]';

export interface LoggerOptions {
  level?: LogLevel;
  /** Secret values (tokens, passwords) that must never appear in a line, whatever field holds them. */
  secrets?: readonly (string | undefined)[];
  /** Where lines go; stderr by default. */
  write?: (line: string) => void;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A function that replaces every secret (and its JSON- and URL-encoded forms) in a string. */
export function secretScrubber(secrets: readonly (string | undefined)[]): (text: string) => string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    // Short values (a port, "true") would scrub innocent text: real secrets are long.
    if (!secret || secret.length < 8) continue;
    forms.add(secret);
    forms.add(JSON.stringify(secret).slice(1, -1));
    forms.add(encodeURIComponent(secret));
  }
  if (forms.size === 0) return (text) => text;
  const pattern = new RegExp(
    [...forms]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join('|'),
    'g',
  );
  return (text) => text.replace(pattern, REDACTED);
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const scrub = secretScrubber(options.secrets ?? []);
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  return pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      hooks: { streamWrite: scrub },
    },
    { write },
  );
}

/** JSON lines at `minimum` and above (kept for callers that only set a level). */
export function createJsonLogger(minimum: LogLevel = 'info', write?: (line: string) => void): Logger {
  return createLogger({ level: minimum, ...(write ? { write } : {}) });
}

/** For tests and libraries used without a logger. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
