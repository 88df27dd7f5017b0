import { describe, expect, it } from 'vitest';
import { mapPveError } from '../../src/proxmox/map-pve-error.js';

const where = { method: 'POST', path: '/nodes/node01/qemu/100/status/start', host: 'https://127.0.0.1:8006' };

describe('mapPveError', () => {
  it('maps 400 with its per-parameter errors', () => {
    const error = mapPveError({
      ...where,
      statusCode: 400,
      statusText: 'Parameter verification failed.',
      body: '{"data":null,"errors":{"vmid":"value must have a minimum value of 100\\n"},"message":"Parameter verification failed.\\n"}',
    });
    expect(error).toMatchObject({
      name: 'PveError',
      code: 'PVE_PARAMETER',
      statusCode: 400,
      errors: { vmid: 'value must have a minimum value of 100' },
      ...where,
    });
    expect(error.message).toContain('vmid: value must have a minimum value of 100');
  });

  it('reads a 401 from the status line, since its body is empty', () => {
    const error = mapPveError({ ...where, statusCode: 401, statusText: 'invalid token value!', body: '' });
    expect(error).toMatchObject({ code: 'PVE_AUTH_FAILED', statusCode: 401 });
    expect(error.message).toContain('invalid token value!');
  });

  it('maps a lock error to PVE_LOCKED with the lock name', () => {
    const error = mapPveError({ ...where, statusCode: 500, statusText: 'VM is locked (migrate)', body: '' });
    expect(error).toMatchObject({ code: 'PVE_LOCKED', lock: 'migrate', message: 'VM is locked (migrate)' });
    expect(
      mapPveError({ ...where, statusCode: 500, statusText: 'CT is locked (backup)', body: '' }).lock,
    ).toBe('backup');
  });

  it('keeps a hyphenated lock name whole', () => {
    const error = mapPveError({
      ...where,
      statusCode: 500,
      statusText: 'VM is locked (snapshot-delete)',
      body: '',
    });
    expect(error).toMatchObject({ code: 'PVE_LOCKED', lock: 'snapshot-delete' });
  });

  it('falls back to the body message, trimmed, when there is no reason phrase', () => {
    const error = mapPveError({
      ...where,
      statusCode: 500,
      body: '{"data":null,"message":"cluster not ready - no quorum?\\n"}',
    });
    expect(error).toMatchObject({ code: 'PVE_NO_QUORUM', message: 'cluster not ready - no quorum?' });
  });

  it('prefers the status line over a different body message (older servers)', () => {
    const error = mapPveError({
      ...where,
      statusCode: 500,
      statusText: 'VM 100 not running',
      body: '{"data":null}',
    });
    expect(error).toMatchObject({ code: 'PVE_GUEST_STATE', message: 'VM 100 not running' });
  });

  it.each([595, 596, 597, 599])('maps %i to PVE_NODE_UNREACHABLE', (statusCode) => {
    const error = mapPveError({ ...where, statusCode, statusText: 'No route to host', body: '' });
    expect(error.code).toBe('PVE_NODE_UNREACHABLE');
    expect(error.message).toContain('node unreachable');
  });

  it('maps 403 and 501', () => {
    expect(
      mapPveError({
        ...where,
        statusCode: 403,
        statusText: 'Permission check failed (/vms/100, VM.PowerMgmt)',
        body: '',
      }).code,
    ).toBe('PVE_PERMISSION');
    expect(
      mapPveError({ ...where, statusCode: 501, statusText: "Method 'GET /foo' not implemented", body: '' })
        .code,
    ).toBe('PVE_NOT_IMPLEMENTED');
  });

  it("recognises a vmid race both as a 500 and as nextid's 400", () => {
    const clone = mapPveError({
      ...where,
      statusCode: 500,
      statusText: "VM 105 already exists on node 'node02'",
      body: '',
    });
    expect(clone).toMatchObject({ code: 'PVE_VMID_EXISTS', vmid: 105 });
    const nextid = mapPveError({
      ...where,
      statusCode: 400,
      statusText: 'Parameter verification failed.',
      body: '{"data":null,"errors":{"vmid":"VM 105 already exists"}}',
    });
    expect(nextid).toMatchObject({ code: 'PVE_VMID_EXISTS', vmid: 105 });
  });

  it.each([
    ["Configuration file 'nodes/node02/qemu-server/100.conf' does not exist", 100],
    ["Configuration file 'nodes/node01/lxc/201.conf' does not exist", 201],
  ])('maps "%s" to PVE_GUEST_NOT_ON_NODE with the vmid', (statusText, vmid) => {
    const error = mapPveError({ ...where, statusCode: 500, statusText, body: '' });
    expect(error).toMatchObject({ code: 'PVE_GUEST_NOT_ON_NODE', vmid, message: statusText });
  });

  it('maps an unknown migration target to PVE_NO_SUCH_NODE', () => {
    const error = mapPveError({
      ...where,
      statusCode: 500,
      statusText: "no such cluster node 'node09'",
      body: '{"data":null,"message":"no such cluster node \'node09\'\n"}',
    });
    expect(error).toMatchObject({ code: 'PVE_NO_SUCH_NODE', message: "no such cluster node 'node09'" });
  });

  it.each([
    ['VM 100 not running', 100],
    ['VM 100 already running', 100],
    ['CT 201 not running', 201],
    ['CT 200 already running', 200],
  ])('maps "%s" to PVE_GUEST_STATE with the vmid', (statusText, vmid) => {
    const error = mapPveError({ ...where, statusCode: 500, statusText, body: '' });
    expect(error).toMatchObject({ code: 'PVE_GUEST_STATE', vmid, statusCode: 500 });
  });

  it('tolerates a body that is not JSON', () => {
    expect(
      mapPveError({ ...where, statusCode: 502, statusText: 'Bad Gateway', body: '<html>' }),
    ).toMatchObject({
      code: 'PVE_SERVER_ERROR',
      message: 'Bad Gateway',
    });
  });
});
