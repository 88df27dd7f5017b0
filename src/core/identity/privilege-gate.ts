// Proxmox's own permissions bound what each person can do from chat (docs/permissions.md). With the
// policy's `identities:`, a person's chat identity maps to their PVE user; before a request becomes
// an approval or a job, and before an approver's press counts, PVE is asked what that user may do
// on the paths the job touches (jobs/privileges). A refusal names each missing privilege, its path
// and the `pveum` command an admin would run. Whatever cannot be checked is refused: a missing
// setting, an unreadable answer or a token that may not ask never opens a door.
import type { PrivilegeNeed } from '../../jobs/privileges/required-privileges.js';
import type { Logger } from '../../logger.js';
import { isPveError, PveErrorCode } from '../../proxmox/pve-error.js';
import type { ChatUser } from '../chat-event.js';
import type { Policy } from '../policy/index.js';
import type { PermissionsPort } from '../ports.js';
import { PermissionCache } from './permission-cache.js';
import { type PveIdentity, pveUserOf } from './pve-user-of.js';

export type GateVerdict =
  /** `pveUser`: the PVE user checked (absent when the policy maps no one, or not this person). */
  { ok: true; pveUser?: string } | { ok: false; title: string; reason: string };

/** One need the PVE user does not meet. */
export interface MissingPrivilege {
  need: PrivilegeNeed;
  /** The privileges that would meet it (for `any`, each one would). */
  lacking: readonly string[];
}

export interface PrivilegeGateOptions {
  policy: () => Policy;
  port?: PermissionsPort | undefined;
  now: () => number;
  logger?: Logger | undefined;
}

export class PrivilegeGate {
  readonly #o: PrivilegeGateOptions;
  readonly #cache: PermissionCache | undefined;

  constructor(options: PrivilegeGateOptions) {
    this.#o = options;
    this.#cache =
      options.port &&
      new PermissionCache(options.port, () => options.policy().identities?.cacheMs ?? 0, options.now);
  }

  /** Whether PVE's permissions apply at all (the policy maps identities, mode not off). */
  get active(): boolean {
    const mode = this.#o.policy().identities?.mode ?? 'off';
    return mode !== 'off';
  }

  identity(user: ChatUser): PveIdentity {
    return pveUserOf(this.#o.policy().identities, user);
  }

  /**
   * In `required` mode a person without a PVE user may only read: anything that acts is refused
   * before it is planned. Otherwise undefined.
   */
  refusalForUnmapped(user: ChatUser): GateVerdict | undefined {
    const identities = this.#o.policy().identities;
    if (identities?.mode !== 'required') return undefined;
    const identity = pveUserOf(identities, user);
    if (identity.kind === 'mapped') return undefined;
    return { ok: false, title: 'You may only read here', reason: unmappedReason(identity, user) };
  }

  /**
   * Whether `user`'s PVE user holds every need. `role`: they ask for it, or approve it (an
   * approver's refusal says so).
   */
  async check(
    user: ChatUser,
    needs: readonly PrivilegeNeed[],
    role: 'requester' | 'approver',
  ): Promise<GateVerdict> {
    const identities = this.#o.policy().identities;
    if (!identities || identities.mode === 'off') return { ok: true };
    const identity = pveUserOf(identities, user);
    if (identity.kind !== 'mapped') {
      if (identities.mode === 'optional') return { ok: true };
      return {
        ok: false,
        title: role === 'approver' ? 'You may not approve this' : 'You may only read here',
        reason: unmappedReason(identity, user),
      };
    }
    const userid = identity.userid;
    const title =
      role === 'approver'
        ? `You may not approve this: Proxmox does not allow ${userid}`
        : `Proxmox does not allow ${userid} to do this`;
    try {
      const missing = await this.missing(userid, needs);
      if (missing.length === 0) return { ok: true, pveUser: userid };
      return { ok: false, title, reason: await this.#describeMissing(userid, identity, missing) };
    } catch (error) {
      return { ok: false, title, reason: this.#cannotAsk(userid, error) };
    }
  }

  /** The needs `userid` does not meet (the ones for another PVE major left out). */
  async missing(userid: string, needs: readonly PrivilegeNeed[]): Promise<MissingPrivilege[]> {
    const cache = this.#requireCache();
    const major = needs.some((n) => n.pve !== undefined) ? await cache.pveMajor() : undefined;
    const relevant = needs.filter((n) => n.pve === undefined || n.pve === major);
    const paths = [...new Set(relevant.map((n) => n.path))];
    const held = new Map(
      await Promise.all(paths.map(async (path) => [path, await cache.privilegesOf(userid, path)] as const)),
    );
    return relevant.flatMap((need): MissingPrivilege[] => {
      const privileges = held.get(need.path) ?? {};
      // Present is granted on the path; for what is not created yet it must also reach below.
      const holds = (p: string) => p in privileges && (!need.propagated || privileges[p] === true);
      if (need.any ? need.privileges.some(holds) : need.privileges.every(holds)) return [];
      return [{ need, lacking: need.any ? need.privileges : need.privileges.filter((p) => !holds(p)) }];
    });
  }

  /** What `userid` holds on `path` (privilege → reaches below), as PVE says, cached. */
  privilegesOn(userid: string, path: string): Promise<Record<string, boolean>> {
    return this.#requireCache().privilegesOf(userid, path);
  }

  #requireCache(): PermissionCache {
    if (!this.#cache) throw new NoPermissionsPortError();
    return this.#cache;
  }

  async #describeMissing(
    userid: string,
    identity: Extract<PveIdentity, { kind: 'mapped' }>,
    missing: MissingPrivilege[],
  ): Promise<string> {
    const lines = missing.map(({ need, lacking }) => {
      const privileges = lacking.join(need.any ? ' or ' : ' and ');
      const where = need.propagated ? `${need.path} (propagated to what is created below it)` : need.path;
      return `• ${privileges} on ${where}, to ${need.what}`;
    });
    const grants = await this.#grants(userid, missing);
    return [
      `${userid} (your Proxmox user, mapped from ${identity.via}) lacks:`,
      ...lines,
      grants.length === 1 ? 'An admin can grant it:' : 'An admin can grant them:',
      ...grants.map((g) => `\`${g}\``),
    ].join('\n');
  }

  /** One `pveum acl modify` per path, with the smallest role that holds what is missing there. */
  async #grants(userid: string, missing: MissingPrivilege[]): Promise<string[]> {
    let roles: Array<{ roleid: string; privs?: string | undefined }> = [];
    try {
      roles = await this.#requireCache().roles();
    } catch (error) {
      this.#o.logger?.warn({ error: message(error) }, 'cannot read the PVE roles to suggest one');
    }
    const byPath = new Map<string, MissingPrivilege[]>();
    for (const m of missing) byPath.set(m.need.path, [...(byPath.get(m.need.path) ?? []), m]);
    return [...byPath].map(([path, items]) => {
      const role = smallestRoleFor(roles, items);
      return `pveum acl modify ${path} --users ${userid} --roles ${role ?? '<a role with them>'}`;
    });
  }

  #cannotAsk(userid: string, error: unknown): string {
    if (error instanceof NoPermissionsPortError)
      return 'This bot is not connected to Proxmox here, so what your Proxmox user may do cannot be checked; nothing that acts is allowed.';
    this.#o.logger?.warn({ userid, error: message(error) }, 'cannot read PVE permissions; refused');
    if (isPveError(error) && error.code === PveErrorCode.Permission)
      return `Proxmox did not let the bot see what ${userid} may do (${error.message}). The bot's API token needs Sys.Audit on /access (for example the PVEAuditor role: \`pveum acl modify /access --tokens <the bot's token id> --roles PVEAuditor\`); until then nothing that acts is allowed.`;
    return `Proxmox could not be asked what ${userid} may do (${message(error)}); nothing that acts is allowed until it can. Try again shortly.`;
  }
}

/** The role with the fewest privileges that meets every missing need on one path. */
function smallestRoleFor(
  roles: Array<{ roleid: string; privs?: string | undefined }>,
  items: MissingPrivilege[],
): string | undefined {
  let best: { roleid: string; size: number } | undefined;
  for (const role of roles) {
    const privs = new Set((role.privs ?? '').split(',').filter(Boolean));
    const meets = items.every(({ need, lacking }) =>
      need.any ? lacking.some((p) => privs.has(p)) : lacking.every((p) => privs.has(p)),
    );
    if (meets && (!best || privs.size < best.size)) best = { roleid: role.roleid, size: privs.size };
  }
  return best?.roleid;
}

function unmappedReason(identity: PveIdentity, user: ChatUser): string {
  if (identity.kind === 'ambiguous') {
    const list = identity.candidates.map((c) => `${c.group} → ${c.userid}`).join(', ');
    return `Your groups map to different Proxmox users (${list}), so which one is yours is not clear. An admin can map you under identities.users in the policy: \`"${user.id}": <your PVE user>\`.`;
  }
  return `Your chat account is not mapped to a Proxmox user, and this bot requires one for anything that acts (identities.mode: required). An admin can map you in the policy under identities.users: \`"${user.id}": <your PVE user, e.g. alice@pve>\`.`;
}

class NoPermissionsPortError extends Error {
  constructor() {
    super('no PVE connection to read permissions with');
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
