import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '../src/config.js';

const FP = Array.from({ length: 32 }, (_, i) => (i * 7).toString(16).padStart(2, '0').slice(-2)).join(':');
const pveEnv = {
  PVE_HOSTS: 'https://127.20.1.101:8006, https://127.20.1.102:8006',
  PVE_TOKEN_ID: 'chatops@pve!bot',
  PVE_TOKEN_SECRET: '5f2b3c1e-1111-2222-3333-444455556666',
  PVE_FINGERPRINTS: FP.toLowerCase(),
};

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('reads a complete PVE configuration into typed values', () => {
    const config = loadConfig({ env: pveEnv, needs: ['pve'] });
    expect(config.pve?.hosts).toEqual(['https://127.20.1.101:8006', 'https://127.20.1.102:8006']);
    expect(config.pve?.tls).toEqual({ mode: 'fingerprints', fingerprints: [FP.toUpperCase()] });
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.port).toBe(3000);
    expect(config.digest.cron).toBe('0 8 * * 1-5');
  });

  it('reads PVE_CLUSTERS_FILE: every cluster by name, the first one the default; not together with PVE_HOSTS', () => {
    const dir = mkdtempSync(join(tmpdir(), 'clusters-'));
    const file = join(dir, 'clusters.yml');
    const secret = '5f2b3c1e-1111-2222-3333-444455556666';
    writeFileSync(
      file,
      `clusters:
  - name: lab
    hosts: [https://127.20.1.101:8006]
    tokenId: chatops@pve!bot
    tokenSecret: ${secret}
    fingerprints: [${FP}]
  - name: prod
    hosts: [https://127.20.2.101:8006]
    tokenId: chatops@pve!bot
    tokenSecret: ${secret}
    fingerprints: [${FP}]
`,
    );
    const config = loadConfig({ env: { PVE_CLUSTERS_FILE: file }, needs: ['pve'] });
    expect(config.clusters?.map((c) => [c.name, c.pve.hosts])).toEqual([
      ['lab', ['https://127.20.1.101:8006']],
      ['prod', ['https://127.20.2.101:8006']],
    ]);
    expect(config.pve?.hosts).toEqual(['https://127.20.1.101:8006']);
    const problems = problemsOf(() =>
      loadConfig({ env: { ...pveEnv, PVE_CLUSTERS_FILE: file }, needs: ['pve'] }),
    );
    expect(problems).toEqual([
      'PVE_CLUSTERS_FILE: is set together with PVE_HOSTS/PVE_TOKEN_*: use the clusters file alone (it names every cluster)',
    ]);
    expect(problems.join('\n')).not.toContain(secret);
  });

  it('lists every problem at once, each with its variable and a fix', () => {
    const problems = problemsOf(() =>
      loadConfig({
        env: {
          PVE_HOSTS: 'http://pve1:8006',
          PVE_TOKEN_ID: 'bot',
          PORT: 'eighty',
          DIGEST_TZ: 'Mars/Olympus',
          REDIS_URL: 'localhost:6379',
        },
        needs: ['pve'],
      }),
    );
    const variables = problems.map((p) => p.split(':')[0]);
    expect(variables).toEqual(
      expect.arrayContaining([
        'REDIS_URL',
        'PORT',
        'PVE_HOSTS',
        'PVE_TOKEN_ID',
        'PVE_TOKEN_SECRET',
        'PVE_FINGERPRINTS',
        'DIGEST_TZ',
      ]),
    );
    expect(problems.find((p) => p.startsWith('PVE_HOSTS'))).toContain('https://');
  });

  it('never echoes the token secret in a problem', () => {
    const secret = 'not-a-uuid-but-very-secret';
    const problems = problemsOf(() =>
      loadConfig({ env: { ...pveEnv, PVE_TOKEN_SECRET: secret, PVE_FINGERPRINTS: 'nope' }, needs: ['pve'] }),
    );
    expect(problems.join('\n')).not.toContain(secret);
  });

  it('refuses two ways of verifying TLS at once', () => {
    const problems = problemsOf(() =>
      loadConfig({ env: { ...pveEnv, PVE_INSECURE_SKIP_TLS_VERIFY: 'true' }, needs: ['pve'] }),
    );
    expect(problems.join()).toContain('choose exactly one');
  });

  it('reads the cluster CA from PVE_CA_FILE', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pve-config-'));
    const caFile = join(dir, 'pve-root-ca.pem');
    writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const config = loadConfig({
      env: { ...pveEnv, PVE_FINGERPRINTS: '', PVE_CA_FILE: caFile },
      needs: ['pve'],
    });
    expect(config.pve?.tls.mode).toBe('ca');
  });

  it('reads a .env file with Node’s parser, the environment winning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pve-config-'));
    const envFile = join(dir, '.env');
    writeFileSync(envFile, `PORT=4000\nPVE_HOSTS="https://127.0.0.1:8006"\nPVE_TOKEN_ID=ops@pve!bot\n`);
    const config = loadConfig({
      env: { PORT: '5000', PVE_TOKEN_SECRET: 's', PVE_FINGERPRINTS: FP },
      envFile,
    });
    expect(config.port).toBe(5000);
    expect(config.pve?.hosts).toEqual(['https://127.0.0.1:8006']);
  });

  it('asks for a chat platform when the role needs one', () => {
    const problems = problemsOf(() => loadConfig({ env: {}, needs: ['chat'] }));
    expect(problems.join()).toContain('no chat platform is configured');
  });

  it('checks Slack mode variables', () => {
    const problems = problemsOf(() =>
      loadConfig({ env: { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'bad' } }),
    );
    expect(problems.join()).toContain('xapp-');
    const socket = loadConfig({ env: { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' } });
    expect(socket.slack?.appToken).toBe('xapp-1');
  });

  it('is documented variable by variable in .env.example', () => {
    const example = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
    const documented = [...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]);
    expect([...documented].sort()).toEqual([...CONFIG_VARIABLES].sort());
  });

  it('never prints a password that sits in a URL', () => {
    const problems = problemsOf(() =>
      loadConfig({
        env: {
          ...pveEnv,
          REDIS_URL: 'http://:hunter2@redis:6379',
          PVE_HOSTS: 'https://root:s3cret@pve1:8006',
        },
        needs: ['pve'],
      }),
    );
    expect(problems.join('\n')).not.toMatch(/hunter2|s3cret/);
    expect(problems.find((p) => p.startsWith('REDIS_URL'))).toContain('***');
  });

  it('lets a .env value stand when the environment holds the variable empty (docker compose)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pve-config-'));
    const envFile = join(dir, '.env');
    writeFileSync(envFile, `PVE_HOSTS=https://127.0.0.1:8006\nPVE_TOKEN_ID=ops@pve!bot\n`);
    const config = loadConfig({
      env: { PVE_HOSTS: '', PVE_TOKEN_SECRET: 's', PVE_FINGERPRINTS: FP },
      envFile,
      needs: ['pve'],
    });
    expect(config.pve?.hosts).toEqual(['https://127.0.0.1:8006']);
  });
});
