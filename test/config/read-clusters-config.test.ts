import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CLUSTER_NAME_PATTERN,
  clusterNameProblem,
  readClustersFile,
} from '../../src/config/read-clusters-config.js';
import { ConfigError } from '../../src/config-error.js';

const FP = Array.from({ length: 32 }, (_, i) => (i * 7).toString(16).padStart(2, '0').slice(-2)).join(':');
const SECRET = '3f0c1d2e-aaaa-4bbb-8ccc-0123456789ab';
const FILE_SECRET = '9e8d7c6b-dddd-4eee-8fff-ba9876543210';
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

/** A temp dir holding `files` (name → content); returns its path. */
function directoryWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'clusters-config-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

/** The problems of a clusters file of `lines`, the file's path written as FILE. */
function problemsOfFile(lines: string[], extraFiles: Record<string, string> = {}): string[] {
  const dir = directoryWith(extraFiles);
  const file = join(dir, 'clusters.yml');
  writeFileSync(file, `${lines.join('\n').replaceAll('DIR', dir)}\n`);
  return problemsOf(() => readClustersFile(file)).map((p) => p.replaceAll(dir, 'DIR'));
}

describe('readClustersFile', () => {
  it('reads two clusters: fingerprints with an inline secret, a CA file with a secret file, SSH', () => {
    const dir = directoryWith({
      'lab-token': `\n  ${FILE_SECRET}  \n\n`,
      'lab-ca.pem': PEM,
      prod_ed25519: 'not read by the config reader\n',
      prod_known_hosts: '',
    });
    const file = join(dir, 'clusters.yml');
    writeFileSync(
      file,
      [
        '# the clusters one bot drives',
        'clusters:',
        '  - name: prod',
        '    hosts: [https://pve1.example.com:8006, https://pve2.example.com:8006]',
        '    tokenId: chatops@pve!bot',
        `    tokenSecret: ${SECRET}`,
        `    fingerprints: [${FP.toLowerCase()}]`,
        '    ssh:',
        '      user: root',
        `      keyFile: ${dir}/prod_ed25519`,
        `      knownHostsFile: ${dir}/prod_known_hosts`,
        '  - name: lab-2',
        '    hosts:',
        '      - https://127.20.2.101:8006',
        '    tokenId: ops@pam!lab',
        `    tokenSecretFile: ${dir}/lab-token`,
        `    caFile: ${dir}/lab-ca.pem`,
        '    insecureSkipTlsVerify: false',
        '  - name: sim',
        '    hosts: [https://127.0.0.1:8006]',
        '    tokenId: root@pam!sim',
        "    tokenSecret: 'sim-secret'",
        '    insecureSkipTlsVerify: true',
        '    ssh: { user: admin, port: 2222, keyFile: ' +
          `${dir}/prod_ed25519, knownHostsFile: ${dir}/prod_known_hosts }`,
        '',
      ].join('\n'),
    );
    expect(readClustersFile(file)).toEqual([
      {
        name: 'prod',
        pve: {
          hosts: ['https://pve1.example.com:8006', 'https://pve2.example.com:8006'],
          tokenId: 'chatops@pve!bot',
          tokenSecret: SECRET,
          tls: { mode: 'fingerprints', fingerprints: [FP.toUpperCase()] },
        },
        ssh: {
          user: 'root',
          port: 22,
          keyFile: `${dir}/prod_ed25519`,
          knownHostsFile: `${dir}/prod_known_hosts`,
        },
      },
      {
        name: 'lab-2',
        pve: {
          hosts: ['https://127.20.2.101:8006'],
          tokenId: 'ops@pam!lab',
          tokenSecret: FILE_SECRET,
          tls: { mode: 'ca', caFile: `${dir}/lab-ca.pem`, caPem: PEM },
        },
      },
      {
        name: 'sim',
        pve: {
          hosts: ['https://127.0.0.1:8006'],
          tokenId: 'root@pam!sim',
          tokenSecret: 'sim-secret',
          tls: { mode: 'insecure' },
        },
        ssh: {
          user: 'admin',
          port: 2222,
          keyFile: `${dir}/prod_ed25519`,
          knownHostsFile: `${dir}/prod_known_hosts`,
        },
      },
    ]);
  });

  it('reads files through the injected readTextFile', () => {
    const files: Record<string, string> = {
      '/etc/clusters.yml': [
        'clusters:',
        '  - name: prod',
        '    hosts: [https://pve1.example.com:8006]',
        '    tokenId: chatops@pve!bot',
        '    tokenSecretFile: /run/secrets/prod-token',
        '    caFile: /etc/pve-chatops/prod-ca.pem',
      ].join('\n'),
      '/run/secrets/prod-token': `${SECRET}\n`,
      '/etc/pve-chatops/prod-ca.pem': PEM,
    };
    const readTextFile = (path: string) => {
      const text = files[path];
      if (text === undefined) throw new Error(`ENOENT: no such file, open '${path}'`);
      return text;
    };
    const [prod] = readClustersFile('/etc/clusters.yml', { readTextFile });
    expect(prod?.pve.tokenSecret).toBe(SECRET);
    expect(prod?.pve.tls).toEqual({ mode: 'ca', caFile: '/etc/pve-chatops/prod-ca.pem', caPem: PEM });
  });

  it('reports every mistake at once, each at its line:col with what would be right', () => {
    const problems = problemsOfFile(
      [
        'clusters:', // 1
        '  - name: Prod_1', // 2
        '    hosts: [https://pve1.example.com:8006, http://pve2.example.com:8006]', // 3
        '    tokenID: chatops@pve!bot', // 4
        `    tokenSecret: ${SECRET}`, // 5
        '    fingerprints: [AA:BB]', // 6
        '    caFile: DIR/nowhere.pem', // 7
        '    ssh:', // 8
        '      user: root', // 9
        '      port: 70000', // 10
        '      keyFile: DIR/missing_key', // 11
        '  - name: lab', // 12
        '    hosts: https://pve9.example.com:8006', // 13
        '    tokenId: chatops', // 14
        `    tokenSecret: ${SECRET}`, // 15
        '    tokenSecretFile: DIR/lab-token', // 16
        '    caFile: DIR/not-a-cert.pem', // 17
        '    insecureSkipTlsVerify: "yes"', // 18
        '  - name: lab', // 19
        '    hosts: [https://pve7.example.com:8006]', // 20
        '    tokenId: chatops@pve!bot', // 21
        '    tokenSecretFile: DIR/empty-token', // 22
        '    caFile: DIR/not-a-cert.pem', // 23
        '  - name: edge', // 24
        '    hosts: [https://pve8.example.com:8006]', // 25
        '    tokenId: chatops@pve!bot', // 26
        `    tokenSecret: ${SECRET}`, // 27
        `    fingerprints: [${FP}]`, // 28
        '    insecureSkipTlsVerify: true', // 29
        'cluster: {}', // 30
      ],
      { 'lab-token': SECRET, 'empty-token': '\n', 'not-a-cert.pem': 'hello\n' },
    );
    const file = 'DIR/clusters.yml';
    expect(problems).toEqual([
      // Problems come in the order of the file; where a key is missing (clusters.0.tokenId, as
      // tokenID is not it), the problem points at the deepest part of its path that is there.
      `${file}:2:5: clusters.0.name: 'Prod_1' is not a cluster name: a cluster name is 1 to 32 lower-case letters, digits and '-', starting with a letter or digit, e.g. prod`,
      `${file}:2:5: clusters.0.tokenId: is required: the API token id as user@realm!tokenname, e.g. chatops@pve!bot`,
      `${file}:2:5: clusters.0: fingerprints / caFile / insecureSkipTlsVerify: choose exactly one way to verify the PVE certificates`,
      `${file}:3:44: clusters.0.hosts.1: 'http://pve2.example.com:8006/' is not an https://host:port URL (e.g. https://pve1.example.com:8006)`,
      `${file}:4:5: clusters.0.tokenID: unknown key 'tokenID' (did you mean 'tokenId'?); allowed here: name, hosts, tokenId, tokenSecret, tokenSecretFile, fingerprints, caFile, insecureSkipTlsVerify, ssh`,
      `${file}:8:5: clusters.0.ssh.knownHostsFile: is required: a known_hosts file with every node's host key`,
      `${file}:10:7: clusters.0.ssh.port: must be the TCP port of every node's sshd, a whole number from 1 to 65535, e.g. 22 (got 70000)`,
      `${file}:11:7: clusters.0.ssh.keyFile: file 'DIR/missing_key' does not exist`,
      `${file}:13:5: clusters.1.hosts: must be a list of the cluster's API endpoints, e.g. [https://pve1.example.com:8006, https://pve2.example.com:8006]`,
      `${file}:14:5: clusters.1.tokenId: must look like user@realm!tokenname, e.g. chatops@pve!bot (got 'chatops')`,
      `${file}:16:5: clusters.1.tokenSecretFile: is set together with tokenSecret: keep one of them (tokenSecretFile keeps the secret out of this file)`,
      `${file}:18:5: clusters.1.insecureSkipTlsVerify: must be true or false, without quotes (got "yes")`,
      `${file}:19:5: clusters.2.name: 'lab' is already the name of clusters.1; give every cluster a name of its own`,
      `${file}:22:5: clusters.2.tokenSecretFile: 'DIR/empty-token' is empty: it must hold the UUID that \`pveum user token add\` printed once`,
      `${file}:23:5: clusters.2.caFile: 'DIR/not-a-cert.pem' holds no PEM certificate (copy /etc/pve/pve-root-ca.pem)`,
      `${file}:24:5: clusters.3: fingerprints / caFile / insecureSkipTlsVerify: choose exactly one way to verify the PVE certificates`,
      `${file}:30:1: cluster: unknown key 'cluster' (did you mean 'clusters'?); allowed here: clusters`,
    ]);
    for (const problem of problems) expect(problem).not.toContain(SECRET);
  });

  it('names the mistake in each kind of value', () => {
    const problems = problemsOfFile([
      'clusters:',
      '  - name: prod',
      '    hosts: [https://pve1.example.com:8006, 8006]',
      '    tokenId: chatops@pve!bot',
      '    tokenSecret: 12345678',
      `    fingerprints: [${FP}, nope]`,
      '    ssh: root',
      '  - just-a-name',
      '  - name: 123',
      '    hosts: []',
      '    tokenId: chatops@pve!bot',
      '    tokenSecretFile: DIR/absent-token',
      '    ssh: { user: root, keyFile: DIR/key, knownHostsFile: DIR/known, port: "22", proxy: x }',
    ]);
    expect(problems).toEqual([
      'DIR/clusters.yml:3:44: clusters.0.hosts.1: 8006 is not an https://host:port URL (e.g. https://pve1.example.com:8006)',
      'DIR/clusters.yml:5:5: clusters.0.tokenSecret: must be text (the value is not shown here); write it in quotes',
      `DIR/clusters.yml:6:5: clusters.0.fingerprints: 'nope' is not a SHA-256 fingerprint (32 hex pairs like AA:BB:…, as shown by 'pvenode cert info')`,
      'DIR/clusters.yml:7:5: clusters.0.ssh: must be a map with user, keyFile, knownHostsFile and (if not 22) port; leave ssh: out if this cluster is not upgraded by the bot',
      'DIR/clusters.yml:8:5: clusters.1: must be a map with name, hosts, tokenId, tokenSecret (or tokenSecretFile) and fingerprints (or caFile)',
      'DIR/clusters.yml:9:5: clusters.2.name: must be text (got 123); write it in quotes',
      "DIR/clusters.yml:9:5: clusters.2.fingerprints: is required to verify TLS: the nodes' SHA-256 fingerprints ('pvenode cert info'), or set caFile to a copy of /etc/pve/pve-root-ca.pem",
      "DIR/clusters.yml:10:5: clusters.2.hosts: must be a list of the cluster's API endpoints, e.g. [https://pve1.example.com:8006, https://pve2.example.com:8006]",
      expect.stringMatching(
        /^DIR\/clusters\.yml:12:5: clusters\.2\.tokenSecretFile: cannot read 'DIR\/absent-token': ENOENT.*; point it at a file holding the token's secret$/,
      ),
      "DIR/clusters.yml:13:24: clusters.2.ssh.keyFile: file 'DIR/key' does not exist",
      "DIR/clusters.yml:13:66: clusters.2.ssh.knownHostsFile: file 'DIR/known' does not exist",
      'DIR/clusters.yml:13:117: clusters.2.ssh.port: must be the TCP port of every node\'s sshd, a whole number from 1 to 65535, e.g. 22 (got "22")',
      "DIR/clusters.yml:13:129: clusters.2.ssh.proxy: unknown key 'proxy'; allowed here: user, port, keyFile, knownHostsFile",
    ]);
    expect(problems.join('\n')).not.toContain('12345678');
  });

  it('refuses duplicate names, ignoring case, at the later entry', () => {
    const cluster = (name: string) => [
      `  - name: ${name}`,
      '    hosts: [https://pve1.example.com:8006]',
      '    tokenId: chatops@pve!bot',
      `    tokenSecret: ${SECRET}`,
      '    insecureSkipTlsVerify: true',
    ];
    const problems = problemsOfFile(['clusters:', ...cluster('prod'), ...cluster('lab'), ...cluster('Prod')]);
    expect(problems).toEqual([
      expect.stringMatching(/^DIR\/clusters\.yml:12:5: clusters\.2\.name: 'Prod' is not a cluster name/),
      "DIR/clusters.yml:12:5: clusters.2.name: 'Prod' is already the name of clusters.0; give every cluster a name of its own",
    ]);
  });

  it('never shows a secret, whatever is wrong around it', () => {
    const secretLike = ['*abc123-secret', '!abc123-secret', '@abc123-secret'];
    for (const secret of secretLike) {
      const problems = problemsOfFile([
        'clusters:',
        '  - name: prod',
        '    hosts: [https://pve1.example.com:8006]',
        '    tokenId: chatops@pve!bot',
        `    tokenSecret: ${secret}`,
        '    insecureSkipTlsVerify: true',
      ]);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^DIR\/clusters\.yml:5:\d+: not valid YAML: /);
      expect(problems[0]).not.toContain('abc123');
    }
    const broken = problemsOfFile([
      'clusters:',
      '  - name: prod',
      `    tokenSecret: "${SECRET}`,
      '    tokenId: chatops@pve!bot',
    ]);
    expect(broken.length).toBeGreaterThan(0);
    expect(broken.join('\n')).not.toContain(SECRET.slice(0, 8));
  });

  it('reports a missing file as one problem naming PVE_CLUSTERS_FILE', () => {
    const file = join(directoryWith({}), 'clusters.yml');
    expect(problemsOf(() => readClustersFile(file))).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${file.replaceAll('.', '\\.')}: the file does not exist \\(.*ENOENT.*\\); point PVE_CLUSTERS_FILE at .*`,
        ),
      ),
    ]);
  });

  it.each([
    ['', 'DIR/clusters.yml: the file is empty; write clusters: with one entry per cluster'],
    ['clusters: []', 'DIR/clusters.yml:1:1: clusters: must list at least one cluster'],
    ['clusters:', 'DIR/clusters.yml:1:1: clusters: is required: a list with one entry per cluster'],
    ['- prod', 'DIR/clusters.yml:1:1: (top level): must be a map with clusters:'],
    ['clusters: [', 'DIR/clusters.yml:2:1: not valid YAML: Flow sequence'],
  ])('refuses a file without clusters: %j', (text, start) => {
    const problems = problemsOfFile([text]);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.startsWith(start)).toBe(true);
  });
});

describe('cluster names', () => {
  it.each(['prod', 'lab-2', '9', 'a'.repeat(32)])('accepts %s', (name) => {
    expect(clusterNameProblem(name)).toBeUndefined();
    expect(CLUSTER_NAME_PATTERN.test(name)).toBe(true);
  });

  it.each(['', 'Prod', '-prod', 'prod_1', 'pröd', 'a b', 'a'.repeat(33)])(
    'refuses %j, saying what is allowed',
    (name) => {
      expect(clusterNameProblem(name)).toMatch(/1 to 32 lower-case letters, digits and '-'/);
      expect(CLUSTER_NAME_PATTERN.test(name)).toBe(false);
    },
  );
});
