// Anonymises recorded PVE answers with stable placeholders: within one run the same real value
// always becomes the same placeholder, in every file, in keys, values, paths and inside longer
// strings (UPIDs, HA status texts, log lines, config paths). Only strings change: numbers,
// booleans, null, keys (except node names used as keys) and the shape stay exactly as received.
//
// What changes (see the README, "Recording your cluster"):
//   node names → node01, node02, … (sorted by real name); cluster name → MonCluster;
//   guest names → guest-<vmid>; pools → pool1…; tags → tag1…; descriptions/comments → placeholders;
//   IPv4 → 192.0.2.x (then 198.51.100.x, 203.0.113.x); IPv6 → 2001:db8::x; MACs → BC:24:11:00:00:xx;
//   fingerprints → AA:…:AA:xx; PEM blocks, SSH keys, UUIDs, secrets, serials → placeholders;
//   users → chatops@pve!bot (the recording token) / userN@pve; host names and domains → example.com.
// What stays: vmids, storage names (they name pools of disks, not people or places, and volids and
// the simulator's storages depend on them), root@pam, loopback addresses, versions, package data,
// timestamps, sizes and every number.

import { isIPv4, isIPv6 } from 'node:net';
import { JsonNumber, type JsonValue } from './json-text.js';

/** Keys whose values are product facts (versions, packages, kinds): never rewritten. */
const KEEP_KEYS = new Set([
  'Package',
  'Title',
  'Description',
  'Version',
  'OldVersion',
  'NotifyStatus',
  'Origin',
  'Section',
  'Priority',
  'Arch',
  'CurrentState',
  'RunningKernel',
  'ManagerVersion',
  'version',
  'release',
  'repoid',
  'kversion',
  'pveversion',
  'running-machine',
  'running-qemu',
  'model',
  'flags',
  'sysname',
  'machine',
  'timezone',
  'public-key-type',
  'filename',
  'digest',
  'config_digest',
  'content',
  'plugintype',
  'type',
  'console',
]);
const FREE_TEXT_KEYS = /^(description|comment|comments|notes)$/;
const SECRET_KEYS = /(secret|password|passwd|^token$|private|authkey|^key$|^value$)/i;
const SERIAL_KEYS = /serial/i;
/** Keys whose values name hosts: any dotted host name left there is replaced. */
const HOST_KEYS =
  /^(san|subject|issuer|hostname|ring\d_addr|pve_addr|address|server|dns\d?|searchdomain|domain)$/;

/** What PVE writes into the certificates it makes itself (pve-cluster Setup.pm gen_pve_*). */
const PVE_DN_WORDS = new Set(['Proxmox Virtual Environment', 'PVE Cluster Node', 'PVE Cluster Manager CA']);

const PEM = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
const SSH_KEY = /\b(ssh-(?:rsa|dss|ed25519)|ecdsa-sha2-nistp\d+|sk-[a-z0-9@.-]+) AAAA[0-9A-Za-z+/]+=*/g;
const UUID = /\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b/g;
const FINGERPRINT = /(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{2}:){15,}[0-9A-Fa-f]{2}(?![0-9A-Fa-f:])/g;
const MAC = /(?<![0-9A-Fa-f:-])[0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}(?![0-9A-Fa-f:-])/g;
const IPV6 =
  /(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?:\/\d{1,3})?(?![\w:])/g;
const IPV4 = /(?<![\d.])(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})(\/\d{1,2})?(?![\d]|\.\d)/g;
const USER =
  /(?<![\w.@-])([A-Za-z0-9._-]+)@([A-Za-z][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*)(?:!([A-Za-z][A-Za-z0-9._-]*))?/g;
const DOTTED_HOST = /(?<![\w.-])(?:[A-Za-z0-9-]+\.)+[A-Za-z][A-Za-z0-9-]*(?![\w.-])/g;
const NAME_CHARS = 'A-Za-z0-9_';

export interface AnonymiserOptions {
  /** The token the recording ran with (`user@realm!name`): it becomes chatops@pve!bot. */
  tokenId: string;
}

/** Counter-backed placeholders: one per distinct real value. */
class PlaceholderMap {
  private readonly map = new Map<string, string>();
  private readonly make: (n: number) => string;
  constructor(make: (n: number) => string) {
    this.make = make;
  }
  get(real: string): string {
    let placeholder = this.map.get(real);
    if (placeholder === undefined) {
      placeholder = this.make(this.map.size + 1);
      this.map.set(real, placeholder);
    }
    return placeholder;
  }
  get size(): number {
    return this.map.size;
  }
}

const hex2 = (n: number) => (n % 256).toString(16).toUpperCase().padStart(2, '0');

export class Anonymiser {
  private readonly nodes = new Map<string, string>();
  private readonly guests = new Map<string, string>();
  private readonly clusterNames = new Set<string>();
  private readonly pools = new Set<string>();
  private readonly domains = new Set<string>();
  private readonly hostLabels = new Set<string>();
  private literals: { regex: RegExp | undefined; map: Map<string, string> } | undefined;
  private domainRegex: RegExp | undefined;

  private readonly ipv4 = new PlaceholderMap((n) => {
    const nets = ['192.0.2', '198.51.100', '203.0.113'];
    return `${nets[Math.floor((n - 1) / 254) % 3]}.${((n - 1) % 254) + 1}`;
  });
  private readonly ipv6 = new PlaceholderMap((n) => `2001:db8::${n.toString(16)}`);
  private readonly macs = new PlaceholderMap((n) => `BC:24:11:00:${hex2(Math.floor(n / 256))}:${hex2(n)}`);
  private readonly fingerprints = new Map<number, PlaceholderMap>();
  private readonly uuids = new PlaceholderMap(
    (n) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`,
  );
  private readonly pems = new PlaceholderMap((n) => `MIIBplaceholder${n}`);
  private readonly sshKeys = new PlaceholderMap((n) => `AAAAplaceholder${n}`);
  private readonly users = new PlaceholderMap((n) => `user${n}`);
  private readonly tokens = new PlaceholderMap((n) => `token${n}`);
  private readonly texts = new PlaceholderMap((n) => `text-${n}`);
  private readonly tags = new PlaceholderMap((n) => `tag${n}`);
  private readonly secrets = new PlaceholderMap((n) => `secret-${n}`);
  private readonly serials = new PlaceholderMap((n) => `serial-${n}`);
  private readonly hosts = new PlaceholderMap((n) => `host${n}`);
  private readonly organisations = new PlaceholderMap((n) => `org${n}`);
  private readonly poolNames = new PlaceholderMap((n) => `pool${n}`);
  private readonly recordingUser: string;

  private readonly options: AnonymiserOptions;

  constructor(options: AnonymiserOptions) {
    this.options = options;
    this.recordingUser = options.tokenId.split('!')[0] ?? '';
  }

  /** The node names of the cluster; node01… are given in the order of the sorted real names. */
  addNodes(names: Iterable<string>): void {
    const all = new Set([...this.nodes.keys(), ...names]);
    this.nodes.clear();
    [...all]
      .filter((name) => name !== '')
      .sort()
      .forEach((name, i) => {
        this.nodes.set(name, `node${String(i + 1).padStart(2, '0')}`);
      });
    this.literals = undefined;
  }

  /**
   * Learns the names to replace from the answers of one GET (the node list, the cluster name,
   * guest names, pools, the domains of the certificates). Call for every answer before rewriting.
   */
  learn(path: string, body: JsonValue): void {
    const data = isObject(body) ? body.data : undefined;
    const items = Array.isArray(data) ? data.filter(isObject) : isObject(data) ? [data] : [];
    const nodeNames: string[] = [];
    for (const item of items) {
      const type = typeof item.type === 'string' ? item.type : undefined;
      if (path === '/nodes' && typeof item.node === 'string') nodeNames.push(item.node);
      if (path.startsWith('/cluster/resources') && typeof item.node === 'string') nodeNames.push(item.node);
      if (path === '/cluster/status') {
        if (type === 'node' && typeof item.name === 'string') nodeNames.push(item.name);
        if (type === 'cluster' && typeof item.name === 'string') this.clusterNames.add(item.name);
      }
      if ((type === 'qemu' || type === 'lxc' || /\/(qemu|lxc)\/\d+\//.test(path)) && 'vmid' in item) {
        const vmid = item.vmid instanceof JsonNumber ? item.vmid.text : String(item.vmid);
        if (typeof item.name === 'string' && item.name !== '') this.guests.set(item.name, `guest-${vmid}`);
      }
      if (typeof item.pool === 'string' && item.pool !== '') this.pools.add(item.pool);
      if (path === '/cluster/config/join') {
        const totem = item.totem;
        if (isObject(totem) && typeof totem.cluster_name === 'string')
          this.clusterNames.add(totem.cluster_name);
        for (const entry of Array.isArray(item.nodelist) ? item.nodelist.filter(isObject) : []) {
          if (typeof entry.name === 'string') nodeNames.push(entry.name);
        }
      }
      if (path.endsWith('/certificates/info')) {
        const names = [...(Array.isArray(item.san) ? item.san : []), item.subject];
        for (const name of names) {
          if (typeof name !== 'string') continue;
          for (const host of name.match(DOTTED_HOST) ?? []) this.learnHost(host);
        }
      }
    }
    if (nodeNames.length > 0) this.addNodes(nodeNames);
    this.literals = undefined;
  }

  private learnHost(host: string): void {
    if (isIPv4(host) || /\.(pem|key|conf|cfg)$/.test(host)) return;
    const [first, ...rest] = host.split('.');
    if (rest.length === 0 || !first) return;
    this.domains.add(rest.join('.'));
    if (!this.nodes.has(first) && first !== 'localhost') this.hostLabels.add(first);
  }

  /** The placeholder of a real node name (the name itself if it is not a known node). */
  node(name: string): string {
    return this.nodes.get(name) ?? this.text(name);
  }

  /** Rewrites one answer body (or any JSON value); `key` is the key it sits under. */
  value(value: JsonValue, key?: string, parent?: Record<string, JsonValue>): JsonValue {
    if (value === null || typeof value === 'boolean' || value instanceof JsonNumber) return value;
    if (typeof value === 'string') return this.stringUnder(value, key, parent);
    if (Array.isArray(value)) return value.map((item) => this.value(item, key, parent));
    const out = Object.create(null) as Record<string, JsonValue>;
    for (const [k, v] of Object.entries(value)) {
      out[this.nodes.get(k) ?? k] = this.value(v, k, value);
    }
    return out;
  }

  private stringUnder(value: string, key: string | undefined, parent?: Record<string, JsonValue>): string {
    if (key === undefined) return this.text(value);
    if (KEEP_KEYS.has(key)) return value;
    if (value === '') return value;
    if (FREE_TEXT_KEYS.test(key)) return this.texts.get(value);
    if (key === 'tags') return value.replace(/[^;,\s]+/g, (tag) => this.tags.get(tag));
    if (key === 'tokenid') {
      // A task's token name; its user is in `user` beside it (PVE 8.1+ splits them).
      const user = typeof parent?.user === 'string' ? parent.user : '';
      return this.tokenName(user, value);
    }
    if (SERIAL_KEYS.test(key)) return this.serials.get(value);
    if (SECRET_KEYS.test(key)) return this.secrets.get(value);
    if ((key === 'name' || key === 'hostname') && parent && 'vmid' in parent && !this.nodes.has(value)) {
      const vmid = parent.vmid instanceof JsonNumber ? parent.vmid.text : String(parent.vmid);
      return `guest-${vmid}`;
    }
    const text = this.text(value);
    if (key === 'subject' || key === 'issuer') return this.hostNames(this.distinguishedName(text));
    return HOST_KEYS.test(key) ? this.hostNames(text) : text;
  }

  /**
   * A certificate's subject or issuer: organisation, unit, place and e-mail attributes name the
   * operator's company and site (a custom or ACME certificate), so each value becomes a
   * placeholder; the words PVE itself writes into its own certificates are kept, and CN is left
   * to the host name rules.
   */
  private distinguishedName(text: string): string {
    return text.replace(
      /(^|[/,]\s*)(O|OU|L|ST|C|emailAddress|E)=([^/,]*)/g,
      (whole, lead: string, attribute: string, value: string) =>
        PVE_DN_WORDS.has(value.trim()) || /^(?:MonCluster|\{?[0-9a-f-]{36}\}?|org\d+)$/i.test(value.trim())
          ? whole
          : `${lead}${attribute}=${this.organisations.get(`${attribute}=${value.trim()}`)}`,
    );
  }

  /** Any dotted host name left (not a file name) becomes hostN.example.com. */
  private hostNames(text: string): string {
    return text.replace(DOTTED_HOST, (host) => {
      if (/\.example\.com$/.test(host) || host === 'example.com') return host;
      if (/\.(pem|key|conf|cfg|crt)$/.test(host)) return host;
      const [first] = host.split('.');
      const label =
        this.nodes.get(first ?? '') ?? (/^node\d\d$/.test(first ?? '') ? first : this.hosts.get(first ?? ''));
      return `${label}.example.com`;
    });
  }

  /** Rewrites a free string: a path, a UPID, a status text, a log line, an error message. */
  text(value: string): string {
    let s = value;
    s = s.replace(
      PEM,
      (_m, label: string) => `-----BEGIN ${label}-----\n${this.pems.get(_m)}\n-----END ${label}-----`,
    );
    s = s.replace(SSH_KEY, (m, kind: string) => `${kind} ${this.sshKeys.get(m)}`);
    s = s.replace(UUID, (m) => this.uuids.get(m.toLowerCase()));
    s = s.replace(FINGERPRINT, (m) => this.fingerprint(m));
    s = s.replace(MAC, (m) => {
      const placeholder = this.macs.get(m.toUpperCase().replaceAll('-', ':'));
      const formatted = m.includes('-') ? placeholder.replaceAll(':', '-') : placeholder;
      return m === m.toLowerCase() ? formatted.toLowerCase() : formatted;
    });
    s = s.replace(IPV6, (m) => this.ipv6Address(m));
    s = s.replace(IPV4, (m, ip: string, cidr: string | undefined) => {
      if (!isIPv4(ip) || ip === '127.0.0.1' || ip === '0.0.0.0' || ip.startsWith('255.')) return m;
      return `${this.ipv4.get(ip)}${cidr ?? ''}`;
    });
    // User ids are set aside while names are replaced: the realm `pve` is not the node `pve`.
    const ids: string[] = [];
    s = s.replace(USER, (m, user: string, realm: string, token: string | undefined) => {
      ids.push(this.userId(m, user, realm, token));
      return `\uE000${ids.length - 1}\uE000`;
    });
    s = this.replaceLiterals(s);
    return s.replace(/\uE000(\d+)\uE000/g, (_m, i: string) => ids[Number(i)] ?? '');
  }

  private fingerprint(real: string): string {
    const bytes = real.split(':').length;
    let map = this.fingerprints.get(bytes);
    if (!map) {
      map = new PlaceholderMap((n) => [...Array(bytes - 1).fill('AA'), hex2(n)].join(':'));
      this.fingerprints.set(bytes, map);
    }
    const placeholder = map.get(real.toUpperCase());
    return real === real.toLowerCase() ? placeholder.toLowerCase() : placeholder;
  }

  private ipv6Address(candidate: string): string {
    const [ip = '', cidr] = candidate.split('/');
    if (!isIPv6(ip)) return candidate;
    const canonical = new URL(`http://[${ip}]`).hostname.slice(1, -1);
    if (canonical === '::1' || canonical === '::') return candidate;
    return `${this.ipv6.get(canonical)}${cidr === undefined ? '' : `/${cidr}`}`;
  }

  private userId(_match: string, user: string, realm: string, token: string | undefined): string {
    // `root@10.0.0.2` never gets here (the realm must start with a letter); `root@pve2` (ssh to a
    // node) keeps its shape with the node's placeholder.
    const builtInRealm = realm === 'pam' || realm === 'pve';
    if (!builtInRealm && (this.nodes.has(realm) || realm.includes('.'))) {
      const who = user === 'root' ? 'root' : this.users.get(user);
      const host = this.nodes.get(realm) ?? this.hostNames(this.replaceLiterals(realm));
      return `${who}@${host}${token === undefined ? '' : `!${this.tokens.get(token)}`}`;
    }
    const id = `${user}@${realm}`;
    const placeholder =
      id === this.recordingUser ? 'chatops@pve' : id === 'root@pam' ? id : `${this.users.get(id)}@pve`;
    return token === undefined ? placeholder : `${placeholder}!${this.tokenName(id, token)}`;
  }

  /** `bot` for the recording token, tokenN for any other (the same for the same user and name). */
  private tokenName(userId: string, token: string): string {
    return `${userId}!${token}` === this.options.tokenId ? 'bot' : this.tokens.get(`${userId}!${token}`);
  }

  private replaceLiterals(s: string): string {
    if (!this.literals) {
      const map = new Map<string, string>();
      for (const host of this.hostLabels) map.set(host, this.hosts.get(host));
      for (const pool of this.pools) map.set(pool, this.poolNames.get(pool));
      for (const [name, placeholder] of this.guests) map.set(name, placeholder);
      for (const name of this.clusterNames) map.set(name, 'MonCluster');
      for (const [name, placeholder] of this.nodes) map.set(name, placeholder);
      this.literals = { regex: tokenRegex([...map.keys()], true), map };
      // A learned domain is replaced where it ends a dotted name (pve1.lab.example.org).
      this.domainRegex =
        this.domains.size > 0
          ? new RegExp(
              `\\.(?:${[...this.domains].sort(longestFirst).map(escapeRegExp).join('|')})(?![${NAME_CHARS}.-])`,
              'g',
            )
          : undefined;
    }
    const { regex, map } = this.literals;
    let out = regex ? s.replace(regex, (m) => map.get(m) ?? m) : s;
    if (this.domainRegex) out = out.replace(this.domainRegex, '.example.com');
    return this.domains.has(out) ? 'example.com' : out;
  }
}

function isObject(value: unknown): value is Record<string, JsonValue> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof JsonNumber)
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function longestFirst(a: string, b: string): number {
  return b.length - a.length;
}

/** One regex for whole-token matches: not inside a longer name (pve1 in pve10, pve in pve-manager). */
function tokenRegex(names: string[], allowDotAfter: boolean): RegExp | undefined {
  const body = names
    .filter((n) => n !== '')
    .sort(longestFirst)
    .map(escapeRegExp)
    .join('|');
  if (!body) return undefined;
  const after = allowDotAfter ? `[${NAME_CHARS}-]` : `[${NAME_CHARS}.-]`;
  // /etc/pve, /var/lib/pve… are PVE's own directories even on a node named pve.
  return new RegExp(`(?<![${NAME_CHARS}.-])(?<!/etc/|/var/lib/|/var/log/|/run/)(?:${body})(?!${after})`, 'g');
}
