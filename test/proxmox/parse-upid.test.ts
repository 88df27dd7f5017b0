import { describe, expect, it } from 'vitest';
import { parseUpid } from '../../src/proxmox/parse-upid.js';

describe('parseUpid', () => {
  it('decodes the upstream example with an empty id', () => {
    expect(parseUpid('UPID:example-node:0000C346:165A0CE4:68D7279C:aptupdate::root@pam:')).toEqual({
      upid: 'UPID:example-node:0000C346:165A0CE4:68D7279C:aptupdate::root@pam:',
      node: 'example-node',
      pid: 0xc346,
      pstart: 0x165a0ce4,
      starttime: 0x68d7279c,
      type: 'aptupdate',
      id: '',
      user: 'root@pam',
    });
  });

  it('splits a token user into user and tokenid', () => {
    const upid = parseUpid(
      'UPID:example-node:000934AF:0D015579:68BF3A41:vzdump:100:91a1da29@pam!some-token:',
    );
    expect(upid).toMatchObject({ type: 'vzdump', id: '100', user: '91a1da29@pam', tokenid: 'some-token' });
  });

  it('accepts a 9-digit pstart and lowercase hex', () => {
    expect(parseUpid('UPID:pve1:000934af:10000557f:68bf3a41:hastart:100:root@pam:').pstart).toBe(0x10000557f);
  });

  it.each([
    'UPID:pve1:000934AF:0D015579:68BF3A41:hastart:100:root@pam', // no trailing colon
    'UPID:-pve1:000934AF:0D015579:68BF3A41:hastart:100:root@pam:',
    'UPID:pve1:934AF:0D015579:68BF3A41:hastart:100:root@pam:',
    'UPID:pve1:000934AF:0D015579:68BF3A41:ha/start:100:root@pam:',
  ])('refuses %s', (upid) => {
    expect(() => parseUpid(upid)).toThrow(expect.objectContaining({ code: 'PVE_CONFIG' }));
  });
});
