import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadApiSchema } from '../../src/sim/server/api-schema.js';
import { parsePropertyString } from '../../src/sim/server/check-prop.js';
import { checkRequestAgainstSchema } from '../../src/sim/server/validate-params.js';
import { type RunningSimulator, type SimCluster, startSimulator } from '../../src/sim/simulator.js';
import { call } from './helpers/https-call.js';

// Property strings (`format` objects of the official schema) are checked the way pve-common
// src/PVE/JSONSchema.pm parse_property_string + check_object do, with PVE's error texts.
const schema = loadApiSchema('9.1');

function createVm(params: Record<string, string>) {
  return checkRequestAgainstSchema(schema, 'POST', '/nodes/node01/qemu', { vmid: '150', ...params });
}

function createCt(params: Record<string, string>) {
  return checkRequestAgainstSchema(schema, 'POST', '/nodes/node01/lxc', {
    vmid: '150',
    ostemplate: 'local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst',
    ...params,
  });
}

function errorsOf(result: ReturnType<typeof createVm>): Record<string, string> | undefined {
  return result.ok ? undefined : result.errors;
}

describe('property strings in create parameters', () => {
  it('refuses memory=abc: the default key `current` is an integer', () => {
    const result = createVm({ memory: 'abc' });
    expect(result).toMatchObject({ ok: false, status: 400, message: 'Parameter verification failed.' });
    expect(errorsOf(result)).toEqual({
      memory: "invalid format - format error\nmemory.current: type check ('integer') failed - got 'abc'\n",
    });
    expect(errorsOf(createVm({ memory: '8' }))).toEqual({
      memory: 'invalid format - format error\nmemory.current: value must have a minimum value of 16\n',
    });
    expect(createVm({ memory: 'current=2048' }).ok).toBe(true);
    expect(createVm({ memory: '2048' }).ok).toBe(true);
  });

  it('refuses an unknown key, a key without value and a second bare value', () => {
    expect(errorsOf(createVm({ net0: 'foo=bar' }))).toEqual({
      net0: 'invalid format - invalid key in comma-separated list property: foo\n',
    });
    expect(errorsOf(createVm({ net0: 'virtio,bridge=' }))).toEqual({
      net0: 'invalid format - missing key in comma-separated list property\n',
    });
    expect(errorsOf(createVm({ net0: 'virtio,e1000' }))).toEqual({
      net0: 'invalid format - duplicate key in comma-separated list property: model\n',
    });
    expect(errorsOf(createVm({ net0: 'virtio,bridge=vmbr0,bridge=vmbr1' }))).toEqual({
      net0: 'invalid format - duplicate key in comma-separated list property: bridge\n',
    });
  });

  it('maps aliases (`virtio=<mac>` sets model and macaddr) and checks the nested named format', () => {
    expect(
      parsePropertyString(
        formatOf('/nodes/{node}/qemu', 'POST', 'net[n]'),
        'virtio=BC:24:11:00:00:01,bridge=vmbr0,firewall=on',
      ),
    ).toEqual({ model: 'virtio', macaddr: 'BC:24:11:00:00:01', bridge: 'vmbr0', firewall: '1' });
    expect(errorsOf(createVm({ net0: 'virtio=01:00:00:00:00:00,bridge=vmbr0' }))).toEqual({
      net0: 'invalid format - format error\nnet0.macaddr: invalid format - value does not look like a valid unicast MAC address\n\n',
    });
    expect(errorsOf(createVm({ net0: 'bridge=vmbr0' }))).toEqual({
      net0: 'invalid format - format error\nnet0.model: property is missing and it is not optional\n',
    });
    expect(errorsOf(createVm({ net0: 'virtio,bridge=vmbr0,firewall=maybe' }))).toEqual({
      net0: "invalid format - format error\nnet0.firewall: type check ('boolean') failed - got 'maybe'\n",
    });
    expect(errorsOf(createVm({ net0: 'rtl9999,bridge=vmbr0' }))?.net0).toContain(
      "net0.model: value 'rtl9999' does not have a value in the enumeration 'e1000, ",
    );
  });

  it('checks drives and lxc mount points against their formats', () => {
    expect(createVm({ scsi0: 'local-lvm:32,iothread=1,ssd=on', efidisk0: 'local-lvm:1,efitype=4m' }).ok).toBe(
      true,
    );
    expect(errorsOf(createVm({ scsi0: 'local-lvm:32,size=12X' }))).toEqual({
      scsi0:
        'invalid format - format error\nscsi0.size: invalid format - value does not look like a valid disk size: 12X\n\n',
    });
    expect(errorsOf(createVm({ virtio0: 'local-lvm:32,cache=fast' }))?.virtio0).toContain(
      "virtio0.cache: value 'fast' does not have a value in the enumeration",
    );
    expect(createCt({ rootfs: 'local-lvm:8', mp0: 'local-lvm:8,mp=/srv,backup=1' }).ok).toBe(true);
    expect(errorsOf(createCt({ rootfs: 'local-lvm:8', mp0: 'local-lvm:8' }))).toEqual({
      mp0: 'invalid format - format error\nmp0.mp: property is missing and it is not optional\n',
    });
    expect(errorsOf(createCt({ net0: 'name=eth0,ip=198.51.100.5' }))).toEqual({
      net0: 'invalid format - format error\nnet0.ip: invalid format - value does not look like a valid ipv4 network configuration\n\n',
    });
  });

  it('checks volume ids and mount point paths inside drives and mount points', () => {
    expect(errorsOf(createVm({ scsi0: 'nostorage,iothread=1' }))).toEqual({
      scsi0:
        "invalid format - format error\nscsi0.file: invalid format - unable to parse volume ID 'nostorage'\n\n",
    });
    expect(createVm({ ide2: 'none,media=cdrom', scsi1: '/dev/sdb' }).ok).toBe(true);
    expect(errorsOf(createCt({ rootfs: 'local-lvm:8', mp0: 'local-lvm:8,mp=/srv/../etc' }))).toEqual({
      mp0: 'invalid format - format error\nmp0.mp: invalid format - /srv/../etc contains illegal character sequences\n\n',
    });
  });

  it('maps net0..net31 to net[n] and refuses net32 and net01 as unknown', () => {
    expect(createVm({ net31: 'virtio,bridge=vmbr0' }).ok).toBe(true);
    const unknown = 'property is not defined in schema and the schema does not allow additional properties';
    expect(errorsOf(createVm({ net32: 'virtio,bridge=vmbr0' }))).toEqual({ net32: unknown });
    expect(errorsOf(createVm({ net01: 'virtio,bridge=vmbr0' }))).toEqual({ net01: unknown });
    expect(errorsOf(createVm({ scsi31: 'local-lvm:8' }))).toEqual({ scsi31: unknown });
    expect(createVm({ scsi30: 'local-lvm:8' }).ok).toBe(true);
  });

  it('checks the named formats the client sends: pool and storage ids', () => {
    expect(errorsOf(createVm({ pool: 'a b' }))).toEqual({
      pool: "invalid format - pool name 'a b' contains invalid characters\n",
    });
    const clone = checkRequestAgainstSchema(schema, 'POST', '/nodes/node01/qemu/100/clone', {
      newid: '150',
      storage: 'x',
    });
    expect(clone).toMatchObject({
      ok: false,
      errors: { storage: "invalid format - storage ID 'x' cannot be shorter than 2 characters\n" },
    });
  });
});

function formatOf(template: string, method: 'GET' | 'POST' | 'PUT', name: string) {
  const format = schema.endpoints[template]?.[method]?.parameters.properties[name]?.format;
  if (typeof format !== 'object') throw new Error(`no format object for ${name}`);
  return format as Parameters<typeof parsePropertyString>[0];
}

describe('create over HTTP', () => {
  let sim: RunningSimulator<SimCluster>;
  const headers = () => ({ Authorization: `PVEAPIToken=${sim.tokenId}=${sim.tokenSecret}` });

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, speed: 200, authFailureDelayMs: 0 });
  });
  afterAll(() => sim.stop());

  it('answers memory=abc with 400 and keeps node memory a number', async () => {
    const host = sim.hosts[0] as string;
    const bad = await call(host, sim.caPem, 'POST', '/api2/json/nodes/node01/qemu', {
      headers: headers(),
      body: { vmid: '150', memory: 'abc', start: '1' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({
      data: null,
      errors: {
        memory: "invalid format - format error\nmemory.current: type check ('integer') failed - got 'abc'\n",
      },
    });
    const good = await call(host, sim.caPem, 'POST', '/api2/json/nodes/node01/qemu', {
      headers: headers(),
      body: { vmid: '151', memory: 'current=2048', start: '1' },
    });
    expect(good.status).toBe(200);
    expect(sim.cluster.guest(151)?.memoryMiB).toBe(2048);
    const status = await call(host, sim.caPem, 'GET', '/api2/json/nodes/node01/status', {
      headers: headers(),
    });
    const memory = (status.json as { data: { memory: { used: unknown; total: unknown } } }).data.memory;
    expect(typeof memory.used).toBe('number');
    expect(typeof memory.total).toBe('number');
  });
});
