import { readFileSync } from 'node:fs';

/**
 * `pve-chatops/<version>`, read from package.json at run time: the build's rootDir is `src`, so
 * the file cannot be imported, and `../../package.json` is the package root from both
 * `src/proxmox` and `dist/proxmox`.
 */
export function defaultUserAgent(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: unknown;
    };
    return `pve-chatops/${typeof pkg.version === 'string' ? pkg.version : 'unknown'}`;
  } catch {
    return 'pve-chatops/unknown';
  }
}
