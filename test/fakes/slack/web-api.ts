// The Web API methods the fake answers: POST /api/<method>, HTTP 200 and `{ok, …}` JSON, as Slack does.
import { FILE_HANDLERS } from './file-uploads.js';
import type { SlackStore } from './slack-store.js';
import type { SlackBlock, WebApiFault } from './types.js';

export interface WebApiIdentity {
  botToken: string;
  appToken: string;
  botUserId: string;
  botId: string;
  teamId: string;
  teamDomain: string;
  enterpriseId: string | undefined;
  socketUrl(): string;
  /** http://127.0.0.1:P — upload URLs point back at the fake. */
  baseUrl(): string;
}

export interface WebApiReply {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown> | undefined;
}

type Params = Record<string, unknown>;
export type WebApiHandler = (params: Params, ctx: WebApiContext) => Record<string, unknown>;

export interface WebApiContext {
  store: SlackStore;
  id: WebApiIdentity;
}

/** JSON-valued fields that WebClient sends stringified inside form bodies. */
const JSON_FIELDS = ['blocks', 'attachments', 'metadata'] as const;

export function decodeParams(raw: Record<string, unknown>): Params {
  const params: Params = { ...raw };
  for (const field of JSON_FIELDS) {
    const value = params[field];
    if (typeof value !== 'string') continue;
    try {
      params[field] = JSON.parse(value);
    } catch {
      params[field] = { invalidJson: value };
    }
  }
  return params;
}

export function answerWebApi(
  method: string,
  params: Params,
  token: string | undefined,
  fault: WebApiFault | undefined,
  ctx: WebApiContext,
): WebApiReply {
  if (fault !== undefined) return faultReply(fault);
  const handler = HANDLERS[method];
  if (handler === undefined) return ok200({ ok: false, error: 'unknown_method' });
  const authError = checkToken(method, token, ctx.id);
  if (authError !== undefined) return ok200({ ok: false, error: authError });
  return ok200(handler(params, ctx));
}

function faultReply(fault: WebApiFault): WebApiReply {
  if ('error' in fault) return ok200({ ok: false, error: fault.error });
  if (fault.status === 429) {
    return {
      status: 429,
      headers: { 'retry-after': String(fault.retryAfterSeconds) },
      body: { ok: false, error: 'ratelimited' },
    };
  }
  return { status: 500, headers: {}, body: undefined };
}

function ok200(body: Record<string, unknown>): WebApiReply {
  return { status: 200, headers: {}, body };
}

function checkToken(method: string, token: string | undefined, id: WebApiIdentity): string | undefined {
  if (token === undefined || token === '') return 'not_authed';
  const wanted = method === 'apps.connections.open' ? id.appToken : id.botToken;
  if (token === wanted) return undefined;
  if (token === id.appToken || token === id.botToken) return 'not_allowed_token_type';
  return 'invalid_auth';
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const blocksOf = (value: unknown): SlackBlock[] | undefined =>
  Array.isArray(value) ? (value as SlackBlock[]) : undefined;
const hasContent = (p: Params): boolean =>
  str(p.text) !== undefined || blocksOf(p.blocks) !== undefined || p.attachments !== undefined;
const invalidBlocks = (p: Params): boolean => p.blocks !== undefined && blocksOf(p.blocks) === undefined;

const HANDLERS: Record<string, WebApiHandler> = {
  ...FILE_HANDLERS,

  'auth.test': (_p, { id }) => ({
    ok: true,
    url: `https://${id.teamDomain}.slack.com/`,
    team: 'Fake Team',
    user: 'pve-chatops',
    team_id: id.teamId,
    user_id: id.botUserId,
    bot_id: id.botId,
    ...(id.enterpriseId !== undefined ? { enterprise_id: id.enterpriseId } : {}),
    is_enterprise_install: false,
  }),

  'apps.connections.open': (_p, { id }) => ({ ok: true, url: id.socketUrl() }),

  'chat.postMessage': (p, { store, id }) => {
    const channel = str(p.channel);
    if (channel === undefined || channel === '') return { ok: false, error: 'channel_not_found' };
    if (invalidBlocks(p)) return { ok: false, error: 'invalid_blocks' };
    if (!hasContent(p)) return { ok: false, error: 'no_text' };
    const message = store.addMessage({
      channel,
      threadTs: str(p.thread_ts),
      text: str(p.text),
      blocks: blocksOf(p.blocks),
      user: id.botUserId,
      source: 'chat.postMessage',
    });
    return {
      ok: true,
      channel,
      ts: message.ts,
      message: {
        type: 'message',
        user: id.botUserId,
        bot_id: id.botId,
        text: message.text ?? '',
        blocks: message.blocks,
        ts: message.ts,
        thread_ts: message.threadTs,
      },
    };
  },

  'chat.update': (p, { store, id }) => {
    const channel = str(p.channel) ?? '';
    const ts = str(p.ts) ?? '';
    const message = store.findMessage(channel, ts);
    if (message === undefined || message.deleted) return { ok: false, error: 'message_not_found' };
    if (invalidBlocks(p)) return { ok: false, error: 'invalid_blocks' };
    store.editMessage(message, str(p.text), blocksOf(p.blocks));
    return {
      ok: true,
      channel,
      ts,
      text: message.text ?? '',
      message: {
        type: 'message',
        user: id.botUserId,
        bot_id: id.botId,
        text: message.text,
        blocks: message.blocks,
      },
    };
  },

  'chat.delete': (p, { store }) => {
    const channel = str(p.channel) ?? '';
    const ts = str(p.ts) ?? '';
    const message = store.findMessage(channel, ts);
    if (message === undefined || message.deleted) return { ok: false, error: 'message_not_found' };
    store.deleteMessage(message);
    return { ok: true, channel, ts };
  },

  'chat.postEphemeral': (p, { store }) => {
    const channel = str(p.channel);
    const user = str(p.user);
    if (channel === undefined || channel === '') return { ok: false, error: 'channel_not_found' };
    if (user === undefined || user === '') return { ok: false, error: 'user_not_found' };
    if (invalidBlocks(p)) return { ok: false, error: 'invalid_blocks' };
    if (!hasContent(p)) return { ok: false, error: 'no_text' };
    const ephemeral = store.addEphemeral({
      channel,
      user,
      ts: store.nextTs(),
      threadTs: str(p.thread_ts),
      text: str(p.text),
      blocks: blocksOf(p.blocks),
      source: 'chat.postEphemeral',
    });
    return { ok: true, message_ts: ephemeral.ts };
  },

  'usergroups.users.list': (p, { store }) => {
    const users = store.userGroups.get(str(p.usergroup) ?? '');
    return users === undefined ? { ok: false, error: 'no_such_subteam' } : { ok: true, users: [...users] };
  },

  'users.info': (p, { store, id }) => {
    const user = str(p.user);
    if (user === undefined || user === '') return { ok: false, error: 'user_not_found' };
    const name = store.userNames.get(user) ?? user;
    return {
      ok: true,
      user: {
        id: user,
        team_id: id.teamId,
        name,
        real_name: name,
        deleted: false,
        is_bot: false,
        profile: { display_name: name, real_name: name },
      },
    };
  },

  'conversations.info': (p, { store }) => {
    const channel = str(p.channel);
    if (channel === undefined || channel === '') return { ok: false, error: 'channel_not_found' };
    const name = store.channelNames.get(channel) ?? channel;
    return { ok: true, channel: { id: channel, name, is_channel: true, is_private: false, is_member: true } };
  },
};
