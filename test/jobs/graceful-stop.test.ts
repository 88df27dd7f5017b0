// SIGTERM to a `pve-chatops worker` in the middle of a migration: it ends its slice at once (the
// job goes back to the queue with its saved UPID), exits 0, and the next worker finishes the same
// PVE task: nothing lost, nothing done twice. The worker's whole log, at debug level, holds none
// of the configured secrets.
import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { guestOf, type JobHarness, REDIS_URL, startJobHarness, THREAD } from './helpers/job-harness.js';

const cli = new URL('../../src/app/cli.ts', import.meta.url).pathname;

let harness: JobHarness | undefined;
let child: ChildProcess | undefined;
afterEach(async () => {
  child?.kill('SIGKILL');
  child = undefined;
  await harness?.stop();
  harness = undefined;
});

describe('a worker stopped with SIGTERM mid-migration', () => {
  it('hands the job back at once, exits 0, and the next worker finishes the same task', async () => {
    const h = await startJobHarness({ speed: 4 });
    harness = h;
    const secrets = {
      PVE_TOKEN_SECRET: h.sim.tokenSecret,
      SLACK_BOT_TOKEN: 'xoxb-graceful-stop-test-token',
      SLACK_SIGNING_SECRET: 'graceful-stop-signing-secret',
    };
    const { jobId } = await h.queue.enqueue({
      kind: 'migrate',
      payload: { guest: guestOf(h.sim, 100), target: 'node03' },
      thread: THREAD,
      requestedBy: 'alice',
    });
    const worker = spawn(
      process.execPath,
      ['--import', 'tsx', cli, '--', 'worker', '--env-file', '/nonexistent'],
      {
        env: {
          PATH: process.env.PATH,
          ...h.sim.env(),
          ...secrets,
          REDIS_URL,
          REDIS_PREFIX: h.prefix,
          PORT: '0',
          LOG_LEVEL: 'debug',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    child = worker;
    let log = '';
    worker.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));

    await h.event((e) => e.type === 'progress' && e.jobId === jobId && e.upid !== undefined);
    expect(h.sim.cluster.tasks.running().some((t) => t.record.type === 'qmigrate')).toBe(true);
    const stoppedAt = Date.now();
    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
    // Well before the 10 s slice would have ended on its own.
    expect(Date.now() - stoppedAt).toBeLessThan(8_000);
    const job = await h.queue.queue.getJob(jobId);
    expect(await job?.getState()).toMatch(/^(delayed|waiting)$/);
    expect(log).toContain('worker stopping');

    await h.worker();
    const result = await h.result(jobId);
    expect(result).toMatchObject({
      ok: true,
      summary: 'TestVM (qemu/100) now runs on node03 (migrated live)',
    });
    const migrations = h.sim.cluster.tasks.all().filter((t) => t.record.type === 'qmigrate');
    expect(migrations).toHaveLength(1);
    expect(result.upid).toBe(migrations[0]?.record.upid);

    expect(log.length).toBeGreaterThan(0);
    for (const [name, value] of Object.entries(secrets)) expect(log, name).not.toContain(value);
  });
});
