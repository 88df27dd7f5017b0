import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkHostKey, hostKeyAlgorithms } from '../../../src/proxmox/ssh/host-key-check.js';
import { matchesPatternList, matchesWildcard } from '../../../src/proxmox/ssh/host-pattern.js';
import { KnownHosts } from '../../../src/proxmox/ssh/known-hosts.js';
import { ecdsaKeyPair, ed25519KeyPair, type KeyPair, keyField } from './test-ssh-server.js';

const a = ed25519KeyPair();
const b = ed25519KeyPair();
const c = ecdsaKeyPair();

const blob = (key: KeyPair) => Buffer.from(key.public.split(' ')[1]!, 'base64');
const keysOf = (knownHosts: KnownHosts, host: string, port: number) =>
  knownHosts.keysFor(host, port).map((k) => k.key.toString('base64'));
const b64 = (key: KeyPair) => blob(key).toString('base64');

/** A hashed host field as OpenSSH's HashKnownHosts writes it. */
function hashed(name: string): string {
  const salt = randomBytes(20);
  const hash = createHmac('sha1', salt).update(name).digest();
  return `|1|${salt.toString('base64')}|${hash.toString('base64')}`;
}

describe('KnownHosts', () => {
  it('reads plain entries, comma-separated names, comments and blank lines', () => {
    const knownHosts = KnownHosts.parse(
      [
        '# the cluster',
        '',
        `pve1.example.com,192.0.2.11 ${keyField(a)} root@pve1`,
        `   192.0.2.12 ${keyField(b)}`,
      ].join('\n'),
    );
    expect(keysOf(knownHosts, '192.0.2.11', 22)).toEqual([b64(a)]);
    expect(keysOf(knownHosts, 'PVE1.example.com', 22)).toEqual([b64(a)]);
    expect(keysOf(knownHosts, '192.0.2.12', 22)).toEqual([b64(b)]);
    expect(knownHosts.keysFor('192.0.2.13', 22)).toEqual([]);
    expect(knownHosts.warnings).toEqual([]);
    expect(knownHosts.keysFor('192.0.2.11', 22)[0]?.type).toBe('ssh-ed25519');
  });

  it('tells ports apart as OpenSSH does: [host]:port, and a plain name means port 22 only', () => {
    const knownHosts = KnownHosts.parse(`127.20.1.101 ${keyField(a)}\n[127.20.1.101]:2222 ${keyField(b)}\n`);
    expect(keysOf(knownHosts, '127.20.1.101', 22)).toEqual([b64(a)]);
    expect(keysOf(knownHosts, '127.20.1.101', 2222)).toEqual([b64(b)]);
    expect(knownHosts.keysFor('127.20.1.101', 2223)).toEqual([]);
  });

  it('matches hashed names (HMAC-SHA1 of host, or of [host]:port)', () => {
    const knownHosts = KnownHosts.parse(
      `${hashed('127.20.1.101')} ${keyField(a)}\n${hashed('[127.20.1.102]:2222')} ${keyField(b)}\n`,
    );
    expect(keysOf(knownHosts, '127.20.1.101', 22)).toEqual([b64(a)]);
    expect(keysOf(knownHosts, '127.20.1.102', 2222)).toEqual([b64(b)]);
    expect(knownHosts.keysFor('127.20.1.102', 22)).toEqual([]);
    expect(knownHosts.keysFor('127.20.1.103', 22)).toEqual([]);
  });

  it('applies wildcards and negation, a negated match winning over any other', () => {
    const knownHosts = KnownHosts.parse(
      `127.20.1.*,!127.20.1.13?,pve? ${keyField(a)}\n[127.20.*]:2222 ${keyField(b)}\n`,
    );
    expect(keysOf(knownHosts, '127.20.1.101', 22)).toEqual([b64(a)]);
    expect(keysOf(knownHosts, 'pve9', 22)).toEqual([b64(a)]);
    expect(knownHosts.keysFor('pve10', 22)).toEqual([]);
    expect(knownHosts.keysFor('127.20.1.135', 22)).toEqual([]);
    expect(keysOf(knownHosts, '127.20.9.9', 2222)).toEqual([b64(b)]);
  });

  it('never accepts a @revoked key, and ignores @cert-authority lines', () => {
    const knownHosts = KnownHosts.parse(
      [
        `127.20.1.101 ${keyField(a)}`,
        `127.20.1.101 ${keyField(b)}`,
        `@revoked * ${keyField(b)}`,
        `@cert-authority *.example.com ${keyField(c)}`,
      ].join('\n'),
    );
    expect(keysOf(knownHosts, '127.20.1.101', 22)).toEqual([b64(a)]);
    expect(checkHostKey(knownHosts, '127.20.1.101', 22, blob(a))).toBe('trusted');
    expect(checkHostKey(knownHosts, '127.20.1.101', 22, blob(b))).toBe('revoked');
    expect(checkHostKey(knownHosts, '127.20.1.101', 22, blob(c))).toBe('changed');
    expect(checkHostKey(knownHosts, 'host.example.com', 22, blob(c))).toBe('unknown');
  });

  it('skips malformed lines with a warning naming the file and line', () => {
    const knownHosts = KnownHosts.parse(
      [
        `127.20.1.101`,
        `127.20.1.101 ssh-rsa ${b64(a)}`,
        `@weird * ${keyField(a)}`,
        `127.20.1.102 ${keyField(a)}`,
      ].join('\n'),
      '/etc/pve-chatops/known_hosts',
    );
    expect(keysOf(knownHosts, '127.20.1.102', 22)).toEqual([b64(a)]);
    expect(knownHosts.keysFor('127.20.1.101', 22)).toEqual([]);
    expect(knownHosts.warnings).toEqual([
      expect.stringMatching(/^\/etc\/pve-chatops\/known_hosts:1: /),
      expect.stringMatching(/:2: the key is not a ssh-rsa key/),
      expect.stringMatching(/:3: unknown marker @weird/),
    ]);
    expect(knownHosts.source).toBe('/etc/pve-chatops/known_hosts');
  });

  it('offers in key exchange only the algorithms of the key types listed', () => {
    const knownHosts = KnownHosts.parse(`h ${keyField(c)}\nh ${keyField(a)}\n`);
    expect(hostKeyAlgorithms(knownHosts.keysFor('h', 22))).toEqual(['ssh-ed25519', 'ecdsa-sha2-nistp256']);
    expect(hostKeyAlgorithms([{ type: 'ssh-rsa', key: Buffer.alloc(0) }])).toEqual([
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-rsa',
    ]);
    expect(hostKeyAlgorithms([])).toBeUndefined();
  });
});

describe('OpenSSH host patterns', () => {
  it.each([
    ['abc', 'abc', true],
    ['abc', 'a*', true],
    ['abc', '*c', true],
    ['abc', 'a?c', true],
    ['abc', 'a?', false],
    ['abc', '*', true],
    ['abc', '**b*', true],
    ['a.b.c', 'a.*.c', true],
    ['a.b.d', 'a.*.c', false],
    ['', '*', true],
    ['x', '', false],
  ])('%j against %j: %s', (name, pattern, expected) => {
    expect(matchesWildcard(name, pattern)).toBe(expected);
  });

  it('needs a positive match, and lets a negation veto it', () => {
    expect(matchesPatternList('pve1', '!pve2')).toBe(false);
    expect(matchesPatternList('pve1', 'pve*,!pve1')).toBe(false);
    expect(matchesPatternList('pve1', '!pve2,pve*')).toBe(true);
    expect(matchesPatternList('pve1', 'PVE1')).toBe(true);
  });
});
