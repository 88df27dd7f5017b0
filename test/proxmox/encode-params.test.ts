import { describe, expect, it } from 'vitest';
import { encodeParams } from '../../src/proxmox/encode-params.js';
import { pvePath } from '../../src/proxmox/pve-path.js';

describe('encodeParams', () => {
  it('sends booleans as 1/0, repeats array keys and omits undefined and null', () => {
    const body = encodeParams({
      online: true,
      full: false,
      vms: [100, 101],
      pool: undefined,
      name: null,
      target: 'node02',
    });
    expect(body).toBe('online=1&full=0&vms=100&vms=101&target=node02');
  });

  it('percent-encodes values', () => {
    expect(new URLSearchParams(encodeParams({ description: 'a&b=c d' })).get('description')).toBe('a&b=c d');
  });

  it('gives an empty string for no parameters', () => {
    expect(encodeParams(undefined)).toBe('');
  });
});

describe('pvePath', () => {
  it('percent-encodes every interpolated segment, UPIDs included', () => {
    const upid = 'UPID:node01:000934AF:0D015579:68BF3A41:qmstart:100:bot@pve!ops:';
    expect(pvePath`/nodes/${'node01'}/tasks/${upid}/status`).toBe(
      '/nodes/node01/tasks/UPID%3Anode01%3A000934AF%3A0D015579%3A68BF3A41%3Aqmstart%3A100%3Abot%40pve!ops%3A/status',
    );
    expect(pvePath`/nodes/${'../access'}/status`).toBe('/nodes/..%2Faccess/status');
  });
});
