// The users, tokens and ACLs a new simulated cluster starts with: the bot's user with its two
// tokens, set up as the README's "Pointing it at a real cluster" does it (a user, tokens with
// privilege separation, the role granted to both), with Administrator in place of the trimmed
// PVEChatOps role so the bot's token can also manage users and ACLs. The token ids are the
// platform's (compose-simulator.ts), which sets their secrets at start-up.
import type { AccessSeed } from './access-control.js';

/** The bot's PVE user: its tokens' privileges are intersected with this user's. */
export const BOT_USER = 'chatops@pve';

export function defaultAccessSeed(): AccessSeed {
  return {
    users: [{ userid: BOT_USER, comment: 'pve-chatops bot' }],
    tokens: [
      { tokenid: `${BOT_USER}!bot`, privsep: true, comment: 'pve-chatops' },
      { tokenid: `${BOT_USER}!audit`, privsep: true, comment: 'pve-chatops (read-only)' },
    ],
    acl: [
      { path: '/', type: 'user', ugid: BOT_USER, roles: ['Administrator'] },
      { path: '/', type: 'token', ugid: `${BOT_USER}!bot`, roles: ['Administrator'] },
      { path: '/', type: 'token', ugid: `${BOT_USER}!audit`, roles: ['PVEAuditor'] },
    ],
  };
}
