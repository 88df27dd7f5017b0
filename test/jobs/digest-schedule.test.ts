// The daily digest's schedule: computed in the configured time zone (checked with a fixed "now",
// not by waiting), the same as BullMQ's own scheduler, and one digest per tick however many
// workers there are.
import { QueueEvents } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { DIGEST_SCHEDULER_ID, nextDigestAt, scheduleDigest } from '../../src/jobs/digest-schedule.js';
import type { ResultEvent } from '../../src/jobs/job-events.js';
import { JOB_QUEUE_NAME } from '../../src/jobs/job-queue.js';
import { type JobHarness, startJobHarness, THREAD } from './helpers/job-harness.js';

const WEEKDAYS_AT_8 = '0 8 * * 1-5';
const OTHER_THREAD = { ...THREAD, channel: 'C2' };

let harness: JobHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

describe('when the digest runs', () => {
  it('is 08:00 on weekdays in the configured zone, across weekends and daylight saving', () => {
    const at = (iso: string) => Date.parse(iso);
    // Friday 20 Nov 2026, 08:30 in Paris (UTC+1): the next one is Monday 08:00 Paris.
    expect(nextDigestAt(WEEKDAYS_AT_8, 'Europe/Paris', at('2026-11-20T07:30:00Z'))).toBe(
      at('2026-11-23T07:00:00Z'),
    );
    // Friday, 07:30 in Paris: today at 08:00.
    expect(nextDigestAt(WEEKDAYS_AT_8, 'Europe/Paris', at('2026-11-20T06:30:00Z'))).toBe(
      at('2026-11-20T07:00:00Z'),
    );
    // The same instant is still Thursday night in New York: Friday 08:00 there is 13:00 UTC.
    expect(nextDigestAt(WEEKDAYS_AT_8, 'America/New_York', at('2026-11-20T03:00:00Z'))).toBe(
      at('2026-11-20T13:00:00Z'),
    );
    // Summer time in Paris (UTC+2) from 29 March 2026.
    expect(nextDigestAt(WEEKDAYS_AT_8, 'Europe/Paris', at('2026-03-30T00:00:00Z'))).toBe(
      at('2026-03-30T06:00:00Z'),
    );
    expect(nextDigestAt(WEEKDAYS_AT_8, 'UTC', at('2026-11-21T12:00:00Z'))).toBe(at('2026-11-23T08:00:00Z'));
  });

  it('is what BullMQ schedules, and an upsert from a second replica changes nothing', async () => {
    const h = await startJobHarness();
    harness = h;
    const before = Date.now();
    const next = await scheduleDigest(h.queue, {
      cron: WEEKDAYS_AT_8,
      timeZone: 'Asia/Tokyo',
      targets: [THREAD],
    });
    expect(next).toBe(nextDigestAt(WEEKDAYS_AT_8, 'Asia/Tokyo', before));
    await scheduleDigest(h.queue, { cron: WEEKDAYS_AT_8, timeZone: 'Asia/Tokyo', targets: [THREAD] });
    expect(await h.queue.queue.getJobSchedulersCount()).toBe(1);
    expect((await h.queue.queue.getDelayed()).filter((j) => j.name === 'digest')).toHaveLength(1);
    // A process that knows no digest channel leaves it alone; DIGEST_CRON=off removes it.
    await scheduleDigest(h.queue, { cron: WEEKDAYS_AT_8, timeZone: 'Asia/Tokyo', targets: [] });
    expect(await h.queue.queue.getJobScheduler(DIGEST_SCHEDULER_ID)).toBeDefined();
    await scheduleDigest(h.queue, { cron: 'off', timeZone: 'Asia/Tokyo', targets: [THREAD] });
    expect(await h.queue.queue.getJobScheduler(DIGEST_SCHEDULER_ID)).toBeUndefined();
  });
});

describe('the scheduled digest', () => {
  it('is posted once to every digest channel, with two workers running', async () => {
    const h = await startJobHarness({ speed: 50 });
    harness = h;
    await scheduleDigest(h.queue, {
      cron: WEEKDAYS_AT_8,
      timeZone: 'Europe/Paris',
      targets: [THREAD, OTHER_THREAD],
    });
    await h.worker();
    await h.worker();
    // The tick comes now instead of at 08:00.
    const [tick] = (await h.queue.queue.getDelayed()).filter((j) => j.name === 'digest');
    expect(tick).toBeDefined();
    await tick!.promote();
    const digestsTo = (channel: string) =>
      h.deliveries.filter(
        (d) => d.event.type === 'result' && d.event.jobId === tick!.id && d.thread.channel === channel,
      );
    await h.event(() => digestsTo(THREAD.channel).length > 0 && digestsTo(OTHER_THREAD.channel).length > 0);
    expect(digestsTo(THREAD.channel)).toHaveLength(1);
    expect(digestsTo(OTHER_THREAD.channel)).toHaveLength(1);
    const first = digestsTo(THREAD.channel)[0]!.event as ResultEvent;
    expect(first.ok).toBe(true);
    expect(first.summary).toMatch(/^MonCluster/);
    expect(first.details?.nodes).toHaveLength(3);
    // One job ran (its result went to both channels); the next waits for the next 08:00.
    const events = new QueueEvents(JOB_QUEUE_NAME, { connection: h.redis, prefix: h.prefix });
    try {
      await events.waitUntilReady();
      if (!(await tick!.isCompleted())) await tick!.waitUntilFinished(events, 30_000);
    } finally {
      await events.close();
    }
    const completed = await h.queue.queue.getJobs(['completed']);
    expect(completed.filter((j) => j.name === 'digest')).toHaveLength(1);
    const delayed = (await h.queue.queue.getDelayed()).filter((j) => j.name === 'digest');
    expect(delayed).toHaveLength(1);
    expect(delayed[0]!.id).not.toBe(tick!.id);
  });

  it('with several clusters, schedules one digest per cluster, each run reading its own cluster', async () => {
    const h = await startJobHarness();
    harness = h;
    await scheduleDigest(h.queue, { cron: WEEKDAYS_AT_8, timeZone: 'UTC', targets: [THREAD] });
    await scheduleDigest(h.queue, {
      cron: WEEKDAYS_AT_8,
      timeZone: 'UTC',
      targets: [THREAD],
      clusters: ['lab', 'prod'],
    });
    // The one-cluster schedule is gone; each cluster has its own, whose jobs name it.
    expect(await h.queue.queue.getJobScheduler(DIGEST_SCHEDULER_ID)).toBeUndefined();
    const delayed = (await h.queue.queue.getDelayed()).filter((j) => j.name === 'digest');
    expect(delayed.map((j) => j.data.cluster).sort()).toEqual(['lab', 'prod']);
    await scheduleDigest(h.queue, {
      cron: 'off',
      timeZone: 'UTC',
      targets: [THREAD],
      clusters: ['lab', 'prod'],
    });
    expect(await h.queue.queue.getJobSchedulersCount()).toBe(0);
  });
});
