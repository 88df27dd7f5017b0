// The HTTP endpoints every long-running process serves on PORT: /healthz (Redis and PVE, each
// named), /metrics, the queue dashboard when DASHBOARD_* are set, and whatever else the process
// mounts (Slack's /slack/events in HTTP mode).
import type { RequestListener } from 'node:http';
import type { Redis } from 'ioredis';
import type { AppConfig } from '../config/config-types.js';
import { ConfigError } from '../config-error.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { type RunningOpsServer, startOpsServer } from '../ops-server.js';
import type { ProxmoxClient } from '../proxmox/proxmox-client.js';
import type { JobQueue } from './job-queue.js';
import { redisHealthCheck } from './redis-health-check.js';

export interface ProcessOpsOptions {
  config: Pick<AppConfig, 'port' | 'dashboard'>;
  redis: Redis;
  pve: ProxmoxClient;
  metrics: Metrics;
  logger: Logger;
  /** The dashboard shows this queue (only processes that hold one offer it). */
  queue?: JobQueue;
  routes?: Record<string, RequestListener>;
}

export async function startProcessOpsServer(options: ProcessOpsOptions): Promise<RunningOpsServer> {
  const { config, queue } = options;
  // bull-board (express views, its UI bundle) is loaded only when the dashboard is on.
  const dashboard =
    config.dashboard && queue
      ? {
          ...config.dashboard,
          router: (await import('./queue-dashboard.js')).createQueueDashboard(queue, config.dashboard.path),
        }
      : undefined;
  try {
    return await startOpsServer({
      port: config.port,
      metrics: options.metrics,
      logger: options.logger,
      checks: {
        redis: redisHealthCheck(options.redis),
        pve: async (signal) => {
          await options.pve.version(signal);
        },
      },
      ...(dashboard ? { dashboard } : {}),
      ...(options.routes ? { routes: options.routes } : {}),
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    // Two processes on one host (a bot and a worker, two workers) each serve /healthz on PORT.
    throw new ConfigError([
      `PORT: ${config.port} is already in use on this host; give each pve-chatops process its own PORT (0 picks a free one)`,
    ]);
  }
}
