// Which of the policy's Slack user groups a person belongs to, as ChatUser groups
// (`slack-group:S0ONCALL`). Members come from usergroups.users.list, one call per group, cached
// for cacheMs; concurrent lookups share one call. When Slack cannot be asked, the last known
// members are used, and a group never read counts as empty: nobody gains a role by an outage.
import type { Logger } from '../../logger.js';
import { SLACK_GROUP_PREFIX } from './policy-group-ids.js';

export interface SlackUserGroupsOptions {
  groupIds: string[];
  /** The member ids of one user group (usergroups.users.list). */
  listMembers(groupId: string): Promise<string[]>;
  cacheMs: number;
  logger: Logger;
  now?: () => number;
}

interface Cached {
  members: Set<string>;
  at: number;
}

export class SlackUserGroups {
  readonly #o: Required<SlackUserGroupsOptions>;
  readonly #cache = new Map<string, Cached>();
  readonly #loading = new Map<string, Promise<Set<string>>>();

  constructor(options: SlackUserGroupsOptions) {
    this.#o = { now: () => Date.now(), ...options };
  }

  async groupsOf(userId: string): Promise<string[]> {
    const found = await Promise.all(
      this.#o.groupIds.map(async (groupId) =>
        (await this.#members(groupId)).has(userId) ? groupId : undefined,
      ),
    );
    return found.filter((id): id is string => id !== undefined).map((id) => `${SLACK_GROUP_PREFIX}${id}`);
  }

  #members(groupId: string): Promise<Set<string>> {
    const cached = this.#cache.get(groupId);
    if (cached && this.#o.now() - cached.at < this.#o.cacheMs) return Promise.resolve(cached.members);
    const loading = this.#loading.get(groupId);
    if (loading) return loading;
    const load = this.#o
      .listMembers(groupId)
      .then((members) => {
        const set = new Set(members);
        this.#cache.set(groupId, { members: set, at: this.#o.now() });
        return set;
      })
      .catch((error: unknown) => {
        this.#o.logger.warn(
          { groupId, error: error instanceof Error ? error.message : String(error) },
          'cannot read Slack user group members; using the last known ones',
        );
        return cached?.members ?? new Set<string>();
      })
      .finally(() => this.#loading.delete(groupId));
    this.#loading.set(groupId, load);
    return load;
  }
}
