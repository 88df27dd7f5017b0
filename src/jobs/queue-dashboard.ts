// The BullMQ dashboard (bull-board) over the job queue, as an express handler to mount at
// `basePath` behind authentication (startOpsServer's `dashboard`). Read-only by default: retrying
// or removing a job from outside the worker would bypass its locks and its reporting to the chat.
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import type { RequestHandler } from 'express';
import { JobQueue } from './job-queue.js';

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
    serverAdapter,
    queues: [
      new BullMQAdapter(bullQueue, {
        readOnlyMode: options.writable !== true,
        allowRetries: options.writable === true,
      }),
    ],
  });
  return serverAdapter.getRouter() as RequestHandler;
}
