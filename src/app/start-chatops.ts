// Wires one process: Redis, the queue, the outbox readers, approvals, audit, policy, the core,
// the chat adapters and (for `all` and the demo) the worker. Each piece stays replaceable; this is
// the only place that knows them all (probot's run.ts).

import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { type ChatAdapter, ChatRouter } from '../bots/adapter.js';
import type { BalanceSettings } from '../config/balance-settings.js';
import type { WatchSettings } from '../config/read-watch-config.js';
import { ApprovalStore } from '../core/approvals/approval-store.js';
import { AuditLog } from '../core/audit/audit-log.js';
import { Core } from '../core/core.js';
import { CommandIntake } from '../core/intake/command-intake.js';
import type { Policy } from '../core/policy/index.js';
import type { PermissionsPort } from '../core/ports.js';
import { RequestLedger } from '../core/request-ledger.js';
import type { AlertRoute } from '../jobs/alerts/alert-routes.js';
import { AlertStore } from '../jobs/alerts/alert-store.js';
import { scheduleClusterWatch } from '../jobs/cluster-watch-schedule.js';
import { type DigestSchedule, scheduleDigest } from '../jobs/digest-schedule.js';
import type { ThreadRef } from '../jobs/job-events.js';
import { JobQueue } from '../jobs/job-queue.js';
import { JobWorker } from '../jobs/job-worker.js';
import { readOutboxLag } from '../jobs/outbox/outbox-lag.js';
import { OutboxReader } from '../jobs/outbox/outbox-reader.js';
import { OutboxWriter } from '../jobs/outbox/outbox-writer.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { ProxmoxClient } from '../proxmox/proxmox-client.js';
import type { SshRunner } from '../proxmox/ssh/ssh-runner.js';

/** Every cluster's connections, by the clusters file's names. */
export type ClusterConnections = Array<{
  name: string;
  pve: ProxmoxClient;
  ssh?: SshRunner | undefined;
  pveUser: string;
}>;

/** What a person's PVE user may do on one cluster, asked with the bot's token there. */
function permissionsPort(pve: ProxmoxClient): PermissionsPort {
  return {
    privilegesOf: (userid, path) => pve.permissionsOf(userid, path),
    roles: () => pve.roles(),
    pveMajor: async () => Number.parseInt((await pve.version()).version, 10),
  };
}

export interface ChatOpsOptions {
  /** Waits through a Redis outage: the worker, the outbox readers and the worker's outbox. */
  redis: Redis;
  /**
   * The intake connection (createIntakeRedis): the queue, approvals, audit and request ledger,
   * so a request Redis cannot record now is answered "not accepted" at once instead of running
   * late. `redis` when absent (tests, the demo).
   */
  intake?: Redis | undefined;
  prefix: string;
  pve: ProxmoxClient;
  /** SSH to the nodes for the worker (upgrades, HA maintenance); optional. */
  ssh?: SshRunner | undefined;
  /** The token id, as PVE writes it in our tasks' UPIDs (needed by the worker). */
  pveUser: string;
  /**
   * PVE_CLUSTERS_FILE: every cluster, by name (the first is also `pve`, `ssh`, `pveUser`). Each
   * command is for one of them and its job runs there (docs/clusters.md).
   */
  clusters?: ClusterConnections | undefined;
  /** The one cluster's name (PVE_* variables), read at start; see CoreOptions.clusterName. */
  clusterName?: string | undefined;
  policy: Policy;
  adapters: ChatAdapter[];
  logger: Logger;
  /** Run the worker in this process too (`pve-chatops all`, the demo). */
  worker?:
    | {
        concurrency: number;
        lockMs: number;
        startDeadlineMs?: number;
        /** ALERT_ROUTES: where new alerts go by type and severity. */
        alertRoutes?: readonly AlertRoute[];
      }
    | undefined;
  /**
   * The daily digest's schedule and channels, upserted at start (idempotent across replicas);
   * empty targets remove it. Undefined leaves any schedule as it is.
   */
  digest?: DigestSchedule | undefined;
  /**
   * The cluster watch's channels (the alert channels) and settings (ALERT_TASK_*,
   * ALERT_STORAGE_PERCENT), upserted at start; without it, the digest's channels and the defaults.
   */
  watch?: { targets: ThreadRef[]; settings?: WatchSettings } | undefined;
  /** Defaults of `/pve balance` (BALANCE_*); the built-in ones when absent. */
  balance?: BalanceSettings | undefined;
  /** Prometheus metrics of this process (/metrics); none when absent. */
  metrics?: Metrics | undefined;
  /** Outbox consumer name; stable per bot instance so a restart re-reads its own pending entries. */
  consumer?: string;
  /**
   * Handle chat requests from the durable intake stream (the default): the adapters' ack path only
   * submits, and this replica handles at most `concurrency` at once (default 8). `false` handles
   * them inline (tests of the inline path).
   */
  commandIntake?: { concurrency?: number; claimIdleMs?: number; consume?: boolean } | false;
}

export interface RunningChatOps {
  core: Core;
  queue: JobQueue;
  stop(): Promise<void>;
}

export async function startChatOps(options: ChatOpsOptions): Promise<RunningChatOps> {
  const { redis, prefix, logger } = options;
  const intake = options.intake ?? redis;
  const outbox = new OutboxWriter(redis, { prefix });
  const queue = new JobQueue({ redis: intake, prefix, outbox: new OutboxWriter(intake, { prefix }), logger });
  if (options.digest) {
    const next = await scheduleDigest(queue, {
      ...options.digest,
      ...(options.clusters && options.clusters.length > 1
        ? { clusters: options.clusters.map((c) => c.name) }
        : {}),
    });
    logger.info(
      { targets: options.digest.targets.map((t) => t.platform), next: next && new Date(next).toISOString() },
      next ? 'daily digest scheduled' : 'no digest channel configured: no daily digest',
    );
  }
  // The cluster watch (nodes, quorum, HA recoveries, failed tasks, storage), every 30 s.
  const watchTargets = options.watch?.targets ?? options.digest?.targets ?? [];
  await scheduleClusterWatch(
    queue,
    watchTargets,
    { ...options.watch?.settings, ownUser: options.pveUser },
    options.clusters && options.clusters.length > 1 ? options.clusters.map((c) => c.name) : [],
  );
  // The intake: acknowledged requests wait here for this replica or another to handle them.
  const commandIntake =
    options.commandIntake === false
      ? undefined
      : new CommandIntake({
          submitWith: intake,
          readWith: redis,
          prefix,
          // Unique per process: two replicas on one host must not take each other's entries for their own.
          consumer: `${options.consumer ?? hostname()}:${process.pid}`,
          // Only what this replica can answer: a console command stays with its console's process.
          platforms: options.adapters.map((adapter) => adapter.platform),
          logger,
          ...(options.commandIntake?.concurrency === undefined
            ? {}
            : { concurrency: options.commandIntake.concurrency }),
          ...(options.commandIntake?.claimIdleMs === undefined
            ? {}
            : { claimIdleMs: options.commandIntake.claimIdleMs }),
        });
  const router = new ChatRouter();
  for (const adapter of options.adapters) router.add(adapter.platform, adapter);
  const core = new Core({
    queue,
    approvals: new ApprovalStore(intake, { prefix }),
    audit: new AuditLog(intake, { prefix }),
    // Each Slack trigger_id and Discord interaction id is handled once (replays, redeliveries).
    requests: new RequestLedger(intake, { prefix }),
    // Alert cards: who acknowledged them, which types are snoozed.
    alerts: new AlertStore(intake, { prefix }),
    policy: options.policy,
    sink: router,
    // A read shared with status jobs and other commands, up to the client's snapshot age (2 s by
    // default): name resolution and request-time planning accept that, as every job that changes
    // something reads its target again when it runs.
    readCluster: () => options.pve.recentClusterSnapshot(),
    // One guest's snapshots, read fresh (rollback and snapshot delete name one at request time).
    readSnapshots: (guest) => options.pve.snapshots(guest),
    // What a person's PVE user may do (the policy's identities:), asked with the bot's token.
    permissions: permissionsPort(options.pve),
    ...(options.clusterName ? { clusterName: options.clusterName } : {}),
    clusters: options.clusters?.map((c) => ({
      name: c.name,
      readCluster: () => c.pve.recentClusterSnapshot(),
      readSnapshots: (guest) => c.pve.snapshots(guest),
      permissions: permissionsPort(c.pve),
    })),
    logger,
    ...(options.balance ? { balance: options.balance } : {}),
    ...(options.digest?.backupMaxAgeDays ? { backupMaxAgeDays: options.digest.backupMaxAgeDays } : {}),
    // `--at` and maintenance windows are read in the digest's zone unless the policy names one.
    ...(options.digest?.timeZone ? { timeZone: options.digest.timeZone } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(commandIntake ? { intake: commandIntake } : {}),
  });
  const readers = options.adapters.map(
    (adapter) =>
      new OutboxReader(redis, {
        platform: adapter.platform,
        consumer: options.consumer ?? hostname(),
        prefix,
        logger,
      }),
  );
  readers.forEach((reader) => {
    reader.start((delivery) => core.onJobEvent(delivery.thread, delivery.event));
  });
  const worker = options.worker
    ? new JobWorker({
        redis,
        prefix,
        pve: options.pve,
        ssh: options.ssh,
        pveUser: options.pveUser,
        ...(options.clusters ? { clusters: new Map(options.clusters.map((c) => [c.name, c])) } : {}),
        outbox,
        concurrency: options.worker.concurrency,
        lockMs: options.worker.lockMs,
        ...(options.worker.startDeadlineMs === undefined
          ? {}
          : { startDeadlineMs: options.worker.startDeadlineMs }),
        ...(options.worker.alertRoutes ? { alertRoutes: options.worker.alertRoutes } : {}),
        logger,
        ...(options.metrics ? { metrics: options.metrics } : {}),
      })
    : undefined;
  if (options.metrics) {
    options.metrics.readQueueFrom(() => queue.counts());
    options.metrics.readOutboxLagFrom(() =>
      readOutboxLag(redis, { prefix, platforms: options.adapters.map((a) => a.platform) }),
    );
  }
  await worker?.start();
  // `consume: false`: a replica that only receives (tests of another replica taking over).
  if (
    options.commandIntake === undefined ||
    (options.commandIntake && options.commandIntake.consume !== false)
  )
    commandIntake?.start((entry) => core.process(entry));
  for (const adapter of options.adapters) await adapter.start(core);
  return {
    core,
    queue,
    async stop() {
      // What this replica took from the intake is finished first, while its adapters can still
      // answer; what it did not take stays for the others. Requests arriving meanwhile are submitted.
      await commandIntake?.stop();
      for (const adapter of options.adapters) await adapter.stop();
      await worker?.close();
      await Promise.all(readers.map((reader) => reader.stop()));
      await queue.close();
    },
  };
}
