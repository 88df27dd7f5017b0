// String formats from PVE's JSONSchema `register_format` calls, for the formats this product's
// endpoints use. Each validator returns PVE's own die message (without "invalid format - "), or
// null when the value is fine. Wording is copied from pve-common's JSONSchema.pm where it lives
// there, and kept close for the formats registered elsewhere (pve-guest-common, pve-ha-manager).

import { isIPv4, isIPv6 } from 'node:net';
import { groupnameError, rolenameError, tokenIdError, usernameError } from '../access-ids.js';

type FormatValidator = (value: string) => string | null;

const NODE_RE = /^([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)$/;
const DNS_LABEL = '([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)';
const DNS_NAME_RE = new RegExp(`^(${DNS_LABEL}\\.)*${DNS_LABEL}$`);

const vmid: FormatValidator = (v) =>
  /^[1-9][0-9]{2,8}$/.test(v) ? null : 'value does not look like a valid VM ID';

const dnsName: FormatValidator = (v) =>
  DNS_NAME_RE.test(v) ? null : 'value does not look like a valid DNS name';

// pve-common JSONSchema.pm parse_id (the length check since pve-common 9.1.7, fix #7077).
const storageId: FormatValidator = (v) => {
  if ([...v].length < 2) return `storage ID '${v}' cannot be shorter than 2 characters`;
  return /^[a-z][a-z0-9\-_.]*[a-z0-9]$/i.test(v) ? null : `storage ID '${v}' contains illegal characters`;
};

// JSONSchema.pm pve_verify_cidrv4 / pve_verify_cidrv6 (prefix above 7).
const cidrv4 = (v: string) => cidrPrefixOk(v, 4);
const cidrv6 = (v: string) => cidrPrefixOk(v, 6);

function cidrPrefixOk(value: string, family: 4 | 6): boolean {
  const slash = value.lastIndexOf('/');
  if (slash < 0) return false;
  const address = value.slice(0, slash);
  const bits = value.slice(slash + 1);
  if (!/^\d+$/.test(bits)) return false;
  const n = Number(bits);
  return family === 4 ? isIPv4(address) && n > 7 && n <= 32 : isIPv6(address) && n > 7 && n <= 128;
}

/** `storage-pair` entries per JSONSchema.pm parse_idmap: `1`, `source:target` or a default target. */
const storagePair: FormatValidator = (entry) => {
  if (entry === '1') return null;
  const pair = /^([^:]+):([^:]+)$/.exec(entry);
  const ids = pair ? [pair[1] as string, pair[2] as string] : [entry];
  for (const id of ids) {
    const error = storageId(id);
    if (error) return `entry '${entry}' contains invalid ID - ${error}`;
  }
  return null;
};

const volumeId: FormatValidator = (v) =>
  /^([a-z][a-z0-9\-_.]*[a-z0-9]):(.+)$/i.test(v) ? null : `unable to parse volume ID '${v}'`;

const HA_NODE_RE = /^([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)(:\d+)?$/;

const EMAIL_USER = '[\\w+\\-~]+(\\.[\\w+\\-~]+)*';
const EMAIL_RE = new RegExp(`^${EMAIL_USER}@[a-zA-Z0-9\\-]+(\\.[a-zA-Z0-9\\-]+)*$`);

const STARTUP_PART_RE = /^(?:(order=)?\d+|up=\d+|down=\d+)$/;

const FORMATS: Record<string, FormatValidator> = {
  // pve-common JSONSchema.pm pve_verify_mac_addr: unicast only (the I/G bit clear).
  'mac-addr': (v) =>
    /^[a-f0-9][02468ace](?::[a-f0-9]{2}){5}$/i.test(v)
      ? null
      : 'value does not look like a valid unicast MAC address',
  // JSONSchema.pm parse_bridge_id.
  'pve-bridge-id': (v) => (/^[-_.\w\d]+$/.test(v) ? null : `invalid bridge ID '${v}'`),
  // JSONSchema.pm pve_verify_ipv4 / pve_verify_ipv6 / pve_verify_ip.
  ipv4: (v) => (isIPv4(v) ? null : 'value does not look like a valid IPv4 address'),
  ipv6: (v) => (isIPv6(v) ? null : 'value does not look like a valid IPv6 address'),
  ip: (v) => (isIPv4(v) || isIPv6(v) ? null : 'value does not look like a valid IP address'),
  CIDRv4: (v) => (cidrv4(v) ? null : 'value does not look like a valid IPv4 CIDR network'),
  CIDRv6: (v) => (cidrv6(v) ? null : 'value does not look like a valid IPv6 CIDR network'),
  // JSONSchema.pm pve_verify_ipv4_config / pve_verify_ipv6_config (lxc net[n] ip / ip6).
  'pve-ipv4-config': (v) =>
    /^(?:dhcp|manual)$/.test(v) || cidrv4(v)
      ? null
      : 'value does not look like a valid ipv4 network configuration',
  'pve-ipv6-config': (v) =>
    /^(?:auto|dhcp|manual)$/.test(v) || cidrv6(v)
      ? null
      : 'value does not look like a valid ipv6 network configuration',
  // JSONSchema.pm pve_verify_disk_size via parse_size.
  'disk-size': (v) =>
    /^(\d+(\.\d+)?)([KMGT](?:iB)?)?$/.test(v) ? null : `value does not look like a valid disk size: ${v}`,
  // pve-access-control src/PVE/AccessControl.pm verify_poolname.
  'pve-poolid': (v) => {
    if (v.split('/').length > 3) return `pool name '${v}' nested too deeply (max levels = 3)`;
    return /^[A-Za-z0-9.\-_]+(?:\/[A-Za-z0-9.\-_]+){0,2}$/.test(v)
      ? null
      : `pool name '${v}' contains invalid characters`;
  },
  // pve-storage src/PVE/Storage/Plugin.pm parse_volume_id, and qemu-server src/PVE/QemuServer.pm
  // verify_volume_id_or_absolute_path / verify_volume_id_or_qm_path (drive `file`, `import-from`).
  'pve-volume-id': volumeId,
  'pve-volume-id-or-absolute-path': (v) => (v.startsWith('/') ? null : volumeId(v)),
  'pve-volume-id-or-qm-path': (v) =>
    v === 'none' || v === 'cdrom' || v.startsWith('/') ? null : volumeId(v),
  // pve-container src/PVE/LXC/Config.pm verify_lxc_mp_string (mp[n] `mp`).
  'pve-lxc-mp-string': (v) =>
    /\/\.\.?\//.test(v) || /\/\.\.?$/.test(v) || /^\.\.\//.test(v)
      ? `${v} contains illegal character sequences`
      : null,
  'pve-node': (v) => (NODE_RE.test(v) ? null : 'value does not look like a valid node name'),
  // pve-access-control: PVE::Auth::Plugin verify_username, AccessControl.pm verify_groupname,
  // verify_rolename and pve_verify_tokenid.
  'pve-userid': usernameError,
  'pve-groupid': groupnameError,
  'pve-roleid': rolenameError,
  'pve-tokenid': tokenIdError,
  // pve-common JSONSchema.pm pve_verify_email with PVE::ParseUtils $EMAIL_RE.
  email: (v) => (EMAIL_RE.test(v) ? null : 'value does not look like a valid email address'),
  'pve-vmid': vmid,
  'pve-configid': (v) => (/^[a-z][a-z0-9_-]+$/i.test(v) ? null : `invalid configuration ID '${v}'`),
  'pve-storage-id': storageId,
  'dns-name': dnsName,
  address: (v) =>
    isIPv4(v) || isIPv6(v) || DNS_NAME_RE.test(v) ? null : `value does not look like a valid address: ${v}`,
  CIDR: (v) => (cidrv4(v) || cidrv6(v) ? null : 'value does not look like a valid CIDR network'),
  urlencoded: (v) => (/^[-%a-zA-Z0-9_.!~*'()]*$/.test(v) ? null : `invalid urlencoded string: ${v}`),
  'pve-realm': (v) => (/^[A-Za-z][A-Za-z0-9.\-_]+$/.test(v) ? null : `invalid realm ID '${v}'`),
  'pve-tag': (v) => (/^[a-z0-9_][a-z0-9_\-+.]*$/i.test(v) ? null : 'invalid characters in tag'),
  'pve-task-status-type': (v) => (/^(ok|error|warning|unknown)$/i.test(v) ? null : `invalid status '${v}'`),
  'storage-pair': storagePair,
  'pve-startup-order': (v) => {
    const parts = v.split(',').filter((p) => !/^\s*$/.test(p));
    return v !== '' && parts.every((p) => STARTUP_PART_RE.test(p)) ? null : 'unable to parse startup options';
  },
  // pve-guest-common ReplicationConfig: `<guest>-<jobnum>`, the guest part a valid VM ID.
  'pve-replication-job-id': (v) => {
    const m = /^(\d+)-(\d+)$/.exec(v);
    return m && Number(m[1]) >= 100 ? null : `invalid replication job id '${v}'`;
  },
  // pve-ha-manager PVE::HA::Tools: `<type>:<name>` (rules' `resources` is a list of these)…
  'pve-ha-resource-id': (v) =>
    /^[a-z]+:\S+$/.test(v) ? null : 'value does not look like a valid ha resource id',
  // …and `<node>[:<priority>]` (rules' `nodes`; 8.x groups call it pve-ha-group-node).
  'pve-ha-node': (v) => (HA_NODE_RE.test(v) ? null : 'value does not look like a valid ha node'),
  'pve-ha-group-node': (v) => (HA_NODE_RE.test(v) ? null : 'value does not look like a valid ha group node'),
  // pve-ha-manager: `vm:100`, `ct:101`, or a bare VM ID that means `vm:<id>`.
  'pve-ha-resource-or-vm-id': (v) => {
    if (/^[1-9][0-9]{2,8}$/.test(v)) return null;
    const m = /^(\w+):(\S+)$/.exec(v);
    if (!m) return `unable to parse HA resource id '${v}'`;
    if ((m[1] === 'vm' || m[1] === 'ct') && vmid(m[2] as string))
      return `unable to parse HA resource id '${v}'`;
    return null;
  },
};

/** PVE::Tools::split_list: NUL-separated if it contains a NUL, else split on commas, semicolons, spaces. */
export function splitList(text: string): string[] {
  if (text.includes('\0')) return text.split('\0');
  return text
    .replace(/[,;]/g, ' ')
    .split(/\s+/)
    .filter((item) => item !== '');
}

/**
 * Checks `value` against a named format the way JSONSchema.pm check_format does, including the
 * `-list` (every entry) and `-opt` (only when non-empty) suffixes. Returns the error or null.
 *
 * Inline property-string formats (objects) are parsed in check-prop.ts. Named formats not in the
 * table above (calendar events, cpusets, volume IDs, and the hash formats the official schema
 * only names, such as `pve-vm-cpu-conf` or `pve-qm-boot`) are accepted unchecked: the schema
 * file does not carry their definitions.
 */
export function checkFormat(format: string, value: string): string | null {
  const m = /^(.*?)(?:-(list|opt))?$/.exec(format);
  const name = m?.[1] ?? format;
  const kind = m?.[2] ?? 'none';
  const validator = FORMATS[name];
  if (!validator) return null;
  if (kind === 'list') {
    for (const entry of splitList(value)) {
      const error = validator(entry);
      if (error) return error;
    }
    return null;
  }
  if (kind === 'opt' && !value) return null;
  return validator(value);
}
