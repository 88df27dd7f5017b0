// The policy's schedule: section (docs/scheduling.md): its defaults, and every mistake told with its
// line and what would be right.
import { describe, expect, it } from 'vitest';
import { type PolicyError, parsePolicy } from '../../src/core/policy/index.js';

const base = `roles:
  ops:
    members: ['*']
commands:
  '*':
    allow: [ops]
`;

describe('policy schedule:', () => {
  it('reads windows with weekday names, and fills the defaults', () => {
    const policy = parsePolicy(
      `${base}schedule:
  timeZone: Europe/Paris
  windows:
    night: { days: [mon, tuesday, sun], start: "22:00", end: "04:00" }
`,
      'policy.yml',
    );
    expect(policy.schedule).toEqual({
      timeZone: 'Europe/Paris',
      remindMs: 15 * 60_000,
      graceMs: 30 * 60_000,
      windows: { night: { days: [1, 2, 7], start: '22:00', end: '04:00' } },
    });
  });

  it('says what is wrong and what would be right', () => {
    let problems: readonly string[] = [];
    try {
      parsePolicy(
        `${base}schedule:
  timeZone: Mars/Olympus
  remind: soon
  windows:
    Night: { days: [mon], start: "02:00", end: "05:00" }
    weekend: { days: [caturday], start: "25:00", end: "05:00", length: 3h }
`,
        'policy.yml',
      );
    } catch (error) {
      problems = (error as PolicyError).problems;
    }
    expect(problems).toEqual([
      "policy.yml:8:3: schedule.timeZone: 'Mars/Olympus' is not a time zone: write an IANA name such as Europe/Paris or UTC",
      "policy.yml:9:3: schedule.remind: 'soon' is not a duration: write a number and s, m or h, e.g. 30m",
      expect.stringContaining(
        "'Night' is not a window name: use lower-case letters, digits and '-', e.g. night",
      ),
      expect.stringContaining("'caturday' is not a weekday: write mon, tue, wed, thu, fri, sat or sun"),
      expect.stringContaining("'25:00' is not a time of day: write HH:MM, e.g. 02:00"),
      expect.stringContaining("unknown key 'length'; allowed here: days, start, end"),
    ]);
  });
});
