// Stage four: a job's progress or result from the outbox, rendered for the thread, results
// audited under the person who asked (the worker's own scheduled jobs under `worker`). A private
// job's result (cluster join-info) goes to its requester alone, and its progress nowhere; the
// digest's chart is drawn here, in the bot, from the numbers the job sent.
import type { ProgressEvent, ResultEvent, ThreadRef } from '../../jobs/job-events.js';
import type { ChatUser } from '../chat-event.js';
import { describeNodeLoads, nodeLoadsSchema } from '../digest/node-loads.js';
import { renderClusterChart } from '../digest/render-cluster-chart.js';
import type { Attachment } from '../message.js';
import { isSilentResult, renderJobEvent } from '../render-job-event.js';
import { type CoreServices, kindOf } from './core-services.js';

/** The worker's own jobs (the scheduled digest, the cluster watch) are audited under this actor. */
const SCHEDULED_ACTOR: ChatUser = { id: 'worker', name: 'worker', groups: [] };

export class JobEventStage {
  readonly #s: CoreServices;
  /** Charts drawn per digest job: one digest goes to several channels, drawn once. */
  readonly #charts = new Map<string, Promise<Attachment | undefined>>();
  readonly #propose: (thread: ThreadRef, event: ResultEvent) => Promise<void>;

  constructor(services: CoreServices, propose: (thread: ThreadRef, event: ResultEvent) => Promise<void>) {
    this.#s = services;
    this.#propose = propose;
  }

  async onJobEvent(thread: ThreadRef, event: ProgressEvent | ResultEvent): Promise<void> {
    const s = this.#s;
    // A watch that saw nothing (every 30 s) is neither shown nor audited.
    if (isSilentResult(event)) return;
    const kind = kindOf(event);
    const mayBePrivate = kind?.privateResult !== undefined;
    const job = event.type === 'result' || mayBePrivate ? await s.options.queue.get(event.jobId) : undefined;
    const requester: ChatUser | undefined =
      job?.requestedById === undefined
        ? undefined
        : { id: job.requestedById, name: job.requestedBy, groups: [] };
    // The audit first: the record exists by the time anyone reads the result.
    if (event.type === 'result') {
      await s.audit(requester ?? SCHEDULED_ACTOR, 'job-result', event.kind, event.summary, {
        jobId: event.jobId,
        result: event.ok ? 'ok' : 'failed',
        ...(event.upid ? { upids: [event.upid] } : {}),
      });
    }
    // A job gone from the queue cannot say whether it was private: say nothing rather than too much.
    if (mayBePrivate && (!job || kind.privateResult?.(job.payload))) {
      if (event.type !== 'result') return;
      const result = renderJobEvent(thread, event).find((message) => message.notify);
      if (!requester || !result) {
        s.options.logger?.warn(
          { jobId: event.jobId, kind: event.kind },
          'private result without a requester; not shown',
        );
        return;
      }
      await s.options.sink.send({ thread, card: result.card, ephemeralTo: requester });
      return;
    }
    for (const message of renderJobEvent(thread, event)) {
      const chart =
        message.notify && event.type === 'result' && kind?.chart ? await this.#chartOf(event) : undefined;
      await s.options.sink.send(chart ? { ...message, attachments: [chart] } : message);
    }
    if (event.type === 'result' && event.ok && event.proposal) await this.#propose(thread, event);
  }

  /** The chart of CPU, memory and guests per node; none when drawing fails (the text still goes). */
  #chartOf(event: ResultEvent): Promise<Attachment | undefined> {
    if (!event.ok) return Promise.resolve(undefined);
    let chart = this.#charts.get(event.jobId);
    if (!chart) {
      chart = this.#drawChart(event);
      this.#charts.set(event.jobId, chart);
      for (const old of [...this.#charts.keys()].slice(0, -8)) this.#charts.delete(old);
    }
    return chart;
  }

  async #drawChart(event: ResultEvent): Promise<Attachment | undefined> {
    const nodes = nodeLoadsSchema.safeParse(event.details?.nodes);
    if (!nodes.success || nodes.data.length === 0) return undefined;
    try {
      const day = new Date(event.at).toISOString().slice(0, 10);
      return {
        name: `cluster-${day}.png`,
        contentType: 'image/png',
        data: await renderClusterChart(nodes.data),
        alt: describeNodeLoads(nodes.data),
      };
    } catch (error) {
      this.#s.options.logger?.warn(
        { jobId: event.jobId, error: error instanceof Error ? error.message : String(error) },
        'cannot draw the digest chart; the digest goes without it',
      );
      return undefined;
    }
  }
}
