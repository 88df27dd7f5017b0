// The env file `pve-chatops sim --env-file FILE` writes: the PVE_* variables that point the bot
// at the running simulator, readable by Node's --env-file, docker compose and systemd alike.

import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';

const KEY_RE = /^[A-Z_][A-Z0-9_]*$/;

/** `KEY=value` lines under a comment header; refuses anything a dotenv parser could misread. */
export function formatEnvFile(vars: Record<string, string>, now: Date = new Date()): string {
  const lines = [
    `# Written by 'pve-chatops sim' at ${now.toISOString()}.`,
    '# Connects pve-chatops to the simulated cluster; valid only while that simulator runs',
    '# (the token secret changes on every start). Contains a secret: keep it private.',
  ];
  for (const [key, value] of Object.entries(vars)) {
    if (!KEY_RE.test(key)) throw new Error(`invalid environment variable name '${key}'`);
    if (/[\s"'#\\]/.test(value)) throw new Error(`the value of ${key} would need quoting`);
    lines.push(`${key}=${value}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Writes the file readable by its owner only (0600). It goes to a fresh file first and is then
 * renamed over `path`, so an existing file with looser permissions never holds the secret.
 */
export async function writeEnvFile(path: string, vars: Record<string, string>): Promise<void> {
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, formatEnvFile(vars), { mode: 0o600, flag: 'wx' });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
