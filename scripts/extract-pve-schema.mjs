#!/usr/bin/env node
// Extracts the part of Proxmox's official API schema that pve-chatops uses into
// src/sim/schema/pve-api-<version>.json. The simulator validates every request against it, and
// the client tests check each request against both shipped versions.
//
// Usage: node scripts/extract-pve-schema.mjs DIR
// DIR holds apidoc-9.1.json and apidoc-8.4.json: proxmox/pve-docs api-viewer/apidata.js at each
// release's commit (PROVENANCE below), without its `const apiSchema = … ;` wrapper.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PROVENANCE = {
  9.1: 'proxmox/pve-docs api-viewer/apidata.js at e5010dcea566a205770572cfbc5fe0af220d5077 ("bump version to 9.1.3", 2026-04-30); descriptions and return schemas removed',
  8.4: 'proxmox/pve-docs api-viewer/apidata.js at a3479f7fb6ff571e0096e93508812f069f8855e1 ("bump version to 8.4.0", 2025-04-09); descriptions and return schemas removed',
};

// Every path the client calls or the simulator serves. Add a path here, re-run the script.
const PATHS = [
  '/version',
  '/access/ticket',
  '/access/permissions',
  '/access/acl',
  '/access/users',
  '/access/users/{userid}',
  '/access/groups',
  '/access/groups/{groupid}',
  '/access/roles',
  '/access/roles/{roleid}',
  '/cluster/resources',
  '/cluster/status',
  '/cluster/nextid',
  '/cluster/tasks',
  '/cluster/config/join',
  '/cluster/ha/status/current',
  '/cluster/ha/status/manager_status',
  '/cluster/ha/resources',
  '/cluster/ha/resources/{sid}',
  '/cluster/ha/resources/{sid}/migrate',
  '/cluster/ha/resources/{sid}/relocate',
  '/cluster/ha/rules',
  '/cluster/ha/rules/{rule}',
  '/cluster/ha/groups',
  '/cluster/mapping/pci',
  '/cluster/replication',
  '/cluster/replication/{id}',
  '/cluster/backup',
  '/cluster/backup/{id}',
  '/cluster/backup-info/not-backed-up',
  '/cluster/notifications/endpoints/webhook',
  '/cluster/notifications/endpoints/webhook/{name}',
  '/cluster/notifications/matchers',
  '/cluster/notifications/matchers/{name}',
  '/cluster/notifications/targets',
  '/cluster/notifications/targets/{name}/test',
  '/cluster/notifications/matcher-fields',
  '/cluster/notifications/matcher-field-values',
  '/nodes',
  '/nodes/{node}/status',
  '/nodes/{node}/time',
  '/nodes/{node}/version',
  '/nodes/{node}/storage',
  '/nodes/{node}/storage/{storage}/content',
  '/nodes/{node}/storage/{storage}/content/{volume}',
  '/nodes/{node}/vzdump',
  '/storage',
  '/nodes/{node}/certificates/info',
  '/nodes/{node}/migrateall',
  '/nodes/{node}/qemu',
  '/nodes/{node}/qemu/{vmid}',
  '/nodes/{node}/qemu/{vmid}/config',
  '/nodes/{node}/qemu/{vmid}/status/current',
  '/nodes/{node}/qemu/{vmid}/status/start',
  '/nodes/{node}/qemu/{vmid}/status/stop',
  '/nodes/{node}/qemu/{vmid}/status/shutdown',
  '/nodes/{node}/qemu/{vmid}/status/reboot',
  '/nodes/{node}/qemu/{vmid}/clone',
  '/nodes/{node}/qemu/{vmid}/migrate',
  '/nodes/{node}/qemu/{vmid}/snapshot',
  '/nodes/{node}/qemu/{vmid}/snapshot/{snapname}',
  '/nodes/{node}/qemu/{vmid}/snapshot/{snapname}/config',
  '/nodes/{node}/qemu/{vmid}/snapshot/{snapname}/rollback',
  '/nodes/{node}/lxc',
  '/nodes/{node}/lxc/{vmid}',
  '/nodes/{node}/lxc/{vmid}/config',
  '/nodes/{node}/lxc/{vmid}/status/current',
  '/nodes/{node}/lxc/{vmid}/status/start',
  '/nodes/{node}/lxc/{vmid}/status/stop',
  '/nodes/{node}/lxc/{vmid}/status/shutdown',
  '/nodes/{node}/lxc/{vmid}/status/reboot',
  '/nodes/{node}/lxc/{vmid}/clone',
  '/nodes/{node}/lxc/{vmid}/migrate',
  '/nodes/{node}/lxc/{vmid}/snapshot',
  '/nodes/{node}/lxc/{vmid}/snapshot/{snapname}',
  '/nodes/{node}/lxc/{vmid}/snapshot/{snapname}/config',
  '/nodes/{node}/lxc/{vmid}/snapshot/{snapname}/rollback',
  '/nodes/{node}/tasks',
  '/nodes/{node}/tasks/{upid}',
  '/nodes/{node}/tasks/{upid}/status',
  '/nodes/{node}/tasks/{upid}/log',
  '/nodes/{node}/apt/update',
  '/nodes/{node}/apt/versions',
  '/nodes/{node}/replication',
  '/nodes/{node}/replication/{id}/status',
  '/nodes/{node}/replication/{id}/log',
  '/nodes/{node}/replication/{id}/schedule_now',
];

function flatten(tree, out = new Map()) {
  for (const node of tree) {
    if (node.info) out.set(node.path, node.info);
    if (node.children) flatten(node.children, out);
  }
  return out;
}

// Drops prose (descriptions) at every depth: property-string formats nest whole schemas.
function slimProperty(value) {
  if (Array.isArray(value)) return value.map(slimProperty);
  if (value === null || typeof value !== 'object') return value;
  const out = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key === 'description' || key === 'verbose_description' || key === 'format_description') continue;
    out[key] = slimProperty(inner);
  }
  return out;
}

function slimMethod(method) {
  const properties = Object.fromEntries(
    Object.entries(method.parameters?.properties ?? {}).map(([k, v]) => [k, slimProperty(v)]),
  );
  return {
    name: method.name,
    protected: method.protected ?? 0,
    proxyto: method.proxyto,
    allowtoken: method.allowtoken,
    permissions: method.permissions,
    parameters: { additionalProperties: method.parameters?.additionalProperties ?? 0, properties },
  };
}

const USAGE = `Usage: node scripts/extract-pve-schema.mjs DIR

DIR holds Proxmox's official API schemas ${Object.keys(PROVENANCE)
  .map((version) => `apidoc-${version}.json`)
  .join(' and ')}: the API viewer's data,
api-viewer/apidata.js of proxmox/pve-docs at the commits named in this script's PROVENANCE,
without its \`const apiSchema = … ;\` wrapper. Writes src/sim/schema/pve-api-<version>.json.
`;

const dir = process.argv[2];
if (dir === undefined || dir === '-h' || dir === '--help') {
  process.stderr.write(USAGE);
  process.exit(dir === undefined ? 2 : 0);
}
const missing = Object.keys(PROVENANCE)
  .map((version) => join(dir, `apidoc-${version}.json`))
  .filter((file) => !existsSync(file));
if (missing.length > 0) {
  process.stderr.write(`extract-pve-schema: not found: ${missing.join(', ')}\n\n${USAGE}`);
  process.exit(2);
}
for (const version of Object.keys(PROVENANCE)) {
  const all = flatten(JSON.parse(readFileSync(join(dir, `apidoc-${version}.json`), 'utf8')));
  const endpoints = {};
  for (const path of PATHS) {
    const info = all.get(path);
    if (!info) continue; // e.g. a path that PVE 8.4 does not have
    endpoints[path] = Object.fromEntries(Object.entries(info).map(([m, def]) => [m, slimMethod(def)]));
  }
  const out = { provenance: PROVENANCE[version], version, endpoints };
  const file = new URL(`../src/sim/schema/pve-api-${version}.json`, import.meta.url);
  writeFileSync(file, `${JSON.stringify(out)}\n`);
  console.log(`${version}: ${Object.keys(endpoints).length} of ${PATHS.length} paths -> ${file.pathname}`);
}
