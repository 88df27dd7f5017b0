// Which policy-named Slack user groups a person is in, cached, and never granted by an outage.
import { describe, expect, it } from 'vitest';
import { policyGroupIds } from '../../src/bots/slack/policy-group-ids.js';
import { SlackUserGroups } from '../../src/bots/slack/slack-user-groups.js';
import { silentLogger } from '../../src/logger.js';

describe('policyGroupIds', () => {
  it('extracts the slack-group ids a policy names, once each, and nothing else', () => {
    const roles = {
      everyone: ['*'],
      oncall: ['slack-group:S0ONCALL', 'slack:U1', 'discord-role:42'],
      admins: ['slack-group:S0ADMIN', 'slack-group:S0ONCALL', 'slack-group:'],
    };
    expect(policyGroupIds({ roles })).toEqual(['S0ADMIN', 'S0ONCALL']);
  });
});

function groups(members: Record<string, string[] | Error>, cacheMs = 60_000) {
  let now = 0;
  const calls: string[] = [];
  const userGroups = new SlackUserGroups({
    groupIds: Object.keys(members),
    cacheMs,
    logger: silentLogger,
    now: () => now,
    listMembers: async (groupId) => {
      calls.push(groupId);
      const found = members[groupId];
      if (found instanceof Error) throw found;
      return found ?? [];
    },
  });
  return { userGroups, calls, members, advance: (ms: number) => (now += ms) };
}

describe('SlackUserGroups', () => {
  it('names the groups the user belongs to as slack-group identities', async () => {
    const { userGroups } = groups({ S0ONCALL: ['U1', 'U2'], S0ADMIN: ['U2'] });
    expect(await userGroups.groupsOf('U1')).toEqual(['slack-group:S0ONCALL']);
    expect(await userGroups.groupsOf('U2')).toEqual(['slack-group:S0ONCALL', 'slack-group:S0ADMIN']);
    expect(await userGroups.groupsOf('U3')).toEqual([]);
  });

  it('asks Slack once per group within the cache time, shared by concurrent lookups', async () => {
    const { userGroups, calls, members, advance } = groups({ S0ONCALL: ['U1'] });
    await Promise.all([userGroups.groupsOf('U1'), userGroups.groupsOf('U2')]);
    advance(59_999);
    await userGroups.groupsOf('U1');
    expect(calls).toEqual(['S0ONCALL']);
    members.S0ONCALL = ['U2'];
    advance(1);
    expect(await userGroups.groupsOf('U2')).toEqual(['slack-group:S0ONCALL']);
    expect(calls).toEqual(['S0ONCALL', 'S0ONCALL']);
  });

  it('keeps the last known members when Slack fails, and grants nothing never read', async () => {
    const { userGroups, members, advance } = groups({ S0ONCALL: ['U1'], S0ADMIN: new Error('ratelimited') });
    expect(await userGroups.groupsOf('U1')).toEqual(['slack-group:S0ONCALL']);
    members.S0ONCALL = new Error('timeout');
    advance(120_000);
    expect(await userGroups.groupsOf('U1')).toEqual(['slack-group:S0ONCALL']);
  });
});
