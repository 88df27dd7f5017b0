// What Slack sends an app for a slash command and a button click, and how it signs an HTTP delivery.
import { createHmac, randomBytes } from 'node:crypto';
import type { FakeEphemeral, FakeMessage, SlackBlock } from './types.js';

export interface Workspace {
  teamId: string;
  teamDomain: string;
  /** Set for a workspace of an Enterprise Grid organisation. */
  enterpriseId?: string;
  appId: string;
  botUserId: string;
  botId: string;
}

export const VERIFICATION_TOKEN = 'fake-verification-token';

export function triggerId(): string {
  return `${Date.now()}.${randomBytes(4).readUInt32BE()}.${randomBytes(16).toString('hex')}`;
}

/** The form fields of a slash command (src/types/command/index.ts in bolt-js). */
export function slashCommandFields(input: {
  command: string;
  text: string;
  userId: string;
  userName: string;
  channelId: string;
  channelName: string;
  teamId: string;
  enterpriseId?: string | undefined;
  responseUrl: string;
  ws: Workspace;
}): Record<string, string> {
  return {
    token: VERIFICATION_TOKEN,
    team_id: input.teamId,
    team_domain: input.ws.teamDomain,
    // Slack sends these two only for a workspace of an Enterprise Grid organisation.
    ...(input.enterpriseId !== undefined
      ? { enterprise_id: input.enterpriseId, enterprise_name: 'Fake Enterprise' }
      : {}),
    channel_id: input.channelId,
    channel_name: input.channelName,
    user_id: input.userId,
    user_name: input.userName,
    command: input.command,
    text: input.text,
    api_app_id: input.ws.appId,
    is_enterprise_install: 'false',
    response_url: input.responseUrl,
    trigger_id: triggerId(),
  };
}

interface FoundButton {
  blockId: string;
  value: string | undefined;
  text: unknown;
}

/** Finds the button with this action_id in actions/section-accessory blocks. */
export function findButton(blocks: SlackBlock[] | undefined, actionId: string): FoundButton | undefined {
  for (const block of blocks ?? []) {
    const elements = [
      ...(Array.isArray(block.elements) ? (block.elements as SlackBlock[]) : []),
      ...(block.accessory !== undefined ? [block.accessory as SlackBlock] : []),
    ];
    for (const element of elements) {
      if (element.action_id !== actionId) continue;
      return {
        blockId: typeof block.block_id === 'string' ? block.block_id : '',
        value: typeof element.value === 'string' ? element.value : undefined,
        text: element.text,
      };
    }
  }
  return undefined;
}

/** A block_actions payload (src/types/actions/block-action.ts in bolt-js). */
export function blockActionsPayload(input: {
  userId: string;
  userName: string;
  channelId: string;
  channelName: string;
  messageTs: string;
  actionId: string;
  blockId: string;
  value: string | undefined;
  buttonText: unknown;
  message: FakeMessage | undefined;
  ephemeral: FakeEphemeral | undefined;
  responseUrl: string;
  /** The clicking user's workspace and organisation. */
  teamId: string;
  enterpriseId: string | undefined;
  ws: Workspace;
}): Record<string, unknown> {
  const { ws, teamId, enterpriseId } = input;
  const source = input.message ?? input.ephemeral;
  const message =
    input.ephemeral !== undefined
      ? undefined // Slack omits `message` for clicks on ephemeral messages
      : {
          type: 'message',
          user: ws.botUserId,
          bot_id: ws.botId,
          ts: input.messageTs,
          text: source?.text ?? '',
          blocks: source?.blocks ?? [],
          ...(source?.threadTs !== undefined ? { thread_ts: source.threadTs } : {}),
        };
  return {
    type: 'block_actions',
    user: { id: input.userId, username: input.userName, name: input.userName, team_id: teamId },
    api_app_id: ws.appId,
    token: VERIFICATION_TOKEN,
    container: {
      type: 'message',
      message_ts: input.messageTs,
      channel_id: input.channelId,
      is_ephemeral: input.ephemeral !== undefined,
    },
    trigger_id: triggerId(),
    team: {
      id: teamId,
      domain: ws.teamDomain,
      ...(enterpriseId !== undefined
        ? { enterprise_id: enterpriseId, enterprise_name: 'Fake Enterprise' }
        : {}),
    },
    enterprise: enterpriseId !== undefined ? { id: enterpriseId, name: 'Fake Enterprise' } : null,
    is_enterprise_install: false,
    channel: { id: input.channelId, name: input.channelName },
    ...(message !== undefined ? { message } : {}),
    state: { values: {} },
    response_url: input.responseUrl,
    actions: [
      {
        type: 'button',
        action_id: input.actionId,
        block_id: input.blockId,
        ...(input.value !== undefined ? { value: input.value } : {}),
        text: input.buttonText ?? { type: 'plain_text', text: input.actionId, emoji: true },
        action_ts: `${(Date.now() / 1000).toFixed(6)}`,
      },
    ],
  };
}

/** Slack's v0 request signature: `v0=` + hex HMAC-SHA256(secret, `v0:${ts}:${rawBody}`). */
export function signRequest(signingSecret: string, timestampSeconds: number, rawBody: string): string {
  const hmac = createHmac('sha256', signingSecret).update(`v0:${timestampSeconds}:${rawBody}`);
  return `v0=${hmac.digest('hex')}`;
}
