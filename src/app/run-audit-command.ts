// `pve-chatops audit verify [--env-file FILE]`: checks the hash chain of the audit log and says
// whether it is intact or where it is broken. Exit status 0 intact, 1 broken, 2 bad usage.
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { AuditLog } from '../core/audit/audit-log.js';
import { createRedis } from '../jobs/redis-connection.js';
import { createJsonLogger } from '../logger.js';

export const AUDIT_USAGE = `Usage: pve-chatops audit verify [--env-file FILE]

Walks the whole audit log in Redis and checks its SHA-256 hash chain: an edited, deleted or
dropped record is reported with its position. Exit status 0: intact; 1: broken.
Configuration (REDIS_URL, REDIS_PREFIX) comes from the environment and FILE (default: .env).
`;

export interface AuditCommandIo {
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  /** The environment to read instead of process.env (tests). */
  env?: Record<string, string | undefined>;
}

/** The CLI entry: runs the command and sets process.exitCode (0 intact, 1 broken, 2 bad usage). */
export async function runAuditCommand(argv: string[]): Promise<void> {
  process.exitCode = await auditCommand(argv);
}

/** The command with its output and environment injectable; returns the exit status. */
export async function auditCommand(argv: string[], io: AuditCommandIo = {}): Promise<number> {
  const out = io.stdout ?? ((text: string) => process.stdout.write(text));
  const err = io.stderr ?? ((text: string) => process.stderr.write(text));
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(argv);
  } catch (error) {
    err(`pve-chatops audit: ${(error as Error).message}\n\n${AUDIT_USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    out(AUDIT_USAGE);
    return 0;
  }
  if (parsed.positionals.length !== 1 || parsed.positionals[0] !== 'verify') {
    err(`pve-chatops audit: expected 'verify' (got '${parsed.positionals.join(' ')}')\n\n${AUDIT_USAGE}`);
    return 2;
  }
  const config = loadConfig({
    envFile: parsed.values['env-file'] ?? '.env',
    ...(io.env ? { env: io.env } : {}),
  });
  const redis = createRedis(config.redisUrl, createJsonLogger(config.logLevel), 'audit-verify');
  try {
    const result = await new AuditLog(redis, { prefix: config.redisPrefix }).verify();
    if (result.ok) {
      out(`audit log intact: ${result.count} entries\n`);
      return 0;
    }
    err(
      `audit log BROKEN at record ${result.index} of ${result.count}: ${result.reason}\n` +
        `Records before ${result.index} are intact; keep a copy of the list (${config.redisPrefix}:audit) before changing anything.\n`,
    );
    return 1;
  } finally {
    await redis.quit();
  }
}

function parseOptions(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: { 'env-file': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
}
