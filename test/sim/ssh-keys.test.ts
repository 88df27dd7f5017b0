import { describe, expect, it } from 'vitest';
import { generateEd25519, knownHostsLine, parseSshKey, publicKeyLine } from '../../src/sim/ssh/ssh-keys.js';

describe('simulator SSH keys', () => {
  it('only hands out keys ssh2 itself can parse (its generator sometimes makes malformed ones)', () => {
    // About one raw key in 200 is malformed: 1000 keys would almost surely meet several.
    for (let i = 0; i < 1000; i += 1) {
      const pair = generateEd25519();
      const key = parseSshKey(pair.privateKey);
      expect(publicKeyLine(key)).toBe(pair.publicKey);
    }
  });

  it('writes known_hosts hosts in brackets with the port, except on port 22', () => {
    expect(knownHostsLine(['127.20.1.101', 'node01'], 2222, 'ssh-ed25519 AAAA')).toBe(
      '[127.20.1.101]:2222,[node01]:2222 ssh-ed25519 AAAA',
    );
    expect(knownHostsLine(['127.20.1.101', 'node01'], 22, 'ssh-ed25519 AAAA')).toBe(
      '127.20.1.101,node01 ssh-ed25519 AAAA',
    );
  });
});
