// The core with an intake: handle() and press() only submit (nothing is said, read or queued
// until process()), a request the store did not take is answered "not accepted", and an entry
// processed past its deadline is refused with a word to the person, never run late.
import { describe, expect, it } from 'vitest';
import type { IntakeEntry } from '../../../src/core/intake/intake-entry.js';
import { StoreUnavailableError } from '../../../src/jobs/store-unavailable.js';
import { alice, ROLES_YAML, startMemoryCore, toldTo } from '../helpers/memory-ports.js';

const POLICY = `${ROLES_YAML}commands:
  stop:
    allow: [ops]
    approval: none
`;

function memoryIntake() {
  const entries: IntakeEntry[] = [];
  return {
    entries,
    down: false,
    async submit(entry: IntakeEntry): Promise<'accepted' | 'duplicate'> {
      if (this.down) throw new StoreUnavailableError('Connection is closed');
      entries.push(structuredClone(entry));
      return 'accepted';
    },
  };
}

describe('the core with an intake', () => {
  it('only submits on handle(), and does the work on process(), once', async () => {
    const intake = memoryIntake();
    const h = startMemoryCore({ policy: POLICY, intake });
    await h.say('stop TestVM', { requestId: 'test:req-1' });
    expect(intake.entries).toHaveLength(1);
    expect([h.sent, h.opened, h.reads(), (await h.jobs.list()).length]).toEqual([[], [], 0, 0]);

    await h.core.process(intake.entries[0]!);
    const jobs = await h.jobs.list();
    expect(jobs.map((j) => [j.kind, j.command])).toEqual([['stop', 'stop']]);
    // The same entry again (its replica died after the work, before the acknowledgement): the
    // job id derives from the delivery, so nothing is queued twice and nothing posted twice.
    const posted = h.sent.length;
    await h.core.process(intake.entries[0]!);
    expect(await h.jobs.list()).toHaveLength(1);
    expect(h.sent).toHaveLength(posted);
  });

  it('answers "not accepted" privately when the intake cannot take the request', async () => {
    const intake = memoryIntake();
    intake.down = true;
    const h = startMemoryCore({ policy: POLICY, intake });
    await h.say('stop TestVM', { requestId: 'test:req-2' });
    expect(toldTo(h.sent, alice).map((m) => m.card.title)).toEqual([
      'Not accepted: the job store (Redis) is not answering',
    ]);
    expect(h.opened).toEqual([]);
  });

  it('refuses an entry past its deadline: the person is told, nothing runs', async () => {
    const intake = memoryIntake();
    const h = startMemoryCore({ policy: POLICY, intake });
    await h.say('stop TestVM', { requestId: 'test:req-3' });
    h.advance(120_001);
    await h.core.process(intake.entries[0]!);
    expect(toldTo(h.sent, alice).at(-1)!.card).toMatchObject({
      title: 'Not handled in time; nothing ran',
      text: expect.stringContaining('/pve stop TestVM was received at'),
    });
    expect([h.opened, await h.jobs.list()]).toEqual([[], []]);
  });
});
