// PVE_CLUSTERS_FILE → ClusterConfig[]: the clusters one bot drives, each with its own hosts, API
// token, certificate check and (for the rolling upgrade) SSH. Every problem is reported at once,
// each with the file, line and column, the path in the document, what is wrong and what would be
// right, so an operator fixes the file in one pass. No token secret is ever part of a message.
import { existsSync, readFileSync } from 'node:fs';
import { type Document, LineCounter, parseDocument, visit } from 'yaml';
import { ConfigError } from '../config-error.js';
import type { ClusterConfig } from './cluster-config-types.js';
import type { PveTls, SshConfig } from './config-types.js';
import { isHttpsHost, redactUrl } from './environment.js';
import { checkPveTls } from './read-pve-config.js';
import { yamlOffsetOf } from './yaml-offset.js';

export type { ClusterConfig } from './cluster-config-types.js';

/** A cluster's name, what `--cluster` takes: 1 to 32 lower-case letters, digits and '-'. */
export const CLUSTER_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** Why `name` cannot name a cluster, or undefined when it can. */
export function clusterNameProblem(name: string): string | undefined {
  if (CLUSTER_NAME_PATTERN.test(name)) return undefined;
  const what =
    name.length > 32
      ? `is ${name.length} characters long`
      : name === ''
        ? 'is empty'
        : `'${name}' is not a cluster name`;
  return `${what}: a cluster name is 1 to 32 lower-case letters, digits and '-', starting with a letter or digit, e.g. prod`;
}

export interface ReadClustersOptions {
  /** Reads the clusters file, tokenSecretFile and caFile; injectable for tests. */
  readTextFile?: (path: string) => string;
  /** Whether the SSH key and known_hosts files are there; injectable for tests. */
  fileExists?: (path: string) => boolean;
}

// PVE's token-id format, the same rule as PVE_TOKEN_ID's (read-pve-config.ts): user@realm!name.
const TOKEN_ID = /^[^\s:@/]+@[A-Za-z][A-Za-z0-9.\-_]+![A-Za-z][A-Za-z0-9.\-_]+$/;
const DEFAULT_SSH_PORT = 22;

const TOP_KEYS = ['clusters'];
const CLUSTER_KEYS = [
  'name',
  'hosts',
  'tokenId',
  'tokenSecret',
  'tokenSecretFile',
  'fingerprints',
  'caFile',
  'insecureSkipTlsVerify',
  'ssh',
];
const SSH_KEYS = ['user', 'port', 'keyFile', 'knownHostsFile'];

type Path = (string | number)[];
type Report = (path: Path, message: string) => void;
type Entry = Record<string, unknown>;

function isEntry(value: unknown): value is Entry {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The allowed key closest to a mistyped one, if any is close (case is ignored). */
function closestKey(key: string, allowed: string[]): string | undefined {
  const lower = key.toLowerCase();
  const scored = allowed
    .map((name) => ({ name, score: editDistance(lower, name.toLowerCase()) }))
    .filter((entry) => entry.score <= Math.max(2, Math.floor(key.length / 3)))
    .sort((a, b) => a.score - b.score);
  return scored[0]?.name;
}

function checkKeys(entry: Entry, allowed: string[], path: Path, report: Report): void {
  for (const key of Object.keys(entry)) {
    if (allowed.includes(key)) continue;
    const close = closestKey(key, allowed);
    report(
      [...path, key],
      `unknown key '${key}'${close ? ` (did you mean '${close}'?)` : ''}; allowed here: ${allowed.join(', ')}`,
    );
  }
}

/**
 * A text setting: its value, or undefined when it is missing (reported with `required`, if
 * given) or is not text. A secret's value is never shown.
 */
function readText(
  entry: Entry,
  key: string,
  path: Path,
  report: Report,
  required: string | undefined,
  secret = false,
): string | undefined {
  const value = entry[key];
  if (value === undefined || value === null) {
    if (required) report([...path, key], `is required: ${required}`);
    return undefined;
  }
  if (typeof value !== 'string') {
    const shown = secret ? 'the value is not shown here' : `got ${JSON.stringify(value)}`;
    report([...path, key], `must be text (${shown}); write it in quotes`);
    return undefined;
  }
  if (value.trim() === '') {
    report([...path, key], `is empty${required ? `: ${required}` : ''}`);
    return undefined;
  }
  return value;
}

function readName(entry: Entry, path: Path, report: Report): string | undefined {
  const name = readText(entry, 'name', path, report, "the cluster's name that --cluster takes, e.g. prod");
  if (name === undefined) return undefined;
  const problem = clusterNameProblem(name);
  if (problem) {
    report([...path, 'name'], problem);
    return undefined;
  }
  return name;
}

function readHosts(entry: Entry, path: Path, report: Report): string[] | undefined {
  const example = '[https://pve1.example.com:8006, https://pve2.example.com:8006]';
  const hosts = entry.hosts;
  if (hosts === undefined || hosts === null) {
    report([...path, 'hosts'], `is required: the cluster's API endpoints, e.g. ${example}`);
    return undefined;
  }
  if (!Array.isArray(hosts) || hosts.length === 0) {
    report([...path, 'hosts'], `must be a list of the cluster's API endpoints, e.g. ${example}`);
    return undefined;
  }
  let ok = true;
  hosts.forEach((host, index) => {
    if (typeof host === 'string' && isHttpsHost(host)) return;
    ok = false;
    const shown = typeof host === 'string' ? `'${redactUrl(host)}'` : JSON.stringify(host);
    report(
      [...path, 'hosts', index],
      `${shown} is not an https://host:port URL (e.g. https://pve1.example.com:8006)`,
    );
  });
  return ok ? (hosts as string[]) : undefined;
}

function readTokenId(entry: Entry, path: Path, report: Report): string | undefined {
  const tokenId = readText(
    entry,
    'tokenId',
    path,
    report,
    'the API token id as user@realm!tokenname, e.g. chatops@pve!bot',
  );
  if (tokenId === undefined) return undefined;
  if (!TOKEN_ID.test(tokenId)) {
    report(
      [...path, 'tokenId'],
      `must look like user@realm!tokenname, e.g. chatops@pve!bot (got '${tokenId}')`,
    );
    return undefined;
  }
  return tokenId;
}

function readTokenSecret(
  entry: Entry,
  path: Path,
  report: Report,
  readTextFile: (path: string) => string,
): string | undefined {
  const hasSecret = entry.tokenSecret !== undefined && entry.tokenSecret !== null;
  const hasFile = entry.tokenSecretFile !== undefined && entry.tokenSecretFile !== null;
  if (hasSecret && hasFile) {
    report(
      [...path, 'tokenSecretFile'],
      'is set together with tokenSecret: keep one of them (tokenSecretFile keeps the secret out of this file)',
    );
    return undefined;
  }
  if (!hasFile) {
    return readText(
      entry,
      'tokenSecret',
      path,
      report,
      'the UUID that `pveum user token add` printed once, or tokenSecretFile: a file holding it',
      true,
    );
  }
  const file = readText(entry, 'tokenSecretFile', path, report, undefined);
  if (file === undefined) return undefined;
  let secret: string;
  try {
    secret = readTextFile(file).trim();
  } catch (error) {
    report(
      [...path, 'tokenSecretFile'],
      `cannot read '${file}': ${(error as Error).message}; point it at a file holding the token's secret`,
    );
    return undefined;
  }
  if (secret === '') {
    report(
      [...path, 'tokenSecretFile'],
      `'${file}' is empty: it must hold the UUID that \`pveum user token add\` printed once`,
    );
    return undefined;
  }
  return secret;
}

function readTls(
  entry: Entry,
  path: Path,
  report: Report,
  readTextFile: (path: string) => string,
): PveTls | undefined {
  let ok = true;
  let fingerprints: string[] = [];
  const listed = entry.fingerprints;
  if (listed !== undefined && listed !== null) {
    if (!Array.isArray(listed) || listed.length === 0) {
      ok = false;
      report(
        [...path, 'fingerprints'],
        "must be a list of the nodes' SHA-256 fingerprints ('pvenode cert info'), e.g. [AA:BB:…]",
      );
    } else {
      listed.forEach((fingerprint, index) => {
        if (typeof fingerprint === 'string') return;
        ok = false;
        report(
          [...path, 'fingerprints', index],
          `must be text such as AA:BB:… (got ${JSON.stringify(fingerprint)}); write it in quotes`,
        );
      });
      if (ok) fingerprints = listed as string[];
    }
  }
  const caFile = readText(entry, 'caFile', path, report, undefined);
  if (entry.caFile !== undefined && entry.caFile !== null && caFile === undefined) ok = false;
  const insecure = entry.insecureSkipTlsVerify;
  if (insecure !== undefined && insecure !== null && typeof insecure !== 'boolean') {
    ok = false;
    report(
      [...path, 'insecureSkipTlsVerify'],
      `must be true or false, without quotes (got ${JSON.stringify(insecure)})`,
    );
  }
  if (!ok) return undefined;
  const names = { fingerprints: 'fingerprints', caFile: 'caFile', insecure: 'insecureSkipTlsVerify' };
  return checkPveTls(
    { fingerprints, caFile, insecure: insecure === true },
    names,
    (name, message) => {
      if (name === names.fingerprints || name === names.caFile) report([...path, name], message);
      else report(path, `${name}: ${message}`);
    },
    readTextFile,
  );
}

function readSshPort(ssh: Entry, path: Path, report: Report): number | undefined {
  const port = ssh.port;
  if (port === undefined || port === null) return DEFAULT_SSH_PORT;
  if (typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535) return port;
  report(
    [...path, 'port'],
    `must be the TCP port of every node's sshd, a whole number from 1 to 65535, e.g. 22 (got ${JSON.stringify(port)})`,
  );
  return undefined;
}

function readSsh(
  entry: Entry,
  clusterPath: Path,
  report: Report,
  fileExists: (path: string) => boolean,
): SshConfig | undefined | 'invalid' {
  const ssh = entry.ssh;
  if (ssh === undefined) return undefined;
  const path = [...clusterPath, 'ssh'];
  if (!isEntry(ssh)) {
    report(
      path,
      'must be a map with user, keyFile, knownHostsFile and (if not 22) port; leave ssh: out if this cluster is not upgraded by the bot',
    );
    return 'invalid';
  }
  checkKeys(ssh, SSH_KEYS, path, report);
  const user = readText(ssh, 'user', path, report, 'the user the worker logs in as on every node, e.g. root');
  const port = readSshPort(ssh, path, report);
  const keyFile = readText(ssh, 'keyFile', path, report, 'the private key file the worker logs in with');
  const knownHostsFile = readText(
    ssh,
    'knownHostsFile',
    path,
    report,
    "a known_hosts file with every node's host key",
  );
  let filesOk = true;
  for (const [key, file] of [
    ['keyFile', keyFile],
    ['knownHostsFile', knownHostsFile],
  ] as const) {
    if (file !== undefined && !fileExists(file)) {
      filesOk = false;
      report([...path, key], `file '${file}' does not exist`);
    }
  }
  if (!user || !keyFile || !knownHostsFile || port === undefined || !filesOk) return 'invalid';
  return { user, keyFile, knownHostsFile, port };
}

function readCluster(
  entry: unknown,
  index: number,
  report: Report,
  options: Required<ReadClustersOptions>,
): ClusterConfig | undefined {
  const path = ['clusters', index];
  if (!isEntry(entry)) {
    report(
      path,
      'must be a map with name, hosts, tokenId, tokenSecret (or tokenSecretFile) and fingerprints (or caFile)',
    );
    return undefined;
  }
  checkKeys(entry, CLUSTER_KEYS, path, report);
  const name = readName(entry, path, report);
  const hosts = readHosts(entry, path, report);
  const tokenId = readTokenId(entry, path, report);
  const tokenSecret = readTokenSecret(entry, path, report, options.readTextFile);
  const tls = readTls(entry, path, report, options.readTextFile);
  const ssh = readSsh(entry, path, report, options.fileExists);
  if (!name || !hosts || !tokenId || !tokenSecret || !tls || ssh === 'invalid') return undefined;
  return { name, pve: { hosts, tokenId, tokenSecret, tls }, ...(ssh ? { ssh } : {}) };
}

function readClusters(
  data: unknown,
  report: Report,
  options: Required<ReadClustersOptions>,
): ClusterConfig[] {
  if (!isEntry(data)) {
    report([], 'must be a map with clusters: a list with one entry per cluster');
    return [];
  }
  checkKeys(data, TOP_KEYS, [], report);
  const entries = data.clusters;
  if (entries === undefined || entries === null) {
    report(['clusters'], 'is required: a list with one entry per cluster (name, hosts, tokenId, …)');
    return [];
  }
  if (!Array.isArray(entries) || entries.length === 0) {
    report(['clusters'], 'must list at least one cluster, each with name, hosts, tokenId, …');
    return [];
  }
  const clusters = entries.map((entry, index) => readCluster(entry, index, report, options));
  const firstWithName = new Map<string, number>();
  entries.forEach((entry, index) => {
    const name = isEntry(entry) && typeof entry.name === 'string' ? entry.name.toLowerCase() : undefined;
    if (name === undefined) return;
    const first = firstWithName.get(name);
    if (first === undefined) firstWithName.set(name, index);
    else {
      report(
        ['clusters', index, 'name'],
        `'${entry.name}' is already the name of clusters.${first}; give every cluster a name of its own`,
      );
    }
  });
  return clusters.filter((cluster) => cluster !== undefined);
}

/** Where the first alias that names no anchor is (its name is not shown: it may be a secret). */
function unresolvedAliasOffset(document: Document): number | undefined {
  let offset: number | undefined;
  visit(document, {
    Alias(_key, node) {
      if (node.resolve(document) !== undefined) return undefined;
      offset = node.range?.[0];
      return visit.BREAK;
    },
  });
  return offset;
}

/** Parses a clusters file's text; `fileName` names it in messages. */
function parseClusters(
  text: string,
  fileName: string,
  options: Required<ReadClustersOptions>,
): ClusterConfig[] {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const at = (offset: number | undefined) => {
    if (offset === undefined) return fileName;
    const { line, col } = lineCounter.linePos(offset);
    return `${fileName}:${line}:${col}`;
  };
  const quoteHint = 'write a value that starts with * ! & @ ` % or | in quotes';
  const yamlProblems = [
    ...document.errors.map((error) => `${at(error.pos[0])}: not valid YAML: ${error.message.split('\n')[0]}`),
    // An unknown tag (a value starting with '!') would silently drop part of the value; its
    // message is not shown, as it repeats the value.
    ...document.warnings
      .filter((warning) => warning.code === 'TAG_RESOLVE_FAILED')
      .map((warning) => `${at(warning.pos[0])}: not valid YAML: an unknown tag; ${quoteHint}`),
  ];
  if (yamlProblems.length > 0) throw new ConfigError(yamlProblems);
  let data: unknown;
  try {
    data = document.toJS();
  } catch {
    throw new ConfigError([
      `${at(unresolvedAliasOffset(document))}: not valid YAML: an alias (*name) with no anchor; ${quoteHint}`,
    ]);
  }
  if (data === null || data === undefined) {
    throw new ConfigError([
      `${fileName}: the file is empty; write clusters: with one entry per cluster (name, hosts, tokenId, tokenSecret, fingerprints)`,
    ]);
  }
  const problems: { offset: number; text: string }[] = [];
  const report: Report = (path, message) => {
    const offset = yamlOffsetOf(document.contents, path);
    const place = path.length > 0 ? path.join('.') : '(top level)';
    problems.push({ offset: offset ?? -1, text: `${at(offset)}: ${place}: ${message}` });
  };
  const clusters = readClusters(data, report, options);
  if (problems.length > 0) {
    // In the order of the file, so the list reads top to bottom (the sort is stable).
    throw new ConfigError(problems.sort((a, b) => a.offset - b.offset).map((problem) => problem.text));
  }
  return clusters;
}

/**
 * Reads and checks PVE_CLUSTERS_FILE. Throws one ConfigError listing every problem, each as
 * `file:line:col: clusters.1.tokenId: what is wrong; what would be right`.
 */
export function readClustersFile(file: string, options: ReadClustersOptions = {}): ClusterConfig[] {
  const resolved: Required<ReadClustersOptions> = {
    readTextFile: options.readTextFile ?? ((path) => readFileSync(path, 'utf8')),
    fileExists: options.fileExists ?? existsSync,
  };
  let text: string;
  try {
    text = resolved.readTextFile(file);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
    throw new ConfigError([
      `${file}: the file ${reason} (${(error as Error).message}); point PVE_CLUSTERS_FILE at the clusters YAML, or unset it to drive one cluster from the PVE_* variables`,
    ]);
  }
  return parseClusters(text, file, resolved);
}
