// `/pve balance` end to end through the console adapter: the plan with its hash in the thread,
// self-approval refused, on-call approves, the guests move, and a dry run that moves nothing.
import { afterEach, describe, expect, it } from 'vitest';
import { makeGuest } from '../../src/sim/cluster/make-guest.js';
import { seededRandom } from '../../src/sim/cluster/seeded-random.js';
import { type ConsoleChat, startConsoleChat } from './helpers/console-chat.js';

let chat: ConsoleChat | undefined;
afterEach(async () => {
  await chat?.stop();
  chat = undefined;
});

function skew(c: ConsoleChat): void {
  const random = seededRandom(11);
  for (const i of [1, 2, 3, 4, 5]) {
    c.sim.cluster.addGuest(
      makeGuest(
        {
          vmid: 800 + i,
          type: 'qemu',
          name: `app0${i}`,
          node: 'node01',
          running: true,
          memoryMiB: 8192,
          cores: 2,
          storage: 'ceph-vm',
          diskGiB: 16,
        },
        Date.now(),
        random,
      ),
    );
  }
}

describe('balance in the console chat', () => {
  it('posts the plan with its hash, needs on-call to approve it, then moves the guests', async () => {
    const c = await startConsoleChat();
    chat = c;
    skew(c);
    c.type('/pve balance');
    await c.printed(/plan a memory balance \(at most 10 migrations, 10 % headroom\)/);
    const headline = await c.printed(
      /Plan: \d+ migrations: memory spread [\d.]+ → [\d.]+ points \(plan [0-9a-f]{12}\)/,
    );
    const hash = /plan ([0-9a-f]{12})/.exec(headline)![1]!;
    await c.printed(/\[Approve\] → type `approve ([\w-]+)`/);
    expect(c.output()).toContain(`Plan ${hash}, by memory`);
    c.type('approve');
    await c.printed(/may not approve|cannot approve|own request/i);
    c.type('/as dave');
    c.type('approve');
    const done = await c.printed(
      /Moved \d+ guests: memory spread [\d.]+ → [\d.]+ points \(projected [\d.]+\)/,
    );
    expect(done).toBeTruthy();
    const onNode01 = c.sim.cluster.guestsOn('node01').filter((g) => g.vmid > 800 && g.vmid < 900).length;
    expect(onNode01).toBeLessThan(5);
  }, 60_000);

  it('shows a dry run and moves nothing', async () => {
    const c = await startConsoleChat();
    chat = c;
    skew(c);
    c.type('/pve balance --dry-run --max-moves 2');
    await c.printed(/Dry run, nothing will move: 2 migrations: memory spread/);
    expect(c.output()).not.toMatch(/\[Approve\]/);
    expect(c.sim.cluster.guestsOn('node01').filter((g) => g.vmid > 800 && g.vmid < 900)).toHaveLength(5);
  }, 60_000);
});
