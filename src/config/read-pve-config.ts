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
  return checkPveTls(
    {
      fingerprints: list(env.PVE_FINGERPRINTS),
      caFile: env.PVE_CA_FILE,
      insecure: insecure === 'true' || insecure === '1',
    },
    {
      fingerprints: 'PVE_FINGERPRINTS',
      caFile: 'PVE_CA_FILE',
      insecure: 'PVE_INSECURE_SKIP_TLS_VERIFY',
    },
    problem,
    readTextFile,
  );
}

/**
 * How the PVE certificates are verified: exactly one of the nodes' SHA-256 fingerprints, a CA
 * file holding a PEM certificate, or no verification at all. `names` are what the settings are
 * called where they were read (the PVE_* variables, or the keys of a clusters file), and each
 * problem is reported under one of them, or under all three joined by ' / ' when they conflict.
 */
export function checkPveTls(
  settings: { fingerprints: string[]; caFile: string | undefined; insecure: boolean },
  names: { fingerprints: string; caFile: string; insecure: string },
  problem: Problem,
  readTextFile: (path: string) => string,
): PveTls | undefined {
  const { fingerprints, caFile } = settings;
  const chosen = [fingerprints.length > 0, caFile !== undefined, settings.insecure];
  if (chosen.filter(Boolean).length > 1) {
    problem(
      `${names.fingerprints} / ${names.caFile} / ${names.insecure}`,
      'choose exactly one way to verify the PVE certificates',
    );
    return undefined;
  }
  if (settings.insecure) return { mode: 'insecure' };
  if (fingerprints.length > 0) {
    const bad = fingerprints.filter((fp) => !FINGERPRINT.test(fp));
    if (bad.length > 0) {
      problem(
        names.fingerprints,
        `${bad.map((fp) => `'${fp}'`).join(', ')} is not a SHA-256 fingerprint (32 hex pairs like AA:BB:…, as shown by 'pvenode cert info')`,
      );
      return undefined;
    }
    return { mode: 'fingerprints', fingerprints: fingerprints.map((fp) => fp.toUpperCase()) };
  }
  if (caFile) {
    try {
      const caPem = readTextFile(caFile);
      if (!caPem.includes('-----BEGIN CERTIFICATE-----')) {
        problem(names.caFile, `'${caFile}' holds no PEM certificate (copy /etc/pve/pve-root-ca.pem)`);
        return undefined;
      }
      return { mode: 'ca', caFile, caPem };
    } catch (error) {
      problem(names.caFile, `cannot read '${caFile}': ${(error as Error).message}`);
      return undefined;
    }
  }
  problem(
    names.fingerprints,
    `is required to verify TLS: the nodes' SHA-256 fingerprints ('pvenode cert info'), or set ${names.caFile} to a copy of /etc/pve/pve-root-ca.pem`,
  );
  return undefined;
}
