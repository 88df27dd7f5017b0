// The API JSON Discord sends for users, roles, channels, the guild and messages, typed with
// discord-api-types so that a field discord.js dereferences cannot be forgotten.
import {
  type APIGuildTextChannel,
  type APIMessage,
  type APIRole,
  type APIThreadChannel,
  type APIUser,
  type ApplicationFlags,
  type ChannelFlags,
  ChannelType,
  type GatewayGuildCreateDispatchData,
  type GatewayReadyDispatchData,
  GuildDefaultMessageNotifications,
  GuildExplicitContentFilter,
  GuildMFALevel,
  GuildNSFWLevel,
  GuildPremiumTier,
  type GuildSystemChannelFlags,
  GuildVerificationLevel,
  Locale,
  type MessageType,
  type RoleFlags,
  type ThreadMemberFlags,
  type UserFlags,
} from 'discord-api-types/v10';
import {
  type DiscordStore,
  isThreadType,
  type StoredChannel,
  type StoredMessage,
  type StoredRole,
} from './discord-store.js';
import { attachmentJson, resolveEmbedImages } from './message-attachments.js';
import { isoTimestamp, snowflakeTimestamp } from './snowflakes.js';
import type { FakeDiscordUser } from './types.js';

export const BOT_USERNAME = 'pve-chatops';

/** Permissions of an ordinary member (view, send, threads, history, app commands …). */
export const MEMBER_PERMISSIONS = '2248473465835073';
/** What the bot may do in the channel (interaction.app_permissions). */
export const APP_PERMISSIONS = '2251799813685247';

export interface Identity {
  token: string;
  applicationId: string;
  botUserId: string;
  guildId: string;
  gatewayUrl: string;
}

export function botUser(id: Identity): APIUser {
  return {
    id: id.botUserId,
    username: BOT_USERNAME,
    discriminator: '0',
    global_name: null,
    avatar: null,
    bot: true,
    flags: 0 as UserFlags,
    public_flags: 0 as UserFlags,
  };
}

export function userJson(user: FakeDiscordUser): APIUser {
  return {
    id: user.id,
    username: user.username,
    discriminator: '0',
    global_name: user.username,
    avatar: null,
    public_flags: 0 as UserFlags,
  };
}

export function roleJson(role: StoredRole): APIRole {
  return {
    id: role.id,
    name: role.name,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position: role.position,
    permissions: role.position === 0 ? MEMBER_PERMISSIONS : '0',
    managed: false,
    mentionable: false,
    flags: 0 as RoleFlags,
  };
}

export function textChannelJson(
  channel: StoredChannel,
  guildId: string,
): APIGuildTextChannel<ChannelType.GuildText> {
  return {
    id: channel.id,
    type: ChannelType.GuildText,
    guild_id: guildId,
    name: channel.name,
    position: 0,
    permission_overwrites: [],
    nsfw: false,
    parent_id: null,
    topic: null,
    last_message_id: null,
    rate_limit_per_user: 0,
    default_auto_archive_duration: 1440,
    flags: 0 as ChannelFlags,
  };
}

export function threadJson(
  thread: StoredChannel,
  id: Identity,
): APIThreadChannel & { type: ChannelType.PublicThread | ChannelType.PrivateThread } {
  const created = isoTimestamp(thread.createdAt);
  return {
    id: thread.id,
    type: thread.type === 12 ? ChannelType.PrivateThread : ChannelType.PublicThread,
    guild_id: id.guildId,
    name: thread.name,
    parent_id: thread.parentId,
    owner_id: thread.ownerId ?? id.botUserId,
    last_message_id: null,
    rate_limit_per_user: 0,
    message_count: 0,
    member_count: 1,
    total_message_sent: 0,
    flags: 0 as ChannelFlags,
    applied_tags: [],
    thread_metadata: {
      archived: false,
      auto_archive_duration: thread.autoArchiveDuration as 60 | 1440 | 4320 | 10080,
      archive_timestamp: created,
      locked: false,
      create_timestamp: created,
    },
    member: { id: thread.id, user_id: id.botUserId, join_timestamp: created, flags: 0 as ThreadMemberFlags },
  };
}

export function channelJson(
  channel: StoredChannel,
  id: Identity,
): APIGuildTextChannel<ChannelType.GuildText> | APIThreadChannel {
  return channel.type === 0 ? textChannelJson(channel, id.guildId) : threadJson(channel, id);
}

/** The @everyone role: its id is the guild id, as on Discord. */
export function everyoneRole(guildId: string): StoredRole {
  return { id: guildId, name: '@everyone', position: 0 };
}

export function readyJson(id: Identity, sessionId: string): GatewayReadyDispatchData {
  return {
    v: 10,
    user: { ...botUser(id), verified: true, mfa_enabled: false },
    guilds: [{ id: id.guildId, unavailable: true }],
    session_id: sessionId,
    resume_gateway_url: id.gatewayUrl,
    shard: [0, 1],
    application: { id: id.applicationId, flags: 0 as ApplicationFlags, flags_new: '0' },
  };
}

/** A GUILD_CREATE complete enough for discord.js to cache the guild, its channels and roles. */
export function guildCreateJson(
  id: Identity,
  store: DiscordStore,
  joinedAt: number,
): GatewayGuildCreateDispatchData {
  const channels = [...store.channels.values()];
  return {
    id: id.guildId,
    name: 'Fake Guild',
    icon: null,
    icon_hash: null,
    splash: null,
    discovery_splash: null,
    owner_id: '100000000000000009',
    afk_channel_id: null,
    afk_timeout: 300,
    widget_enabled: false,
    widget_channel_id: null,
    verification_level: GuildVerificationLevel.None,
    default_message_notifications: GuildDefaultMessageNotifications.OnlyMentions,
    explicit_content_filter: GuildExplicitContentFilter.Disabled,
    roles: [everyoneRole(id.guildId), ...store.roles.values()].map(roleJson),
    emojis: [],
    stickers: [],
    features: [],
    mfa_level: GuildMFALevel.None,
    application_id: null,
    system_channel_id: null,
    system_channel_flags: 0 as GuildSystemChannelFlags,
    rules_channel_id: null,
    max_presences: null,
    max_members: 500_000,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: GuildPremiumTier.None,
    premium_subscription_count: 0,
    preferred_locale: Locale.EnglishUS,
    public_updates_channel_id: null,
    max_video_channel_users: 25,
    max_stage_video_channel_users: 50,
    nsfw_level: GuildNSFWLevel.Default,
    premium_progress_bar_enabled: false,
    hub_type: null,
    safety_alerts_channel_id: null,
    incidents_data: null,
    joined_at: isoTimestamp(joinedAt),
    large: false,
    unavailable: false,
    member_count: 2,
    voice_states: [],
    members: [],
    channels: channels.filter((c) => c.type === 0).map((c) => textChannelJson(c, id.guildId)),
    threads: channels.filter((c) => isThreadType(c.type)).map((c) => threadJson(c, id)),
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

/** A message as the REST API returns it (and as a component interaction carries it). */
export function messageJson(message: StoredMessage, id: Identity, store: DiscordStore): APIMessage {
  const origin = message.origin;
  const thread = message.threadId !== undefined ? store.channels.get(message.threadId) : undefined;
  const json: APIMessage = {
    id: message.id,
    channel_id: message.channelId,
    author:
      message.authorId === id.botUserId ? botUser(id) : { ...botUser(id), id: message.authorId, bot: false },
    content: message.content,
    timestamp: snowflakeTimestamp(message.id),
    edited_timestamp: message.editedAt !== undefined ? isoTimestamp(message.editedAt) : null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: message.attachments.map((a) => attachmentJson(message.channelId, a)),
    embeds: resolveEmbedImages(
      message.embeds,
      message.channelId,
      message.attachments,
    ) as APIMessage['embeds'],
    components: message.components as APIMessage['components'],
    pinned: false,
    type: message.type as MessageType,
    flags: message.flags,
  };
  if (message.webhookId !== undefined) {
    json.webhook_id = message.webhookId;
    json.application_id = id.applicationId;
  }
  if (origin !== undefined) {
    const user = userJson(origin.user);
    json.interaction_metadata =
      origin.interactedMessageId !== undefined
        ? {
            id: origin.interactionId,
            type: 3,
            user,
            authorizing_integration_owners: { 0: id.guildId },
            interacted_message_id: origin.interactedMessageId,
          }
        : { id: origin.interactionId, type: 2, user, authorizing_integration_owners: { 0: id.guildId } };
    json.interaction = { id: origin.interactionId, type: origin.interactionType, name: origin.name, user };
  }
  if (thread !== undefined) json.thread = threadJson(thread, id);
  const channel = store.channels.get(message.channelId);
  if (channel !== undefined && isThreadType(channel.type)) json.position = 0;
  if (message.replyTo !== undefined) {
    json.message_reference = {
      type: 0,
      message_id: message.replyTo,
      channel_id: message.channelId,
      ...(channel?.type === 1 ? {} : { guild_id: id.guildId }),
    };
  }
  return json;
}
