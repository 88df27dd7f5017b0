// Which known_hosts lines name a host, the way OpenSSH decides it (hostfile.c, match.c), so a
// file written by ssh-keyscan or by `ssh` itself means here exactly what it means to OpenSSH.
import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The name OpenSSH looks a host up by: `host` on port 22, `[host]:port` otherwise, lower-cased.
 * An entry for plain `host` therefore does not cover another port, as in OpenSSH.
 */
export function knownHostsName(host: string, port: number): string {
  const name = host.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

/** OpenSSH's match_pattern: `*` is any run of characters, `?` exactly one; nothing else is special. */
export function matchesWildcard(name: string, pattern: string): boolean {
  // The classic linear matcher: on a mismatch, let the last `*` swallow one more character.
  let n = 0;
  let p = 0;
  let starAt = -1;
  let nameAtStar = 0;
  while (n < name.length) {
    const c = pattern[p];
    if (c === '*') {
      starAt = p++;
      nameAtStar = n;
    } else if (c !== undefined && (c === '?' || c === name[n])) {
      p++;
      n++;
    } else if (starAt >= 0) {
      p = starAt + 1;
      n = ++nameAtStar;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/**
 * OpenSSH's match_hostname over a comma-separated list: any matching `!pattern` excludes the name
 * whatever else matches; otherwise one positive match is needed. Case-insensitive.
 */
export function matchesPatternList(name: string, patternList: string): boolean {
  let positive = false;
  for (const raw of patternList.split(',')) {
    const negated = raw.startsWith('!');
    const pattern = (negated ? raw.slice(1) : raw).toLowerCase();
    if (pattern === '' || !matchesWildcard(name, pattern)) continue;
    if (negated) return false;
    positive = true;
  }
  return positive;
}

const HASHED_PREFIX = '|1|';

/** A hashed host field, `|1|base64(salt)|base64(HMAC-SHA1(salt, name))` (HashKnownHosts yes). */
export function isHashedHostField(field: string): boolean {
  return field.startsWith(HASHED_PREFIX);
}

export function matchesHashedHost(name: string, field: string): boolean {
  const [salt, hash, ...extra] = field.slice(HASHED_PREFIX.length).split('|');
  if (!salt || !hash || extra.length > 0) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Whether a known_hosts host field (a pattern list or one hashed name) names `name`. */
export function hostFieldMatches(name: string, field: string): boolean {
  return isHashedHostField(field) ? matchesHashedHost(name, field) : matchesPatternList(name, field);
}
