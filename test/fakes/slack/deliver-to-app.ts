// Delivers a slash command or button click to the app as Slack does: a signed form POST to the
// app's request URL, or a Socket Mode envelope. Either way Slack waits 3 s for the ack. A recorded
// delivery can be sent again as it was (a replay).
import { AckTimeoutError } from './ack-timeout-error.js';
import {
  blockActionsPayload,
  findButton,
  signRequest,
  slashCommandFields,
  type Workspace,
} from './build-payloads.js';
import type { ResponseUrls } from './response-urls.js';
import type { SlackStore } from './slack-store.js';
import type { SocketModeServer } from './socket-mode-server.js';
import type {
  ButtonClickInput,
  DeliveryResult,
  DeliveryTarget,
  FakeDelivery,
  ForgeOptions,
  SignedRequest,
  SlashCommandInput,
} from './types.js';

export interface DeliveryContext {
  store: SlackStore;
  sockets: SocketModeServer;
  responseUrls: ResponseUrls;
  signingSecret: string;
  ackTimeoutMs: number;
  ws: Workspace;
}

export type Delivery =
  | { kind: 'slash_commands'; input: SlashCommandInput }
  | { kind: 'interactive'; input: ButtonClickInput };

export async function deliverToApp(
  ctx: DeliveryContext,
  target: DeliveryTarget,
  delivery: Delivery,
  forge: ForgeOptions,
): Promise<DeliveryResult> {
  const { user, channel, payload } = buildPayload(ctx, delivery);
  const signed = target === 'socket' ? undefined : signDelivery(ctx, delivery.kind, payload, forge);
  const result = await send(ctx, target, delivery.kind, payload, signed);
  if (delivery.kind === 'slash_commands' && result.status === 200) {
    const ackBody = parseAckBody(result.body);
    if (ackBody !== undefined) ctx.responseUrls.applyAckBody(user, channel, ackBody);
  }
  return result;
}

/**
 * Sends a recorded delivery again, as it was: over HTTP the very bytes, timestamp and signature
 * (a captured request replayed by someone who saw it), over Socket Mode the same payload in a
 * new envelope (Slack's own redelivery).
 */
export async function replayToApp(
  ctx: DeliveryContext,
  target: DeliveryTarget,
  delivery: FakeDelivery,
): Promise<DeliveryResult> {
  if (target !== 'socket' && delivery.signed === undefined) {
    throw new Error('FakeSlack.replay: only a delivery made over HTTP can be replayed over HTTP');
  }
  return send(ctx, target, delivery.kind, delivery.payload, delivery.signed);
}

async function send(
  ctx: DeliveryContext,
  target: DeliveryTarget,
  kind: Delivery['kind'],
  payload: Record<string, unknown>,
  signed: SignedRequest | undefined,
): Promise<DeliveryResult> {
  const transport = target === 'socket' ? 'socket' : 'http';
  const record = (result: DeliveryResult): void => {
    const entry: FakeDelivery = {
      kind,
      transport,
      payload,
      ...pick(result),
      ...(signed !== undefined ? { signed } : {}),
      at: Date.now(),
    };
    ctx.store.record(ctx.store.deliveryList, entry);
  };
  let result: DeliveryResult;
  try {
    result =
      target === 'socket'
        ? await overSocket(ctx, kind, payload)
        : await overHttp(ctx, target.url, kind, signed!);
  } catch (error) {
    record({ status: 0, body: '', ackMs: ctx.ackTimeoutMs });
    throw error;
  }
  record(result);
  return result;
}

function pick(result: DeliveryResult): { status: number; ackBody: string; ackMs: number } {
  return { status: result.status, ackBody: result.body, ackMs: result.ackMs };
}

function buildPayload(
  ctx: DeliveryContext,
  delivery: Delivery,
): { user: string; channel: string; payload: Record<string, string> | Record<string, unknown> } {
  const { store, ws } = ctx;
  const { input } = delivery;
  const userName = input.userName ?? store.userNames.get(input.userId) ?? input.userId;
  const channelName = store.channelNames.get(input.channelId) ?? input.channelId;
  if (delivery.kind === 'slash_commands') {
    const { command, text, userId, channelId } = delivery.input;
    const fields = slashCommandFields({
      command,
      text,
      userId,
      userName,
      channelId,
      channelName: delivery.input.channelName ?? channelName,
      teamId: delivery.input.teamId ?? ws.teamId,
      enterpriseId: delivery.input.enterpriseId ?? ws.enterpriseId,
      responseUrl: ctx.responseUrls.issue(userId, channelId),
      ws,
    });
    return { user: userId, channel: channelId, payload: fields };
  }
  const click = delivery.input;
  const message = store.findMessage(click.channelId, click.messageTs);
  const ephemeral = message === undefined ? store.findEphemeral(click.messageTs) : undefined;
  const blocks = (message ?? ephemeral)?.blocks;
  const button = findButton(blocks, click.actionId);
  if ((message !== undefined || ephemeral !== undefined) && button === undefined) {
    throw new Error(
      `FakeSlack.clickButton: no button with action_id '${click.actionId}' on ${click.messageTs}`,
    );
  }
  const payload = blockActionsPayload({
    userId: click.userId,
    userName,
    channelId: click.channelId,
    channelName,
    messageTs: click.messageTs,
    actionId: click.actionId,
    blockId: click.blockId ?? button?.blockId ?? 'block',
    value: click.value ?? button?.value,
    buttonText: button?.text,
    message,
    ephemeral,
    responseUrl: ctx.responseUrls.issue(click.userId, click.channelId, click.messageTs),
    teamId: click.teamId ?? ws.teamId,
    enterpriseId: click.enterpriseId ?? ws.enterpriseId,
    ws,
  });
  return { user: click.userId, channel: click.channelId, payload };
}

/** The form body Slack POSTs, its timestamp and its v0 signature (or a forged one). */
function signDelivery(
  ctx: DeliveryContext,
  kind: Delivery['kind'],
  payload: Record<string, unknown>,
  forge: ForgeOptions,
): SignedRequest {
  const form =
    kind === 'slash_commands'
      ? new URLSearchParams(payload as Record<string, string>)
      : new URLSearchParams({ payload: JSON.stringify(payload) });
  const body = form.toString();
  const timestamp = Math.floor(Date.now() / 1000) + (forge.timestampSkewSeconds ?? 0);
  const secret = forge.badSignature === true ? `${ctx.signingSecret}-wrong` : ctx.signingSecret;
  return { body, timestamp, signature: signRequest(secret, timestamp, body) };
}

async function overHttp(
  ctx: DeliveryContext,
  url: string,
  kind: Delivery['kind'],
  signed: SignedRequest,
): Promise<DeliveryResult> {
  const started = performance.now();
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        // Bolt compares this header exactly: no `; charset=…`.
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': String(signed.timestamp),
        'x-slack-signature': signed.signature,
      },
      body: signed.body,
      signal: AbortSignal.timeout(ctx.ackTimeoutMs),
    });
    const body = await response.text();
    return { status: response.status, body, ackMs: performance.now() - started };
  } catch (error) {
    if (error instanceof DOMException && error.name === 'TimeoutError') {
      throw new AckTimeoutError(`FakeSlack: ${kind} to ${url} was not acked within ${ctx.ackTimeoutMs} ms`);
    }
    throw error;
  }
}

async function overSocket(
  ctx: DeliveryContext,
  kind: Delivery['kind'],
  payload: Record<string, unknown>,
): Promise<DeliveryResult> {
  // Like Slack, hold the envelope briefly while the app is between connections (e.g. reconnecting).
  await ctx.store
    .waitFor(() => ctx.sockets.openCount > 0, ctx.ackTimeoutMs, 'a live Socket Mode connection')
    .catch(() => {
      throw new AckTimeoutError(`FakeSlack: no Socket Mode connection to deliver ${kind} to`);
    });
  const ack = await ctx.sockets.deliver(kind, payload, ctx.ackTimeoutMs);
  return { status: 200, body: JSON.stringify(ack.payload ?? {}), ackMs: ack.ackMs };
}

function parseAckBody(body: string): Record<string, unknown> | undefined {
  if (body === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null) return parsed as Record<string, unknown>;
  } catch {
    // Bolt sends ack('text') as a plain-text body.
  }
  return { text: body };
}
