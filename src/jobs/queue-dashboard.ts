// The BullMQ dashboard (bull-board) over the job queue, as an express handler to mount at
// `basePath` behind authentication (startOpsServer's `dashboard`). Read-only by default: retrying
// or removing a job from outside the worker would bypass its locks and its reporting to the chat.
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import type { RequestHandler } from 'express';
import { JobQueue } from './job-queue.js';

type BoardServerAdapter = Parameters<typeof createBullBoard>[0]['serverAdapter'];

export interface QueueDashboardOptions {
  /** Allow retrying, removing and promoting jobs from the dashboard. Default false. */
  writable?: boolean;
}

/** The dashboard's express app; its pages link to `basePath`, so mount it exactly there. */
export function createQueueDashboard(
  queue: JobQueue | Queue,
  basePath: string,
  options: QueueDashboardOptions = {},
): RequestHandler {
  const bullQueue: Queue = queue instanceof JobQueue ? queue.queue : queue;
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(basePath);
  createBullBoard({
    // @bull-board/express 9.10.1 pins its own @bull-board/api 9.10.1 beside our 9.10.2: the same
    // interface from two copies, which TypeScript cannot unify (private members). Pinning
    // @bull-board/api to 9.10.1 in package.json dedupes them and makes this cast unnecessary.
    serverAdapter: serverAdapter as unknown as BoardServerAdapter,
    queues: [
      new BullMQAdapter(bullQueue, {
        readOnlyMode: options.writable !== true,
        allowRetries: options.writable === true,
      }),
    ],
  });
  return serverAdapter.getRouter() as RequestHandler;
}
