// `pve-chatops all`: the bots and the worker in one process; `bot`: the bots alone, with workers
// elsewhere (docs/architecture.md, "Processes"). A bot still reads PVE (the core resolves names
// from one /cluster/resources read), so it can run with a read-only token (role PVEAuditor).

import { parseArgs } from 'node:util';
import type { ChatAdapter } from '../bots/adapter.js';
import { ConsoleAdapter } from '../bots/console/console-adapter.js';
import { RedisMessageRefs } from '../bots/message-refs.js';
import { policyGroupIds } from '../bots/slack/policy-group-ids.js';
import { SLACK_EVENTS_PATH, SlackAdapter } from '../bots/slack/slack-adapter.js';
import { configuredSecrets } from '../config/configured-secrets.js';
import { loadConfig } from '../config.js';
import { defaultPolicy, loadPolicy } from '../core/policy/index.js';
import { alertRoutesOf } from '../jobs/alerts/alert-routes.js';
import type { ThreadRef } from '../jobs/job-events.js';
import { closeRedis, createIntakeRedis, createRedis, redisReady } from '../jobs/redis-connection.js';
import { createLogger, type Logger } from '../logger.js';
import { createMetrics, observePveRequests } from '../metrics.js';
import { clientFromConfig } from '../proxmox/client-from-config.js';
import { SshRunner } from '../proxmox/ssh/ssh-runner.js';
import { exitIfNotStoppedWithin, type StopOptions, waitForStopSignal } from '../wait-for-stop-signal.js';
import { connectClusters, pveClusterName } from './cluster-connections.js';
import { startProcessOpsServer } from './process-ops-server.js';
import { alertTargets, pveNotificationRoute } from './pve-notification-route.js';
import { startChatOps } from './start-chatops.js';

export const ALL_USAGE = `Usage: pve-chatops all|bot [--env-file FILE] [--console [--user NAME]]

all   the chat adapters and the worker in one process
bot   the chat adapters only (run workers with 'pve-chatops worker')
  --console      attach a console chat on this terminal
  --user NAME    who you are in the console chat (default: $USER)
Configuration comes from the environment and FILE (default .env); see .env.example.
`;

export async function runAllCommand(argv: string[], withWorker: boolean): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'env-file': { type: 'string' },
      console: { type: 'boolean' },
      user: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(ALL_USAGE);
    return;
  }
  let logger: Logger | undefined;
  let ssh: SshRunner | undefined;
  const bounded: StopOptions = {
    holdWhile: () => ssh?.neverCutInFlight() ?? [],
    onHold: (holding) => logger?.warn({ holding }, 'stopping once this finishes (never cut)'),
    onOverdue: (graceMs) =>
      logger?.error(
        { graceMs },
        'shutdown did not finish in time (Redis or PVE not answering?): exiting now; accepted jobs stay in Redis and running ones resume on a worker',
      ),
  };
  const stop = waitForStopSignal(bounded);
  const config = loadConfig({
    envFile: values['env-file'] ?? '.env',
    needs: values.console ? ['pve'] : ['pve', 'chat'],
  });
  logger = createLogger({ level: config.logLevel, secrets: configuredSecrets(config) });
  const policy = config.policyFile ? loadPolicy(config.policyFile) : defaultPolicy();
  const name = withWorker ? 'all' : 'bot';
  const redis = createRedis(config.redisUrl, logger, name);
  // What the bot accepts goes through this one: a write Redis cannot confirm now fails at once.
  const intake = createIntakeRedis(config.redisUrl, logger, `${name}-intake`);
  // Nothing is accepted before Redis answers; a stop meanwhile needs no clean-up beyond this.
  const stoppedEarly = await Promise.race([
    redisReady(intake).then(() => undefined),
    stop.then((signal) => signal),
  ]);
  if (stoppedEarly) {
    logger.info({ signal: stoppedEarly }, 'stopped before Redis answered');
    intake.disconnect();
    redis.disconnect();
    return;
  }
  const metrics = createMetrics({ logger });
  const messageRefs = (platform: string) =>
    new RedisMessageRefs(redis, { prefix: config.redisPrefix, platform });
  const adapters: ChatAdapter[] = [];
  if (config.slack) {
    adapters.push(
      new SlackAdapter({
        ...config.slack,
        // HTTP mode: /slack/events is served by this process's ops server on PORT (below).
        mounted: true,
        metrics,
        logger,
        userGroups: policyGroupIds(policy),
        messageRefs: messageRefs('slack'),
      }),
    );
  }
  if (config.discord) {
    // Loaded only when configured: discord.js and its gateway stack cost memory otherwise.
    const { DiscordAdapter } = await import('../bots/discord/discord-adapter.js');
    const { RedisInteractionRegistry } = await import('../bots/discord/interaction-registry.js');
    adapters.push(
      new DiscordAdapter({
        ...config.discord,
        logger,
        metrics,
        messageRefs: messageRefs('discord'),
        // Shared, so whichever replica handles a command can answer its interaction. The intake
        // connection fails at once when Redis is down; the receiving replica keeps its own copy.
        interactions: new RedisInteractionRegistry(intake, { prefix: config.redisPrefix }),
      }),
    );
  }
  let consoleAdapter: ConsoleAdapter | undefined;
  if (values.console) {
    consoleAdapter = new ConsoleAdapter({
      input: process.stdin,
      output: process.stdout,
      user: values.user ?? process.env.USER ?? 'operator',
    });
    adapters.push(consoleAdapter);
  }
  const pve = clientFromConfig(config.pve!, logger, { onRequest: observePveRequests(metrics) });
  ssh = withWorker && config.ssh ? SshRunner.fromConfig(config.ssh, logger) : undefined;
  const connections = connectClusters(
    config,
    { pve, ssh },
    {
      withSsh: withWorker,
      logger,
      onRequest: observePveRequests(metrics),
    },
  );
  // The digest goes to the channels configured for it, whichever bot process runs each platform
  // (the outbox reaches it); a process that knows no channel leaves the schedule alone.
  const digestTargets: ThreadRef[] = [];
  if (config.digest.slackChannel)
    digestTargets.push({ platform: 'slack', channel: config.digest.slackChannel });
  if (config.digest.discordChannel)
    digestTargets.push({ platform: 'discord', channel: config.digest.discordChannel });
  const app = await startChatOps({
    redis,
    intake,
    prefix: config.redisPrefix,
    pve,
    ssh,
    pveUser: config.pve!.tokenId,
    clusters: connections.clusters,
    // One cluster: named by PVE (best effort: a PVE that does not answer now leaves it unnamed).
    clusterName: connections.clusters ? undefined : await pveClusterName(pve, logger),
    policy,
    adapters,
    logger,
    worker: withWorker
      ? {
          ...config.worker,
          ...(config.alerts.routes ? { alertRoutes: alertRoutesOf(config.alerts.routes)! } : {}),
        }
      : undefined,
    // INTAKE_*: every replica of one deployment should use the same claim idle time.
    commandIntake: { concurrency: config.intake.concurrency, claimIdleMs: config.intake.claimIdleMs },
    digest: {
      cron: config.digest.cron,
      timeZone: config.digest.timeZone,
      targets: digestTargets,
      backupMaxAgeDays: config.digest.backupMaxAgeDays,
    },
    // The cluster watch alerts in the alert channels (ALERT_*_CHANNEL, else the digest's).
    watch: { targets: alertTargets(config.alerts), settings: config.watch },
    balance: config.balance,
    metrics,
  });
  const slackEvents = adapters.find((a): a is SlackAdapter => a instanceof SlackAdapter)?.requestListener;
  const ops = await startProcessOpsServer({
    config,
    redis,
    pve,
    metrics,
    logger,
    queue: app.queue,
    routes: {
      ...(slackEvents ? { [SLACK_EVENTS_PATH]: slackEvents } : {}),
      // PVE's notifications, when PVE_NOTIFY_SECRET is set: queued as jobs for the alert channels.
      ...pveNotificationRoute({
        alerts: config.alerts,
        redis: intake,
        prefix: config.redisPrefix,
        queue: app.queue,
        logger,
      }),
    },
  });
  logger.info({ adapters: adapters.map((a) => a.platform), worker: withWorker }, 'pve-chatops ready');
  const signal = await Promise.race([stop, ...(consoleAdapter ? [consoleAdapter.ended] : [])]);
  // The console's end is a stop too, bounded like a signal's.
  if (signal === undefined) exitIfNotStoppedWithin(bounded);
  logger.info({ signal: signal ?? 'end of console input' }, 'pve-chatops stopping');
  await app.stop();
  // Last: /healthz answers while the process drains.
  await ops.close();
  await ssh?.close();
  await pve.close();
  await connections.close();
  await closeRedis(intake);
  await closeRedis(redis);
  logger.info({}, 'pve-chatops stopped');
}
