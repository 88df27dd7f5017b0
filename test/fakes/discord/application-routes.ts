// Bot-token routes about the bot itself: gateway discovery, its user and application, and the
// application commands it registers (global or per guild). A bulk PUT replaces the scope's
// commands and keeps a command's id when its name and type stay, as Discord does.
import { missingAccess, ok, type RestReply } from './api-errors.js';
import { BOT_USERNAME, botUser } from './build-payloads.js';
import type { StoredCommand } from './discord-store.js';
import { isObject, type RestContext, type RestRequest, type Route } from './rest-router.js';
import { validateCommand, validateCommands } from './validate-commands.js';

const ID = '(\\d+)';

export const APPLICATION_ROUTES: Route[] = [
  // Discord serves GET /gateway without authentication.
  {
    method: 'GET',
    pattern: /^\/gateway$/,
    auth: 'none',
    handle: (_r, _p, ctx) => ok({ url: ctx.id.gatewayUrl }),
  },
  {
    method: 'GET',
    pattern: /^\/gateway\/bot$/,
    auth: 'bot',
    handle: (_r, _p, ctx) =>
      ok({
        url: ctx.id.gatewayUrl,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 },
      }),
  },
  {
    method: 'GET',
    pattern: /^\/users\/@me$/,
    auth: 'bot',
    handle: (_r, _p, ctx) => ok({ ...botUser(ctx.id), verified: true, mfa_enabled: false, locale: 'en-US' }),
  },
  {
    method: 'GET',
    pattern: /^\/applications\/@me$/,
    auth: 'bot',
    handle: (_r, _p, ctx) => ok(applicationJson(ctx)),
  },
  ...commandRoutes(`/applications/${ID}/commands`, false),
  ...commandRoutes(`/applications/${ID}/guilds/${ID}/commands`, true),
];

function commandRoutes(path: string, guild: boolean): Route[] {
  const pattern = new RegExp(`^${path}$`);
  const scoped =
    (handler: (req: RestRequest, scope: string, ctx: RestContext) => RestReply): Route['handle'] =>
    (req, [applicationId, guildId], ctx) => {
      if (applicationId !== ctx.id.applicationId) return missingAccess();
      if (guild && guildId !== ctx.id.guildId) return missingAccess();
      return handler(req, guild ? guildId! : 'global', ctx);
    };
  return [
    {
      method: 'GET',
      pattern,
      auth: 'bot',
      handle: scoped((_req, scope, ctx) =>
        ok((ctx.store.commands.get(scope) ?? []).map((c) => commandJson(ctx, scope, c))),
      ),
    },
    {
      method: 'PUT',
      pattern,
      auth: 'bot',
      handle: scoped((req, scope, ctx) => {
        const invalid = validateCommands(req.body);
        if (invalid !== undefined) return invalid;
        const bodies = (req.body as unknown[]).filter(isObject);
        const previous = ctx.store.commands.get(scope) ?? [];
        const commands = bodies.map((body) => ({
          id: previous.find((p) => sameCommand(p.body, body))?.id ?? ctx.store.ids.next(),
          version: ctx.store.ids.next(),
          body: structuredClone(body),
        }));
        ctx.store.commands.set(scope, commands);
        const registration = structuredClone(req.body) as unknown[];
        ctx.store.registrations.push(
          scope === 'global' ? { commands: registration } : { guildId: scope, commands: registration },
        );
        ctx.store.changed();
        return ok(commands.map((c) => commandJson(ctx, scope, c)));
      }),
    },
    {
      method: 'POST',
      pattern,
      auth: 'bot',
      handle: scoped((req, scope, ctx) => {
        const invalid = validateCommand(req.body);
        if (invalid !== undefined) return invalid;
        const body = structuredClone(req.body) as Record<string, unknown>;
        const commands = ctx.store.commands.get(scope) ?? [];
        const existing = commands.find((c) => sameCommand(c.body, body));
        const command = { id: existing?.id ?? ctx.store.ids.next(), version: ctx.store.ids.next(), body };
        ctx.store.commands.set(scope, [...commands.filter((c) => c !== existing), command]);
        ctx.store.changed();
        return ok(commandJson(ctx, scope, command), existing === undefined ? 201 : 200);
      }),
    },
  ];
}

const sameCommand = (a: Record<string, unknown>, b: Record<string, unknown>): boolean =>
  a.name === b.name && (a.type ?? 1) === (b.type ?? 1);

function commandJson(ctx: RestContext, scope: string, command: StoredCommand): Record<string, unknown> {
  const { body } = command;
  return {
    id: command.id,
    application_id: ctx.id.applicationId,
    version: command.version,
    type: body.type ?? 1,
    name: body.name,
    name_localizations: body.name_localizations ?? null,
    description: body.description ?? '',
    description_localizations: body.description_localizations ?? null,
    ...(Array.isArray(body.options) && body.options.length > 0 ? { options: body.options } : {}),
    default_member_permissions: body.default_member_permissions ?? null,
    nsfw: body.nsfw ?? false,
    integration_types: body.integration_types ?? [0],
    contexts: body.contexts ?? null,
    ...(scope === 'global' ? { dm_permission: body.dm_permission ?? true } : { guild_id: scope }),
  };
}

function applicationJson(ctx: RestContext): Record<string, unknown> {
  const owner = {
    id: '100000000000000009',
    username: 'fake-owner',
    discriminator: '0',
    global_name: null,
    avatar: null,
  };
  return {
    id: ctx.id.applicationId,
    name: BOT_USERNAME,
    icon: null,
    description: '',
    summary: '',
    type: null,
    bot: botUser(ctx.id),
    bot_public: false,
    bot_require_code_grant: false,
    verify_key: '0'.repeat(64),
    flags: 0,
    team: null,
    owner,
    tags: [],
    integration_types_config: { 0: {} },
    approximate_guild_count: 1,
    redirect_uris: [],
    interactions_endpoint_url: null,
  };
}
