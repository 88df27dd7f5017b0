// What the fake Slack records, for tests to assert on.

/** A Block Kit block as Slack stores it; the fake does not validate blocks. */
export type SlackBlock = Record<string, unknown>;

export interface FakeEdit {
  text: string | undefined;
  blocks: SlackBlock[] | undefined;
  /** Date.now() when the edit was recorded. */
  at: number;
}

/** How a message reached the channel. */
export type MessageSource = 'chat.postMessage' | 'response_url' | 'ack' | 'files.completeUploadExternal';

export interface FakeMessage {
  channel: string;
  ts: string;
  /** The parent's ts for a thread reply; undefined for a top-level message. */
  threadTs: string | undefined;
  /** Current text (after edits). */
  text: string | undefined;
  /** Current blocks (after edits). */
  blocks: SlackBlock[] | undefined;
  /** The bot user for chat.postMessage; the person who triggered a response_url / ack reply. */
  user: string;
  source: MessageSource;
  /** The ids of the files this message shares (a files.completeUploadExternal share). */
  files?: string[];
  edits: FakeEdit[];
  deleted: boolean;
  at: number;
}

/** A file uploaded with files.getUploadURLExternal, its upload URL and files.completeUploadExternal. */
export interface FakeFile {
  id: string;
  /** The filename given to files.getUploadURLExternal. */
  name: string;
  title?: string;
  /** The image description (`alt_txt`, or `alt_text` as @slack/web-api sends it). */
  altText?: string;
  /** Where it was shared; undefined for a file completed without channel_id (private to the bot). */
  channel?: string;
  /** The thread it was shared into. */
  threadTs?: string;
  /** The bytes POSTed to its upload URL. */
  bytes: Buffer;
  /** From the filename's extension, as Slack decides it. */
  mimetype?: string;
  /** The ts of the message that shares it. */
  messageTs?: string;
  at: number;
}

export type EphemeralSource = 'chat.postEphemeral' | 'response_url' | 'ack';

export interface FakeEphemeral {
  channel: string;
  /** The person who sees it. */
  user: string;
  /** message_ts for chat.postEphemeral; a fresh ts otherwise. Buttons on it can be clicked by this ts. */
  ts: string;
  threadTs: string | undefined;
  text: string | undefined;
  blocks: SlackBlock[] | undefined;
  source: EphemeralSource;
  /** response_url posts with replace_original on a button that sat on this ephemeral. */
  edits: FakeEdit[];
  deleted: boolean;
  at: number;
}

export interface FakeCall {
  method: string;
  /** Parsed request params (form or JSON); `blocks`, `attachments`, `metadata` JSON-decoded. */
  params: Record<string, unknown>;
  /** The bearer token (or body `token`) the call used. */
  token: string | undefined;
  /** HTTP status the fake answered. */
  status: number;
  /** The JSON body the fake answered (undefined for a 5xx/429 fault). */
  response: Record<string, unknown> | undefined;
  at: number;
}

/** A POST to a response_url the fake issued. */
export interface FakeResponse {
  responseUrl: string;
  /** Who triggered the command or click that issued the URL. */
  user: string;
  channel: string;
  body: Record<string, unknown>;
  /** HTTP status the fake answered (404 once a URL was used 5 times or is unknown). */
  status: number;
  at: number;
}

/** A slash command or button delivered to the app, with what the app acked. */
export interface FakeDelivery {
  kind: 'slash_commands' | 'interactive';
  transport: 'http' | 'socket';
  /** The HTTP body or Socket Mode envelope payload sent. */
  payload: Record<string, unknown>;
  /** HTTP status (200 for a Socket Mode ack); 0 when not acked in time. */
  status: number;
  /** The HTTP response body, or the JSON of the Socket Mode ack payload. */
  ackBody: string;
  ackMs: number;
  /** HTTP only: the request exactly as sent, so a test can replay it as a captured request. */
  signed?: SignedRequest;
  at: number;
}

/** A signed HTTP delivery as it went over the wire. */
export interface SignedRequest {
  body: string;
  /** The `x-slack-request-timestamp` header, in seconds. */
  timestamp: number;
  /** The `x-slack-signature` header. */
  signature: string;
}

export type WebApiFault = { status: 429; retryAfterSeconds: number } | { status: 500 } | { error: string };

export interface FakeSlackOptions {
  botToken?: string;
  appToken?: string;
  signingSecret?: string;
  botUserId?: string;
  botId?: string;
  teamId?: string;
  teamDomain?: string;
  /** The Enterprise Grid organisation the workspace belongs to (auth.test and every payload name it). */
  enterpriseId?: string;
  appId?: string;
  /** Slack's limit is 3 s; lower it to test the timeout path quickly. */
  ackTimeoutMs?: number;
}

export interface DeliveryResult {
  status: number;
  body: string;
  ackMs: number;
}

export type DeliveryTarget = { url: string } | 'socket';

export interface SlashCommandInput {
  command: string;
  text: string;
  userId: string;
  userName?: string;
  channelId: string;
  channelName?: string;
  /** The workspace the command came from (another one: a Slack Connect shared channel). */
  teamId?: string;
  /** The organisation it came from; the fake's own when left out. */
  enterpriseId?: string;
}

export interface ButtonClickInput {
  userId: string;
  userName?: string;
  channelId: string;
  /** ts of the message (or ephemeral) carrying the button. */
  messageTs: string;
  actionId: string;
  /** Defaults to the value of the button found on the recorded message. */
  value?: string;
  /** Defaults to the block_id of the button found on the recorded message. */
  blockId?: string;
  /** The clicking user's workspace (`team.id`, `user.team_id`); another one in a shared channel. */
  teamId?: string;
  /** The organisation it came from; the fake's own when left out. */
  enterpriseId?: string;
}

export interface ForgeOptions {
  /** Sign with the wrong secret. */
  badSignature?: true;
  /** Added to the request timestamp; -301 makes it stale. */
  timestampSkewSeconds?: number;
}
