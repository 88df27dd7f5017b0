// INTERACTION_CREATE payloads as Discord sends them for a guild: the member with roles and
// permissions, the channel, entitlements and authorizing_integration_owners (discord.js reads
// both unconditionally), and the command data, autocomplete data or clicked button.
import {
  type APIApplicationCommandAutocompleteGuildInteraction,
  type APIChatInputApplicationCommandGuildInteraction,
  type APIInteractionGuildMember,
  type APIMessage,
  type APIMessageComponentButtonInteraction,
  ComponentType,
  type GuildMemberFlags,
  InteractionContextType,
  InteractionType,
  Locale,
} from 'discord-api-types/v10';
import {
  APP_PERMISSIONS,
  channelJson,
  type Identity,
  MEMBER_PERMISSIONS,
  userJson,
} from './build-payloads.js';
import type { CommandData } from './command-options.js';
import type { StoredChannel } from './discord-store.js';
import { isoTimestamp } from './snowflakes.js';
import type { FakeDiscordUser } from './types.js';

/** Every member "joined" a day before the fake started. */
const JOINED_AT = isoTimestamp(Date.now() - 86_400_000);
/** Discord's current upload limit for unboosted guilds (10 MiB). */
const ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024;

export interface InteractionContext {
  id: Identity;
  interactionId: string;
  token: string;
  user: FakeDiscordUser;
  channel: StoredChannel;
}

function memberJson(user: FakeDiscordUser): APIInteractionGuildMember {
  return {
    user: userJson(user),
    roles: [...(user.roles ?? [])],
    permissions: MEMBER_PERMISSIONS,
    joined_at: JOINED_AT,
    nick: null,
    avatar: null,
    banner: null,
    premium_since: null,
    communication_disabled_until: null,
    deaf: false,
    mute: false,
    pending: false,
    flags: 0 as GuildMemberFlags,
  };
}

function base(ctx: InteractionContext) {
  const { id } = ctx;
  return {
    id: ctx.interactionId,
    application_id: id.applicationId,
    token: ctx.token,
    version: 1 as const,
    guild_id: id.guildId,
    guild: { id: id.guildId, locale: Locale.EnglishUS, features: [] },
    channel_id: ctx.channel.id,
    channel: channelJson(ctx.channel, id),
    member: memberJson(ctx.user),
    app_permissions: APP_PERMISSIONS,
    locale: Locale.EnglishUS,
    guild_locale: Locale.EnglishUS,
    entitlements: [],
    authorizing_integration_owners: { 0: id.guildId },
    context: InteractionContextType.Guild,
    attachment_size_limit: ATTACHMENT_SIZE_LIMIT,
  };
}

export function slashCommandJson(
  ctx: InteractionContext,
  data: CommandData,
): APIChatInputApplicationCommandGuildInteraction {
  return {
    ...base(ctx),
    type: InteractionType.ApplicationCommand,
    data: data as unknown as APIChatInputApplicationCommandGuildInteraction['data'],
  };
}

export function autocompleteJson(
  ctx: InteractionContext,
  data: CommandData,
): APIApplicationCommandAutocompleteGuildInteraction {
  return {
    ...base(ctx),
    type: InteractionType.ApplicationCommandAutocomplete,
    data: data as unknown as APIApplicationCommandAutocompleteGuildInteraction['data'],
  };
}

export function buttonJson(
  ctx: InteractionContext,
  message: APIMessage,
  customId: string,
): APIMessageComponentButtonInteraction & { guild_id: string } {
  return {
    ...base(ctx),
    type: InteractionType.MessageComponent,
    message,
    data: { custom_id: customId, component_type: ComponentType.Button },
  };
}
