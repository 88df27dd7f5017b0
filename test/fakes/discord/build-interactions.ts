// INTERACTION_CREATE payloads as Discord sends them for a guild: the member with roles and
// permissions, the channel, entitlements and authorizing_integration_owners (discord.js reads
// both unconditionally), and the command data, autocomplete data or clicked button. The same
// payloads can come from another guild the bot was invited to, or from a DM with the bot (no
// guild, no member: the user alone, in a DM channel).
import {
  type APIApplicationCommandAutocompleteGuildInteraction,
  type APIChatInputApplicationCommandGuildInteraction,
  type APIDMChannel,
  type APIInteractionGuildMember,
  type APIMessage,
  type APIMessageComponentButtonInteraction,
  type ChannelFlags,
  ChannelType,
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
  /** The guild it comes from: the fake's own by default; null for a DM with the bot. */
  guildId?: string | null;
  /** What the bot may do in the channel (interaction.app_permissions); everything by default. */
  appPermissions?: string;
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

function dmChannelJson(channel: StoredChannel, user: FakeDiscordUser): APIDMChannel {
  return {
    id: channel.id,
    type: ChannelType.DM,
    recipients: [userJson(user)],
    last_message_id: null,
    flags: 0 as ChannelFlags,
    name: null,
  } as APIDMChannel;
}

function base(ctx: InteractionContext) {
  const { id } = ctx;
  const common = {
    id: ctx.interactionId,
    application_id: id.applicationId,
    token: ctx.token,
    version: 1 as const,
    channel_id: ctx.channel.id,
    app_permissions: ctx.appPermissions ?? APP_PERMISSIONS,
    locale: Locale.EnglishUS,
    entitlements: [],
    attachment_size_limit: ATTACHMENT_SIZE_LIMIT,
  };
  if (ctx.guildId === null) {
    // A DM with the bot: the user instead of a member, no guild; installed for the user.
    return {
      ...common,
      channel: dmChannelJson(ctx.channel, ctx.user),
      user: userJson(ctx.user),
      authorizing_integration_owners: { 1: ctx.user.id },
      context: InteractionContextType.BotDM,
    };
  }
  const guildId = ctx.guildId ?? id.guildId;
  return {
    ...common,
    guild_id: guildId,
    guild: { id: guildId, locale: Locale.EnglishUS, features: [] },
    channel: { ...channelJson(ctx.channel, id), guild_id: guildId },
    member: memberJson(ctx.user),
    guild_locale: Locale.EnglishUS,
    authorizing_integration_owners: { 0: guildId },
    context: InteractionContextType.Guild,
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
  } as APIChatInputApplicationCommandGuildInteraction;
}

export function autocompleteJson(
  ctx: InteractionContext,
  data: CommandData,
): APIApplicationCommandAutocompleteGuildInteraction {
  return {
    ...base(ctx),
    type: InteractionType.ApplicationCommandAutocomplete,
    data: data as unknown as APIApplicationCommandAutocompleteGuildInteraction['data'],
  } as APIApplicationCommandAutocompleteGuildInteraction;
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
  } as APIMessageComponentButtonInteraction & { guild_id: string };
}
