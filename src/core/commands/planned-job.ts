// What a state-changing command becomes once resolved against one read of the cluster: the job
// (typed by its kind: the compiler checks the payload against the kind's schema) and the request
// shown back, resolved ("migrate TestVM (qemu/100) node01 → node03, live"). A refusal says what
// PVE would refuse later, and what would be right.
import type { JobRequest } from '../../jobs/kinds/index.js';

/** Omit over each member of a union (a payload schema may be a union). */
type OmitEach<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A planning job's request: its payload without the requester, which the pipeline adds. */
type PlanningRequest = JobRequest extends infer J
  ? J extends { kind: infer K; payload: infer P }
    ? { kind: K; payload: OmitEach<P, 'requester'> }
    : never
  : never;

export type PlannedJob =
  | (JobRequest & {
      /** The request shown back, resolved. */
      text: string;
      /**
       * Lines under it on the approval card and the request's description: what approving it
       * means (a rollback: the changes that will be lost, whether the guest will be running).
       */
      details?: string;
      /** `--snapshot`: the job snapshots the guests it puts at risk first (the safety net). */
      snapshotFirst?: boolean;
      approvalAfterJob?: false;
    })
  | (PlanningRequest & {
      text: string;
      details?: string;
      /**
       * The job only plans (it reads what the bot may not): it runs at once with the requester
       * in its payload, and what it proposes is what the policy's approval applies to (see
       * ResultEvent.proposal).
       */
      approvalAfterJob: true;
    });

export type PlanResult = { ok: true; plan: PlannedJob } | { ok: false; message: string };
