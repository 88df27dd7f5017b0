import { describe, expect, it } from 'vitest';
import { loadApiSchema, matchApiPath, methodSchema } from '../../src/sim/server/api-schema.js';
import { checkRequestAgainstSchema, validateParams } from '../../src/sim/server/validate-params.js';

const schema = loadApiSchema('9.1');
const schema84 = loadApiSchema('8.4');

function method(template: string, verb: string) {
  const info = methodSchema(schema, template, verb);
  if (!info) throw new Error(`no ${verb} ${template} in schema`);
  return info;
}

describe('matchApiPath', () => {
  it('matches a UPID path segment to {upid} and unescapes it', () => {
    const upid = 'UPID:node01:00001234:0000ABCD:66A1B2C3:qmstart:100:chatops@pve!bot:';
    const match = matchApiPath(schema, `/nodes/node01/tasks/${encodeURIComponent(upid)}/status`);
    expect(match).toEqual({
      template: '/nodes/{node}/tasks/{upid}/status',
      variables: { node: 'node01', upid },
    });
  });

  it('prefers a literal segment over a variable and rejects unknown paths', () => {
    expect(matchApiPath(schema, '/cluster/ha/status/current')?.template).toBe('/cluster/ha/status/current');
    expect(matchApiPath(schema, '/nodes/node01/foo')).toBeNull();
  });
});

describe('validateParams', () => {
  const migrate = method('/nodes/{node}/qemu/{vmid}/migrate', 'POST');

  it('types integers and booleans from form strings', () => {
    const result = validateParams(migrate, { node: 'node01', vmid: '100', target: 'node02', online: '1' });
    expect(result).toEqual({
      ok: true,
      params: { node: 'node01', vmid: 100, target: 'node02', online: true },
    });
  });

  it("refuses 'true' for a boolean in a form, with PVE's wording", () => {
    const result = validateParams(migrate, { node: 'node01', vmid: '100', target: 'node02', online: 'true' });
    expect(result).toEqual({ ok: false, errors: { online: "type check ('boolean') failed - got 'true'" } });
  });

  it('accepts JSON booleans in a JSON body', () => {
    const result = validateParams(
      migrate,
      { node: 'node01', vmid: 100, target: 'node02', online: false },
      'json',
    );
    expect(result).toEqual({
      ok: true,
      params: { node: 'node01', vmid: 100, target: 'node02', online: false },
    });
  });

  it('reports unknown and missing parameters', () => {
    const result = validateParams(migrate, { node: 'node01', vmid: '100', bogus: 'x' });
    expect(result).toEqual({
      ok: false,
      errors: {
        target: 'property is missing and it is not optional',
        bogus: 'property is not defined in schema and the schema does not allow additional properties',
      },
    });
  });

  it('checks minimum and maximum and integer type', () => {
    const tasks = method('/nodes/{node}/tasks', 'GET');
    expect(validateParams(tasks, { node: 'node01', limit: '-1' })).toEqual({
      ok: false,
      errors: { limit: 'value must have a minimum value of 0' },
    });
    expect(validateParams(tasks, { node: 'node01', limit: 'ten' })).toEqual({
      ok: false,
      errors: { limit: "type check ('integer') failed - got 'ten'" },
    });
    const nextid = method('/cluster/nextid', 'GET');
    expect(validateParams(nextid, { vmid: '1000000000' })).toMatchObject({ ok: false });
  });

  it('checks the pve-vmid format before the range, as PVE does', () => {
    expect(validateParams(migrate, { node: 'node01', vmid: '5', target: 'node02' })).toEqual({
      ok: false,
      errors: { vmid: 'invalid format - value does not look like a valid VM ID\n' },
    });
  });

  it('checks enums and node-name formats', () => {
    const result = validateParams(migrate, {
      node: 'node01',
      vmid: '100',
      target: 'bad_node!',
      migration_type: 'fast',
    });
    expect(result).toEqual({
      ok: false,
      errors: {
        target: 'invalid format - value does not look like a valid node name\n',
        migration_type: "value 'fast' does not have a value in the enumeration 'secure, insecure'",
      },
    });
  });

  it('checks anchored patterns and maxLength', () => {
    const log = method('/nodes/{node}/replication/{id}/log', 'GET');
    expect(validateParams(log, { node: 'node01', id: '100-0' })).toMatchObject({ ok: true });
    expect(validateParams(log, { node: 'node01', id: 'x100-0' })).toEqual({
      ok: false,
      errors: { id: "invalid format - invalid replication job id 'x100-0'\n" },
    });
    const join = method('/cluster/config/join', 'POST');
    expect(validateParams(join, { fingerprint: 'AA:BB' })).toMatchObject({
      ok: false,
      errors: { fingerprint: 'value does not match the regex pattern' },
    });
    const ticket = method('/access/ticket', 'POST');
    expect(validateParams(ticket, { username: 'u'.repeat(65), password: 'p' })).toEqual({
      ok: false,
      errors: { username: 'value may only be 64 characters long' },
    });
  });

  it('joins a repeated key for a -list format and refuses it for a plain string', () => {
    const resources = method('/cluster/resources', 'GET');
    expect(validateParams(resources, { type: ['vm', 'node'] })).toEqual({
      ok: false,
      errors: { type: "type check ('string') failed - got ARRAY" },
    });
    const update = method('/nodes/{node}/qemu/{vmid}/config', 'PUT');
    expect(validateParams(update, { node: 'node01', vmid: '100', delete: ['net1', 'ide2'] })).toEqual({
      ok: true,
      params: { node: 'node01', vmid: 100, delete: 'net1,ide2' },
    });
  });

  it('maps numbered options such as net0 onto the schema entry net[n]', () => {
    const update = method('/nodes/{node}/qemu/{vmid}/config', 'PUT');
    expect(
      validateParams(update, { node: 'node01', vmid: '100', net0: 'virtio,bridge=vmbr0' }),
    ).toMatchObject({
      ok: true,
    });
    expect(validateParams(update, { node: 'node01', vmid: '100', netx: 'a' })).toMatchObject({ ok: false });
  });

  it('treats an empty form value as not given', () => {
    expect(validateParams(migrate, { node: 'node01', vmid: '100', target: '' })).toEqual({
      ok: false,
      errors: { target: 'property is missing and it is not optional' },
    });
  });

  it("reports a 'requires' partner that is missing", () => {
    const ticket = method('/access/ticket', 'POST');
    expect(validateParams(ticket, { username: 'root@pam', password: 'x', path: '/vms' })).toEqual({
      ok: false,
      errors: { privs: "missing property required by 'path'" },
    });
  });
});

describe('checkRequestAgainstSchema', () => {
  it('merges path variables and validates the whole request', () => {
    const check = checkRequestAgainstSchema(schema, 'POST', '/nodes/node01/qemu/100/status/start', {});
    expect(check).toEqual({
      ok: true,
      template: '/nodes/{node}/qemu/{vmid}/status/start',
      params: { node: 'node01', vmid: 100 },
    });
  });

  it('answers 501 for a path or method the schema does not have', () => {
    expect(checkRequestAgainstSchema(schema, 'GET', '/nodes/node01/foo', {})).toEqual({
      ok: false,
      template: null,
      status: 501,
      message: "Method 'GET /nodes/node01/foo' not implemented",
    });
    expect(checkRequestAgainstSchema(schema, 'DELETE', '/version', {})).toMatchObject({ status: 501 });
  });

  it('refuses a path variable repeated with another value', () => {
    expect(
      checkRequestAgainstSchema(schema, 'POST', '/nodes/node01/qemu/100/status/start', { vmid: '101' }),
    ).toEqual({
      ok: false,
      template: '/nodes/{node}/qemu/{vmid}/status/start',
      status: 400,
      message: 'Parameter verification failed.',
      errors: { vmid: 'duplicate parameter (already defined in URI) with conflicting values!' },
    });
  });

  it('knows parameters that only PVE 9 has', () => {
    const params = { target: 'node02', online: '1', 'with-conntrack-state': '1' };
    expect(checkRequestAgainstSchema(schema, 'POST', '/nodes/node01/qemu/100/migrate', params).ok).toBe(true);
    expect(
      checkRequestAgainstSchema(schema84, 'POST', '/nodes/node01/qemu/100/migrate', params),
    ).toMatchObject({
      ok: false,
      errors: { 'with-conntrack-state': expect.stringContaining('not defined in schema') },
    });
  });
});
