// The policy's identities: section, read as users write it (docs/permissions.md), and every
// mistake told with its line and what would be right.
import { describe, expect, it } from 'vitest';
import { PolicyError, parsePolicy } from '../../src/core/policy/index.js';

const base = `roles:
  ops:
    members: ['*']
commands:
  '*':
    allow: [ops]
`;

function problemsOf(text: string): readonly string[] {
  try {
    parsePolicy(text, 'policy.yml');
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return (error as PolicyError).problems;
  }
  throw new Error('accepted');
}

describe('policy identities:', () => {
  it('reads the documented shape, with its defaults', () => {
    const policy = parsePolicy(
      `${base}identities:
  mode: required            # required | optional | off
  users:
    "slack:U0123ABC": alice@pve
    "discord:80351110224678912": alice@pve
    "console:alice": alice@pve
  groups:
    "slack-group:S0ONCALL": oncall@pve
`,
      'policy.yml',
    );
    expect(policy.identities).toEqual({
      mode: 'required',
      users: {
        'slack:U0123ABC': 'alice@pve',
        'discord:80351110224678912': 'alice@pve',
        'console:alice': 'alice@pve',
      },
      groups: { 'slack-group:S0ONCALL': 'oncall@pve' },
      checkApprovers: true,
      cacheMs: 30_000,
    });
  });

  it('is absent without the section (mode off), and an empty one is off', () => {
    expect(parsePolicy(base, 'p').identities).toBeUndefined();
    expect(parsePolicy(`${base}identities: {}\n`, 'p').identities?.mode).toBe('off');
  });

  it('says what is wrong and what would be right', () => {
    const problems = problemsOf(`${base}identities:
  mode: strict
  users:
    "slack:U0123ABC": alice
    "console:bob": bob@pve!bot
    "slack-group:S0ONCALL": oncall@pve
  groups:
    "console:carol": carol@pve
  cacheSeconds: 9000
  checkApprover: true
`);
    expect(problems).toEqual([
      "policy.yml:8:3: identities.mode: 'strict' is not a mode: write required (an unmapped person may only read), optional (only mapped people are checked against PVE) or off",
      expect.stringContaining(
        "identities.users.slack:U0123ABC: 'alice' is not a PVE user id: write <name>@<realm>",
      ),
      expect.stringContaining(
        "identities.users.console:bob: 'bob@pve!bot' is an API token; map the person to their PVE user id instead",
      ),
      expect.stringContaining(
        "'slack-group:S0ONCALL' is not a person: identities.users takes console:, slack:, discord: identities (groups go under identities.groups)",
      ),
      expect.stringContaining(
        "'console:carol' is not a group: identities.groups takes slack-group:, discord-role: identities (people go under identities.users)",
      ),
      expect.stringContaining(
        'identities.cacheSeconds: got number 9000; expected a whole number of seconds from 0 to 600',
      ),
      expect.stringContaining("unknown key 'checkApprover' (did you mean 'checkApprovers'?)"),
    ]);
  });
});
