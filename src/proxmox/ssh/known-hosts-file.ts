// known_hosts as a file (SSH_KNOWN_HOSTS), read afresh for each new connection: the error for an
// unknown or changed host key tells the operator to edit the file, and the next try must see it.
import { readFileSync } from 'node:fs';
import type { Logger } from '../../logger.js';
import { KnownHosts } from './known-hosts.js';

/** Reads known_hosts for each new connection, re-parsing (and warning) only when it changed. */
export function knownHostsFile(path: string, logger: Logger): () => KnownHosts {
  let last: { text: string; knownHosts: KnownHosts } | undefined;
  return () => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      // Unreadable: nothing is trusted, and every host reads as unknown in this file.
      logger.error({ file: path, error: String(error) }, 'cannot read SSH_KNOWN_HOSTS');
      return KnownHosts.parse('', path);
    }
    if (last?.text !== text) {
      last = { text, knownHosts: KnownHosts.parse(text, path) };
      for (const warning of last.knownHosts.warnings) logger.warn({ file: path }, warning);
    }
    return last.knownHosts;
  };
}
