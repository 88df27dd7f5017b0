// The HTTP endpoints every long-running process serves. PORT (the port Slack and load balancers
// reach): /healthz (Redis and PVE, each named), whatever the process mounts (Slack's
// /slack/events in HTTP mode), and /metrics only to a holder of METRICS_TOKEN. With OPS_PORT, a
// listener of its own on OPS_HOST (127.0.0.1 by default) serves /healthz, /metrics and the queue
// dashboard; without it the dashboard stays on PORT behind its password.
import type { RequestListener } from 'node:http';
import type { Redis } from 'ioredis';
import type { AppConfig } from '../config/config-types.js';
import { ConfigError } from '../config-error.js';
import type { JobQueue } from '../jobs/job-queue.js';
import { redisHealthCheck } from '../jobs/redis-health-check.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import {
  type HealthCheck,
  type MetricsAccess,
  type OpsDashboard,
  type RunningOpsServer,
  startOpsServer,
} from '../ops-server.js';
import type { ProxmoxClient } from '../proxmox/proxmox-client.js';

export interface ProcessOpsOptions {
  config: Pick<AppConfig, 'port' | 'dashboard' | 'ops'>;
  redis: Redis;
  pve: ProxmoxClient;
  metrics: Metrics;
  logger: Logger;
  /** The dashboard shows this queue (only processes that hold one offer it). */
  queue?: JobQueue;
  routes?: Record<string, RequestListener>;
}

export interface RunningProcessOps extends RunningOpsServer {
  /** The ops listener's port (OPS_PORT, or the one picked for 0); none without OPS_PORT. */
  opsPort?: number;
}

export async function startProcessOpsServer(options: ProcessOpsOptions): Promise<RunningProcessOps> {
  const { config, queue, logger } = options;
  const { ops } = config;
  // bull-board (express views, its UI bundle) is loaded only when the dashboard is on.
  const dashboard: OpsDashboard | undefined =
    config.dashboard && queue
      ? {
          ...config.dashboard,
          router: (await import('../jobs/queue-dashboard.js')).createQueueDashboard(
            queue,
            config.dashboard.path,
          ),
        }
      : undefined;
  const checks: Record<string, HealthCheck> = {
    redis: redisHealthCheck(options.redis),
    pve: async (signal) => {
      await options.pve.version(signal);
    },
  };
  const token: MetricsAccess | undefined = ops.metricsToken ? { bearerToken: ops.metricsToken } : undefined;
  const common = { metrics: options.metrics, logger, checks };

  const main = await listen('PORT', config.port, () =>
    startOpsServer({
      ...common,
      port: config.port,
      metricsAccess: token ?? 'none',
      ...(dashboard && ops.port === undefined ? { dashboard } : {}),
      ...(options.routes ? { routes: options.routes } : {}),
    }),
  );
  if (ops.port === undefined) {
    if (!token) {
      logger.info(
        {},
        '/metrics is not served: set OPS_PORT for a listener of its own (127.0.0.1 by default) or METRICS_TOKEN to serve it on PORT to Bearer-token holders',
      );
    }
    return main;
  }
  let side: RunningOpsServer;
  try {
    side = await listen('OPS_PORT', ops.port, () =>
      startOpsServer({
        ...common,
        port: ops.port!,
        host: ops.host,
        metricsAccess: token ?? 'open',
        ...(dashboard ? { dashboard } : {}),
      }),
    );
  } catch (error) {
    await main.close();
    throw error;
  }
  return {
    port: main.port,
    opsPort: side.port,
    close: async () => {
      await Promise.all([main.close(), side.close()]);
    },
  };
}

/** Starts one listener; a port another process holds becomes a ConfigError naming its variable. */
async function listen(
  variable: 'PORT' | 'OPS_PORT',
  port: number,
  start: () => Promise<RunningOpsServer>,
): Promise<RunningOpsServer> {
  try {
    return await start();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    // Two processes on one host (a bot and a worker, two workers) each serve /healthz on PORT.
    throw new ConfigError([
      `${variable}: ${port} is already in use on this host; give each pve-chatops process its own ${variable} (0 picks a free one)`,
    ]);
  }
}
