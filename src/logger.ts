// The one logging interface every module receives. It is pino-compatible (object first, message
// second) so a pino logger can be passed in unchanged; the default writes JSON lines to stderr.

export interface Logger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createJsonLogger(
  minimum: Level = 'info',
  write = (line: string) => process.stderr.write(line),
): Logger {
  const emit = (level: Level) => (fields: Record<string, unknown>, message: string) => {
    if (ORDER[level] < ORDER[minimum]) return;
    write(`${JSON.stringify({ level, time: new Date().toISOString(), msg: message, ...fields })}\n`);
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

/** For tests and libraries used without a logger. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
