// Bolt, its WebClient and the Socket Mode client log through our Logger (one JSON stream). It
// reports level info, so Bolt skips building its debug output (request bodies) altogether.
import { type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import type { Logger } from '../../logger.js';

function line(parts: unknown[]): string {
  return parts.map((part) => (part instanceof Error ? part.message : String(part))).join(' ');
}

export function boltLogger(logger: Logger, name = 'slack'): BoltLogger {
  let source = name;
  return {
    debug: (...parts) => logger.debug({ source }, line(parts)),
    info: (...parts) => logger.info({ source }, line(parts)),
    warn: (...parts) => logger.warn({ source }, line(parts)),
    error: (...parts) => logger.error({ source }, line(parts)),
    setLevel() {},
    getLevel: () => LogLevel.INFO,
    setName(next) {
      source = `${name}:${next}`;
    },
  };
}
