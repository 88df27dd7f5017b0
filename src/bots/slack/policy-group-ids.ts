// The Slack user groups a policy names (`slack-group:S0ONCALL` in a role): the only groups whose
// members the adapter needs to know, so it asks Slack about these and no others.
import type { Policy } from '../../core/policy/policy-types.js';

export const SLACK_GROUP_PREFIX = 'slack-group:';

export function policyGroupIds(policy: Pick<Policy, 'roles'>): string[] {
  const ids = new Set<string>();
  for (const identities of Object.values(policy.roles)) {
    for (const identity of identities) {
      if (identity.startsWith(SLACK_GROUP_PREFIX) && identity.length > SLACK_GROUP_PREFIX.length) {
        ids.add(identity.slice(SLACK_GROUP_PREFIX.length));
      }
    }
  }
  return [...ids].sort();
}
