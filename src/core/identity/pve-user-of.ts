// Who a chat person is in Proxmox VE, by the policy's `identities:` (docs/permissions.md): their own
// entry first, else the one PVE user their groups map to. Groups that map to different PVE users
// are not guessed between: the person is then unmapped, and told why.
import type { ChatUser } from '../chat-event.js';
import type { IdentityPolicy } from '../policy/index.js';

export type PveIdentity =
  /** Mapped: `via` is the policy key that mapped them (`slack:U0123ABC` or a group). */
  | { kind: 'mapped'; userid: string; via: string }
  | { kind: 'unmapped' }
  /** Several of their groups map to different PVE users. */
  | { kind: 'ambiguous'; candidates: Array<{ group: string; userid: string }> };

export function pveUserOf(identities: IdentityPolicy | undefined, user: ChatUser): PveIdentity {
  if (!identities) return { kind: 'unmapped' };
  const own = identities.users[user.id];
  if (own !== undefined) return { kind: 'mapped', userid: own, via: user.id };
  const candidates = user.groups.flatMap((group) => {
    const userid = identities.groups[group];
    return userid === undefined ? [] : [{ group, userid }];
  });
  const distinct = new Set(candidates.map((c) => c.userid));
  if (distinct.size === 0) return { kind: 'unmapped' };
  if (distinct.size > 1) return { kind: 'ambiguous', candidates };
  const [first] = candidates;
  return { kind: 'mapped', userid: first!.userid, via: first!.group };
}
