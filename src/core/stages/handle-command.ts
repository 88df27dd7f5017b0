// Stage one: a chat command. Once per request → parse → the policy's gate → the command's own
// handler (src/core/commands). Until a command has passed the grammar and the policy, whatever is
// said is private to the person; the handler's context makes the public record when it needs one.
import type { ThreadRef } from '../../jobs/job-events.js';
import { isStoreUnavailable } from '../../jobs/store-unavailable.js';
import type { CommandOutcome } from '../../metrics.js';
import type { GuestRef } from '../../proxmox/guest-ref.js';
import type { ClusterSnapshot } from '../../proxmox/read-cluster-snapshot.js';
import type { SnapshotList } from '../../proxmox/snapshot-api.js';
import type { ChatEvent } from '../chat-event.js';
import { ClusterChoiceError, chooseCluster, namedTargets, whichCluster } from '../clusters/choose-cluster.js';
import { takeClusterFlag } from '../clusters/cluster-flag.js';
import { type AnyChatCommand, chatCommandNamed } from '../commands/index.js';
import { type ParseResult, parseCommand } from '../grammar/index.js';
import { scopedEntry } from '../policy/index.js';
import { resolveSchedule } from '../schedule/resolve-schedule.js';
import type { CoreServices } from './core-services.js';
import { RequestContext, type RequestContextOptions } from './request-context.js';

export interface HandleCommandOptions {
  services: CoreServices;
  /** The named cluster's read (several clusters), else the only one's. */
  readCluster: (cluster?: string) => Promise<ClusterSnapshot>;
  readSnapshots: (guest: GuestRef, cluster?: string) => Promise<SnapshotList>;
  cancelJob: RequestContextOptions['cancelJob'];
}

export class CommandStage {
  readonly #o: HandleCommandOptions;

  constructor(options: HandleCommandOptions) {
    this.#o = options;
  }

  /**
   * `claimed`: the request id was claimed already (at the intake's submit), so a redelivery of
   * the same intake entry is handled, not taken for a replay.
   */
  async handle(event: ChatEvent, { claimed = false }: { claimed?: boolean } = {}): Promise<void> {
    const s = this.#o.services;
    const metrics = s.options.metrics;
    let name = 'unknown';
    let context: RequestContext | undefined;
    try {
      // Parsing first only names the command for the metrics; nothing is said or written before the claim.
      // `--cluster` belongs to the pipeline, not to a command's grammar.
      const flag = takeClusterFlag(event.text);
      const parsed = parseCommand(flag.ok ? flag.text : event.text);
      if (parsed.ok) name = parsed.command.name;
      if (!claimed && !(await s.firstArrival(event.requestId, event.user))) return;
      if (!flag.ok) {
        await s.tell(event.thread, event.user, {
          title: 'Which cluster?',
          status: 'failed',
          text: flag.message,
        });
        metrics?.countCommand(name, 'invalid');
        return;
      }
      const outcome = await this.#run(event, parsed, flag.cluster, (made) => {
        context = made;
      });
      metrics?.countCommand(name, outcome);
    } catch (error) {
      metrics?.countCommand(name, isStoreUnavailable(error) ? 'unavailable' : 'error');
      // The person gets a reply whatever happened, privately; the details stay in the logs.
      const card = s.failureCard(error, 'command', { command: name });
      await s.tell(event.thread, event.user, card);
      // Its public record was already made (the store failed after it): the channel is told too,
      // so "ran `/pve stop`" does not stand there as if something ran.
      // (A sink with no public record, the console, hands back the event's own thread: nothing to add.)
      const opened: ThreadRef | undefined = context?.opened;
      if (opened && opened !== event.thread)
        await s.options.sink.send({ thread: opened, notify: true, card });
    }
  }

  async #run(
    event: ChatEvent,
    parsed: ParseResult,
    clusterFlag: string | undefined,
    made: (context: RequestContext) => void,
  ): Promise<CommandOutcome> {
    const s = this.#o.services;
    if (!parsed.ok) {
      await s.tell(event.thread, event.user, { title: parsed.error, status: 'failed', text: parsed.help });
      return 'invalid';
    }
    const { name, args } = parsed.command;
    const command: AnyChatCommand | undefined = chatCommandNamed(name);
    // The parser knows only the registry's commands; this is the type system's due, not a path.
    if (!command) throw new Error(`no handler for the command '${name}'`);
    const risk = command.riskOf?.(args) ?? command.definition.risk;
    // Several clusters: which one this is for, before the policy judges it (rules may be per cluster).
    const clusters = s.clusterNames();
    // One cluster (the PVE_* variables): its name may be given, and its scoped entries apply.
    const onlyCluster = clusters.length === 0 ? s.options.clusterName : undefined;
    if (clusters.length === 0 && clusterFlag !== undefined && clusterFlag !== onlyCluster) {
      await s.tell(event.thread, event.user, {
        title: 'Which cluster?',
        status: 'failed',
        text: onlyCluster
          ? `There is no cluster '${clusterFlag}': this bot drives ${onlyCluster}.`
          : 'This bot drives one cluster: leave out --cluster.',
      });
      return 'invalid';
    }
    let cluster: string | undefined;
    if (clusters.length > 0) {
      const choice = await chooseCluster({
        names: clusters,
        flag: clusterFlag,
        channelDefault: s.policy.channelClusters?.[event.channel],
        targets: namedTargets(command, args as Record<string, unknown>),
        read: (named) => this.#o.readCluster(named),
      });
      if (!choice.ok) {
        await s.tell(event.thread, event.user, {
          title: 'Which cluster?',
          status: 'failed',
          text: choice.message,
        });
        return 'invalid';
      }
      cluster = choice.cluster;
    }
    const policyEntry = scopedEntry(s.policy, command.policyEntry?.(args) ?? name, cluster ?? onlyCluster);
    // `--at` / `--window` (schedule-flags.ts): resolved once, before anything is planned.
    const timing = args as { at?: string; window?: string };
    const scheduled = resolveSchedule(timing, s.policy, s.now(), s.timeZone);
    if (!scheduled.ok) {
      await s.tell(event.thread, event.user, {
        title: `Cannot schedule ${name}`,
        status: 'failed',
        text: scheduled.message,
      });
      return 'invalid';
    }
    const context = new RequestContext({
      services: s,
      event,
      name,
      policyEntry,
      risk,
      ...(scheduled.schedule ? { schedule: scheduled.schedule } : {}),
      ...(cluster === undefined ? {} : { cluster }),
      clusters,
      // With several clusters and none chosen, whatever needs one asks which (ClusterChoiceError).
      readCluster: () => {
        if (cluster === undefined && clusters.length > 1)
          return Promise.reject(new ClusterChoiceError(whichCluster(clusters)));
        return this.#o.readCluster(cluster);
      },
      readAnyCluster: (named) => this.#o.readCluster(named),
      readSnapshots: (guest) => this.#o.readSnapshots(guest, cluster),
      cancelJob: this.#o.cancelJob,
    });
    made(context);
    if ((command.gate?.(args) ?? 'policy') === 'policy') {
      // The command's own entry first; a variant judged under another entry (`node --force` under
      // `node-force`) must pass that one too.
      for (const entry of new Set([name, policyEntry])) {
        const allowed = context.mayRun(entry);
        if (!allowed.ok) return context.refuse(entry, `You may not run ${entry} here`, allowed.reason);
      }
      // With identities required, a person without a PVE user may only read.
      const unmapped = risk === 'disruptive' ? s.privileges.refusalForUnmapped(event.user) : undefined;
      if (unmapped && !unmapped.ok) return context.refuse(policyEntry, unmapped.title, unmapped.reason);
    }
    try {
      return await command.handle(context, args);
    } catch (error) {
      if (!(error instanceof ClusterChoiceError)) throw error;
      await s.tell(event.thread, event.user, {
        title: 'Which cluster?',
        status: 'failed',
        text: error.message,
      });
      return 'invalid';
    }
  }
}
