#!/usr/bin/env node
// The one binary: `pve-chatops <command>`. Each command lives in its own module and is loaded
// only when asked for, so `pve-chatops sim` does not pull in Slack, Discord or BullMQ.
import { ConfigError } from '../config-error.js';

interface Command {
  summary: string;
  run(args: string[]): Promise<void>;
}

const commands: Record<string, Command> = {
  all: {
    summary: 'the chat bots and the worker in one process',
    run: async (args) => (await import('./run-all-command.js')).runAllCommand(args, true),
  },
  bot: {
    summary: 'the chat bots only (workers run elsewhere)',
    run: async (args) => (await import('./run-all-command.js')).runAllCommand(args, false),
  },
  'discord:register': {
    summary: 'register the /pve slash command with Discord, in each server of DISCORD_GUILD_IDS',
    run: async (args) => (await import('./run-register-command.js')).runRegisterCommand(args),
  },
  demo: {
    summary: 'the simulated cluster, the worker and a console chat: no Slack, Discord or Proxmox needed',
    run: async (args) => (await import('./run-demo-command.js')).runDemoCommand(args),
  },
  audit: {
    summary: "'audit verify': check the hash chain of the audit log",
    run: async (args) => (await import('./run-audit-command.js')).runAuditCommand(args),
  },
  worker: {
    summary: 'run the jobs against the Proxmox VE API (needs PVE_* and REDIS_URL)',
    run: async (args) => (await import('./run-worker-command.js')).runWorkerCommand(args),
  },
  'notify:setup': {
    summary:
      "make PVE send its notifications to the bot's receiver: --url URL (a webhook target and a matcher)",
    run: async (args) => (await import('./run-notify-setup-command.js')).runNotifySetupCommand(args),
  },
  'pve-record': {
    summary: 'read (GET only) your cluster and write anonymised conformance fixtures: --out DIR',
    run: async (args) => (await import('./run-record-command.js')).runRecordCommand(args),
  },
  sim: {
    summary:
      'start the simulated Proxmox VE cluster (MonCluster: node01..node03; --clusters 2 adds SRV-Cluster); --env-file FILE writes PVE_*',
    run: async (args) => (await import('./run-sim-command.js')).runSimCommand(args),
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  const lines = Object.entries(commands).map(
    ([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`,
  );
  return `Usage: pve-chatops <command> [options]\n\nCommands:\n${lines.join('\n')}\n`;
}

async function main(argv: string[]): Promise<void> {
  // bin/pve-chatops and the npm scripts put a `--` first so Node 20 leaves `--env-file` to us.
  const [name, ...args] = argv[0] === '--' ? argv.slice(1) : argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(usage());
    return;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`pve-chatops: unknown command '${name}'.\n\n${usage()}`);
    process.exitCode = 2;
    return;
  }
  await command.run(args);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`pve-chatops: ${error.message}\n`);
  } else {
    process.stderr.write(
      `pve-chatops: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exitCode = 1;
});
