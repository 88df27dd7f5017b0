// Slack's file upload flow, as WebClient.filesUploadV2 drives it: files.getUploadURLExternal hands
// out an upload URL (here back at the fake) and a file id; the bytes are POSTed there, raw or as
// multipart form data (WebClient sends a form with one file part); files.completeUploadExternal
// then shares the files into a channel, or a thread, as one message. Slack answers the upload
// itself with HTTP 200 and `OK - <size>`.
//
// Slack documents the description as `alt_txt`; @slack/web-api 8 sends it as `alt_text`. The
// fake takes either, so FakeFile.altText shows what the bot sent.
import type { PendingUpload, SlackStore } from './slack-store.js';
import type { FakeFile } from './types.js';
import type { WebApiHandler } from './web-api.js';

export const UPLOAD_PATH = '/upload/v1/';

/** Slack's limit on an image description. */
const ALT_TEXT_MAX = 1000;

const MIMETYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  svg: 'image/svg+xml',
  txt: 'text/plain',
  json: 'application/json',
  pdf: 'application/pdf',
};

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function mimetypeOf(filename: string): string {
  const extension = filename.includes('.') ? filename.split('.').pop()!.toLowerCase() : '';
  return MIMETYPES[extension] ?? 'application/octet-stream';
}

function findUpload(store: SlackStore, fileId: string): [string, PendingUpload] | undefined {
  return [...store.uploads.entries()].find(([, upload]) => upload.fileId === fileId);
}

/** The file list of files.completeUploadExternal: JSON text in a form body, an array in a JSON one. */
function parseFiles(value: unknown): Array<{ id: string; title?: string }> | undefined {
  let list: unknown = value;
  if (typeof value === 'string') {
    try {
      list = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const files = list.map((entry: unknown) => {
    const { id, title } = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<
      string,
      unknown
    >;
    return typeof id === 'string' && id !== ''
      ? { id, ...(typeof title === 'string' ? { title } : {}) }
      : undefined;
  });
  return files.every((f) => f !== undefined) ? files : undefined;
}

export const FILE_HANDLERS: Record<string, WebApiHandler> = {
  'files.getUploadURLExternal': (p, { store, id }) => {
    const filename = str(p.filename);
    const length = Number(p.length);
    if (filename === undefined || filename === '' || !Number.isInteger(length) || length <= 0) {
      return { ok: false, error: 'missing_argument' };
    }
    const altText = str(p.alt_txt) ?? str(p.alt_text);
    if (altText !== undefined && [...altText].length > ALT_TEXT_MAX)
      return { ok: false, error: 'alt_txt_too_large' };
    const fileId = store.nextFileId();
    const secret = `${fileId}-${Math.random().toString(36).slice(2)}`;
    store.uploads.set(secret, { fileId, filename, length, ...(altText !== undefined ? { altText } : {}) });
    return { ok: true, upload_url: `${id.baseUrl()}${UPLOAD_PATH}${secret}`, file_id: fileId };
  },

  'files.completeUploadExternal': (p, { store, id }) => {
    const files = parseFiles(p.files);
    if (files === undefined) return { ok: false, error: 'invalid_arguments' };
    const channel = str(p.channel_id) ?? str(p.channels);
    const threadTs = str(p.thread_ts);
    if (threadTs !== undefined && (channel === undefined || channel.includes(','))) {
      return { ok: false, error: 'invalid_arguments' };
    }
    // Every file must have been announced and its bytes received (the fake's choice of error).
    const uploads = files.map((f) => findUpload(store, f.id));
    if (uploads.some((u) => u === undefined || u[1].bytes === undefined)) {
      return { ok: false, error: 'file_not_found' };
    }
    const message =
      channel === undefined
        ? undefined
        : store.addMessage({
            channel,
            threadTs,
            text: str(p.initial_comment) ?? '',
            blocks: undefined,
            user: id.botUserId,
            source: 'files.completeUploadExternal',
            files: files.map((f) => f.id),
          });
    const completed = files.map((f, i) => {
      const [secret, upload] = uploads[i]!;
      store.uploads.delete(secret);
      const file: FakeFile = {
        id: upload.fileId,
        name: upload.filename,
        ...(f.title !== undefined ? { title: f.title } : {}),
        ...(upload.altText !== undefined ? { altText: upload.altText } : {}),
        ...(channel !== undefined ? { channel } : {}),
        ...(threadTs !== undefined ? { threadTs } : {}),
        bytes: upload.bytes!,
        mimetype: mimetypeOf(upload.filename),
        ...(message !== undefined ? { messageTs: message.ts } : {}),
        at: Date.now(),
      };
      store.fileList.push(file);
      return file;
    });
    store.changed();
    return {
      ok: true,
      files: completed.map((f) => ({
        id: f.id,
        name: f.name,
        title: f.title ?? f.name,
        mimetype: f.mimetype,
        size: f.bytes.length,
        user: id.botUserId,
        ...(f.altText !== undefined ? { alt_txt: f.altText } : {}),
      })),
    };
  },
};

/** A POST to an upload URL: the bytes, raw or as the one file part of a form. */
export async function receiveUpload(
  store: SlackStore,
  secret: string,
  contentType: string | undefined,
  raw: Buffer,
): Promise<{ status: number; body: string }> {
  const upload = store.uploads.get(secret);
  if (upload === undefined) return { status: 404, body: 'upload URL not found' };
  let bytes = raw;
  if (contentType?.startsWith('multipart/form-data')) {
    const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
    const part = [...form.values()].find((value) => typeof value !== 'string');
    if (part === undefined) return { status: 400, body: 'no file in the form' };
    bytes = Buffer.from(await part.arrayBuffer());
  }
  // The size was announced to files.getUploadURLExternal; the fake holds the bot to it.
  if (bytes.length !== upload.length) {
    return { status: 400, body: `length mismatch: announced ${upload.length}, received ${bytes.length}` };
  }
  upload.bytes = bytes;
  store.changed();
  return { status: 200, body: `OK - ${bytes.length}` };
}
