// A message's files (the digest's chart) into the channel and thread its card went to, each
// through WebClient's upload flow (files.getUploadURLExternal, the bytes to the returned URL,
// files.completeUploadExternal); needs the files:write scope. A file that cannot be uploaded is
// logged and skipped: the card is already posted, and a picture is never worth losing it.
import type { webApi } from '@slack/bolt';
import type { Attachment } from '../../core/message.js';
import type { Logger } from '../../logger.js';
import { slackErrorText } from './slack-error-text.js';

export interface UploadTarget {
  channel: string;
  thread_ts?: string;
}

export async function uploadAttachments(
  client: webApi.WebClient,
  logger: Logger,
  target: UploadTarget,
  attachments: readonly Attachment[],
): Promise<void> {
  for (const attachment of attachments) {
    const { data } = attachment;
    const file = {
      // WebClient recognises file contents by Buffer.isBuffer; this view copies nothing.
      file: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
      filename: attachment.name,
      title: attachment.name,
      alt_text: attachment.alt,
    };
    try {
      await client.filesUploadV2(
        target.thread_ts
          ? { ...file, channel_id: target.channel, thread_ts: target.thread_ts }
          : { ...file, channel_id: target.channel },
      );
    } catch (error) {
      const why = slackErrorText(error);
      logger.warn(
        {
          channel: target.channel,
          file: attachment.name,
          error: why,
          ...(why === 'missing_scope'
            ? { fix: 'add the files:write scope to the Slack app and reinstall it' }
            : {}),
        },
        'cannot upload a file to Slack; the message was posted without it',
      );
    }
  }
}
