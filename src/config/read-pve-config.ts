import type { PveConfig, PveTls } from './config-types.js';
import { type Environment, isHttpsHost, list, type Problem, redactUrl } from './environment.js';

const FINGERPRINT = /^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/;
// PVE's own token-id format (AccessControl.pm $token_full_regex), simplified: user@realm!name.
const TOKEN_ID = /^[^\s:@/]+@[A-Za-z][A-Za-z0-9.\-_]+![A-Za-z][A-Za-z0-9.\-_]+$/;

export function readPve(
  env: Environment,
  needed: boolean,
  problem: Problem,
  readTextFile: (path: string) => string,
): PveConfig | undefined {
  const anySet = [env.PVE_HOSTS, env.PVE_TOKEN_ID, env.PVE_TOKEN_SECRET].some((v) => v !== undefined);
  if (!needed && !anySet) return undefined;

  const hosts = list(env.PVE_HOSTS);
  if (hosts.length === 0) {
    problem('PVE_HOSTS', 'is required: a comma-separated list such as https://pve1.example.com:8006');
  }
  for (const host of hosts) {
    if (!isHttpsHost(host)) {
      problem(
        'PVE_HOSTS',
        `'${redactUrl(host)}' is not an https://host:port URL (e.g. https://pve1.example.com:8006)`,
      );
    }
  }
  if (!env.PVE_TOKEN_ID) {
    problem('PVE_TOKEN_ID', 'is required: the API token id as user@realm!tokenname, e.g. chatops@pve!bot');
  } else if (!TOKEN_ID.test(env.PVE_TOKEN_ID)) {
    problem(
      'PVE_TOKEN_ID',
      `must look like user@realm!tokenname, e.g. chatops@pve!bot (got '${env.PVE_TOKEN_ID}')`,
    );
  }
  if (!env.PVE_TOKEN_SECRET) {
    problem('PVE_TOKEN_SECRET', 'is required: the UUID that `pveum user token add` printed once');
  }

  const tls = readPveTls(env, problem, readTextFile);
  if (!tls || hosts.length === 0 || !env.PVE_TOKEN_ID || !env.PVE_TOKEN_SECRET) return undefined;
  return { hosts, tokenId: env.PVE_TOKEN_ID, tokenSecret: env.PVE_TOKEN_SECRET, tls };
}

function readPveTls(
  env: Environment,
  problem: Problem,
  readTextFile: (path: string) => string,
): PveTls | undefined {
  const insecure = env.PVE_INSECURE_SKIP_TLS_VERIFY;
  if (insecure !== undefined && !['true', 'false', '1', '0'].includes(insecure)) {
    problem('PVE_INSECURE_SKIP_TLS_VERIFY', `must be true or false (got '${insecure}')`);
    return undefined;
  }
  const fingerprints = list(env.PVE_FINGERPRINTS);
  const chosen = [
    fingerprints.length > 0,
    env.PVE_CA_FILE !== undefined,
    insecure === 'true' || insecure === '1',
  ];
  if (chosen.filter(Boolean).length > 1) {
    problem(
      'PVE_FINGERPRINTS / PVE_CA_FILE / PVE_INSECURE_SKIP_TLS_VERIFY',
      'choose exactly one way to verify the PVE certificates',
    );
    return undefined;
  }
  if (chosen[2]) return { mode: 'insecure' };
  if (fingerprints.length > 0) {
    const bad = fingerprints.filter((fp) => !FINGERPRINT.test(fp));
    if (bad.length > 0) {
      problem(
        'PVE_FINGERPRINTS',
        `${bad.map((fp) => `'${fp}'`).join(', ')} is not a SHA-256 fingerprint (32 hex pairs like AA:BB:…, as shown by 'pvenode cert info')`,
      );
      return undefined;
    }
    return { mode: 'fingerprints', fingerprints: fingerprints.map((fp) => fp.toUpperCase()) };
  }
  if (env.PVE_CA_FILE) {
    try {
      const caPem = readTextFile(env.PVE_CA_FILE);
      if (!caPem.includes('-----BEGIN CERTIFICATE-----')) {
        problem(
          'PVE_CA_FILE',
          `'${env.PVE_CA_FILE}' holds no PEM certificate (copy /etc/pve/pve-root-ca.pem)`,
        );
        return undefined;
      }
      return { mode: 'ca', caFile: env.PVE_CA_FILE, caPem };
    } catch (error) {
      problem('PVE_CA_FILE', `cannot read '${env.PVE_CA_FILE}': ${(error as Error).message}`);
      return undefined;
    }
  }
  problem(
    'PVE_FINGERPRINTS',
    "is required to verify TLS: the nodes' SHA-256 fingerprints ('pvenode cert info'), or set PVE_CA_FILE to a copy of /etc/pve/pve-root-ca.pem",
  );
  return undefined;
}
