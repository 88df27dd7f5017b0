// `pve-chatops worker`: runs jobs against PVE until SIGINT/SIGTERM. Holds the PVE (and later SSH)
// secrets; the bots never do.

import { parseArgs } from 'node:util';
import { configuredSecrets } from '../config/configured-secrets.js';
import { loadConfig } from '../config.js';
import { alertRoutesOf } from '../jobs/alerts/alert-routes.js';
import { JobWorker } from '../jobs/job-worker.js';
import { OutboxWriter } from '../jobs/outbox/outbox-writer.js';
import { closeRedis, createRedis } from '../jobs/redis-connection.js';
import { createLogger, type Logger } from '../logger.js';
import { createMetrics, observePveRequests } from '../metrics.js';
import { clientFromConfig } from '../proxmox/client-from-config.js';
import { SshRunner } from '../proxmox/ssh/ssh-runner.js';
import { waitForStopSignal } from '../wait-for-stop-signal.js';
import { connectClusters } from './cluster-connections.js';
import { startProcessOpsServer } from './process-ops-server.js';

export const WORKER_USAGE = `Usage: pve-chatops worker [--env-file FILE]

Runs the jobs (status, start, stop, migrate, clone, …) against the Proxmox VE API.
Configuration comes from the environment and FILE (default: .env); see .env.example.
`;

export async function runWorkerCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { 'env-file': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(WORKER_USAGE);
    return;
  }
  let logger: Logger | undefined;
  let ssh: SshRunner | undefined;
  const stop = waitForStopSignal({
    holdWhile: () => ssh?.neverCutInFlight() ?? [],
    onHold: (holding) => logger?.warn({ holding }, 'stopping once this finishes (never cut)'),
    onOverdue: (graceMs) =>
      logger?.error(
        { graceMs },
        'worker shutdown did not finish in time (Redis or PVE not answering?): exiting now; its jobs resume on another worker once their locks expire',
      ),
  });
  const config = loadConfig({ envFile: values['env-file'] ?? '.env', needs: ['pve'] });
  const pveConfig = config.pve!;
  logger = createLogger({ level: config.logLevel, secrets: configuredSecrets(config) });
  const redis = createRedis(config.redisUrl, logger, 'worker');
  const metrics = createMetrics({ logger });
  const pve = clientFromConfig(pveConfig, logger, { onRequest: observePveRequests(metrics) });
  // Upgrades and HA maintenance need SSH (PVE has no API for them); everything else runs without.
  ssh = config.ssh ? SshRunner.fromConfig(config.ssh, logger) : undefined;
  const connections = connectClusters(
    config,
    { pve, ssh },
    {
      withSsh: true,
      logger,
      onRequest: observePveRequests(metrics),
    },
  );
  const worker = new JobWorker({
    redis,
    prefix: config.redisPrefix,
    pve,
    ssh,
    pveUser: pveConfig.tokenId,
    ...(connections.clusters ? { clusters: new Map(connections.clusters.map((c) => [c.name, c])) } : {}),
    outbox: new OutboxWriter(redis, { prefix: config.redisPrefix }),
    concurrency: config.worker.concurrency,
    lockMs: config.worker.lockMs,
    startDeadlineMs: config.worker.startDeadlineMs,
    ...(config.alerts.routes ? { alertRoutes: alertRoutesOf(config.alerts.routes)! } : {}),
    logger,
    metrics,
  });
  await worker.start();
  const ops = await startProcessOpsServer({ config, redis, pve, metrics, logger });
  logger.info({ concurrency: config.worker.concurrency, pveHosts: pveConfig.hosts }, 'worker ready');
  const signal = await stop;
  logger.info({ signal }, 'worker stopping: running slices save their place');
  await worker.close();
  await ops.close();
  await ssh?.close();
  await pve.close();
  await connections.close();
  await closeRedis(redis);
  logger.info({}, 'worker stopped');
}
