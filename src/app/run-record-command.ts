// `pve-chatops pve-record --out DIR`: reads (GET only) every endpoint the bot reads on the cluster
// the PVE_* variables point at and writes anonymised conformance fixtures into DIR.

import { readdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { PveConfig } from '../config.js';
import { loadConfig } from '../config.js';
import { silentLogger } from '../logger.js';
import { createPveReadOnlyTransport, type PveReadOnlyTransport } from '../proxmox/pve-raw-get.js';
import { type WrittenFixture, writeFixtures } from '../proxmox/record/fixture-writer.js';
import { recordCluster } from '../proxmox/record/record-cluster.js';

export const RECORD_USAGE = `Usage: pve-chatops pve-record --out DIR [--force] [--env-file FILE]
                              [--max-guests N] [--max-tasks N]

Reads, with GET requests only, every Proxmox VE endpoint the bot reads (version, cluster
resources and status, nodes, storage, updates, guests' status and migrate preconditions, HA,
replication, a few recent tasks) and writes each answer, anonymised, as a conformance fixture
(test/conformance/pve/README.md) into DIR. Nothing on the cluster is changed. Error answers
(403 for a privilege the token lacks, 501 on an older PVE) are written too.

Connection settings are the bot's: PVE_HOSTS, PVE_TOKEN_ID, PVE_TOKEN_SECRET and
PVE_FINGERPRINTS or PVE_CA_FILE, from the environment and FILE (default: .env).

Options:
  --out DIR        where to write the fixtures (must be empty or absent)
  --force          write into a DIR that is not empty (files of the same name are replaced)
  --env-file FILE  read PVE_* from FILE as well (default: .env)
  --max-guests N   guests whose status and migrate preconditions are read (default 12)
  --max-tasks N    recent tasks whose status and log are read (default 4)
  -h, --help       this text

Read the files before you share them: see the README, "Recording your cluster (pve-record)".
`;

export interface RecordCommandDeps {
  out?: (text: string) => void;
  err?: (text: string) => void;
  /** The PVE settings; defaults to loadConfig() from the environment and --env-file. */
  pve?: PveConfig;
  /** Defaults to the real read-only transport over `pve`. */
  transport?: (pve: PveConfig) => PveReadOnlyTransport;
  now?: () => Date;
}

class UsageError extends Error {}

function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      force: { type: 'boolean' },
      'env-file': { type: 'string' },
      'max-guests': { type: 'string' },
      'max-tasks': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const count = (name: string, value: string | undefined, fallback: number) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0)
      throw new UsageError(`--${name} must be a whole number (got '${value}')`);
    return n;
  };
  return {
    help: values.help === true,
    out: values.out,
    force: values.force === true,
    envFile: values['env-file'] ?? '.env',
    maxGuests: count('max-guests', values['max-guests'], 12),
    maxTasks: count('max-tasks', values['max-tasks'], 4),
  };
}

export async function runRecordCommand(argv: string[], deps: RecordCommandDeps = {}): Promise<void> {
  const out = deps.out ?? ((text: string) => process.stdout.write(text));
  const err = deps.err ?? ((text: string) => process.stderr.write(text));
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
    if (!args.help && !args.out) throw new UsageError('--out DIR is required');
  } catch (error) {
    if (!(error instanceof UsageError) && !(error instanceof TypeError)) throw error;
    err(`pve-chatops pve-record: ${error.message}\n\n${RECORD_USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (args.help) {
    out(RECORD_USAGE);
    return;
  }
  const dir = resolve(args.out as string);
  const existing = await readdir(dir).catch(() => []);
  if (existing.length > 0 && !args.force) {
    err(`pve-chatops pve-record: ${dir} is not empty; choose an empty directory or add --force\n`);
    process.exitCode = 1;
    return;
  }

  const pve = deps.pve ?? loadConfig({ envFile: args.envFile, needs: ['pve'] }).pve!;
  const transport = (deps.transport ?? defaultTransport)(pve);
  let written: WrittenFixture[];
  let pveVersion: string;
  let failures: number;
  try {
    out(`Recording ${pve.hosts.join(', ')} with GET requests only…\n`);
    const result = await recordCluster(transport, { maxGuests: args.maxGuests, maxTasks: args.maxTasks });
    failures = result.failures.length;
    const date = (deps.now?.() ?? new Date()).toISOString().slice(0, 10);
    ({ written, pveVersion } = await writeFixtures(result.exchanges, {
      out: dir,
      tokenId: pve.tokenId,
      date,
    }));
  } finally {
    await transport.close();
  }
  for (const fixture of written) out(`  ${String(fixture.status).padEnd(3)}  ${fixture.file}\n`);
  out(`${summarise(written, failures, pveVersion, dir)}\n`);
}

function defaultTransport(pve: PveConfig): PveReadOnlyTransport {
  const tls =
    pve.tls.mode === 'fingerprints'
      ? { fingerprints: pve.tls.fingerprints }
      : pve.tls.mode === 'ca'
        ? { caPem: pve.tls.caPem }
        : { insecureSkipTlsVerify: true };
  return createPveReadOnlyTransport({
    hosts: pve.hosts,
    tokenId: pve.tokenId,
    tokenSecret: pve.tokenSecret,
    logger: silentLogger,
    ...tls,
  });
}

export function summarise(
  written: WrittenFixture[],
  failures: number,
  pveVersion: string,
  dir: string,
): string {
  const byStatus = new Map<number, number>();
  for (const { status } of written) byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
  const statuses = [...byStatus]
    .sort(([a], [b]) => a - b)
    .map(([status, n]) => `${n}× ${status}`)
    .join(', ');
  const lines = [
    `Wrote ${written.length} fixtures of PVE ${pveVersion} into ${dir} (${statuses || 'none'}).`,
    ...(failures > 0 ? [`${failures} requests got no answer from any host (not written).`] : []),
    'Error answers are fixtures too: a 403 shows a privilege the token lacks, a 501 an endpoint this PVE does not have.',
    'Read every file before you share it: names, addresses and keys are replaced, free text is not reviewed by anyone but you.',
  ];
  return lines.join('\n');
}
