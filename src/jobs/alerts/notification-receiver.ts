// POST /pve/notifications: where PVE's webhook target delivers its notifications (the body our
// template renders, proxmox/notification-template.ts). Served on PORT by the ops server, before
// express, for `bot` and `all` when PVE_NOTIFY_SECRET is set.
//
// PVE sends each notification once and never retries (proxmox-notify's Bus::send logs a failure
// and drops it), and gives up after 10 s; so this answers fast, and 200 only once the event is
// durable: queued as a `pve-notification` job, whose worker turns it into an alert card. In order:
// the method (405), `Authorization: Bearer <secret>` compared in constant time (401, nothing
// read further), the content type (PVE sends none unless configured; anything but JSON → 415),
// the size (2 MiB: vzdump messages approach 1 MiB before JSON escaping → 413), the body against
// pveNotificationBodySchema (400 with the reason), then the delivery's claim (a replay through a
// proxy, or two targets pointing here, answers 200 {"duplicate":true} and queues nothing) and the
// job. Redis not answering → 503, which PVE logs.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from '../../logger.js';
import { type PveNotificationBody, pveNotificationBodySchema } from '../../proxmox/notification-template.js';

export const PVE_NOTIFICATIONS_PATH = '/pve/notifications';
/** The largest body taken. */
export const NOTIFICATION_MAX_BYTES = 2 * 1024 * 1024;

export interface NotificationReceiverOptions {
  secret: string;
  /**
   * Makes the notification durable (claims `id`, queues the job): `duplicate` when `id` was
   * received before. Throws when it cannot (Redis down): the answer is then 503.
   */
  accept(
    body: PveNotificationBody,
    id: string,
  ): Promise<{ status: 'queued'; jobId: string } | { status: 'duplicate' }>;
  logger: Logger;
  maxBytes?: number;
}

/**
 * What makes a delivery unique: PVE sends no id, so the same timestamp (seconds), severity, title
 * (trimmed: the vendor subjects end in a space that may vary), message and fields are one event.
 */
export function deliveryId(body: PveNotificationBody): string {
  const fields = Object.entries(body.fields).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const canonical = JSON.stringify([body.timestamp, body.severity, body.title.trim(), body.message, fields]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

export function notificationReceiver(options: NotificationReceiverOptions): RequestListener {
  const expected = sha256(options.secret);
  const maxBytes = options.maxBytes ?? NOTIFICATION_MAX_BYTES;
  const { logger } = options;

  return (request, response) => {
    if (request.method !== 'POST') {
      discard(request);
      return answer(response, 405, { error: 'only POST is accepted here' }, { Allow: 'POST' });
    }
    const given = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
    // Hashed first: timingSafeEqual needs equal lengths, and the length must not tell either.
    if (given === undefined || !timingSafeEqual(sha256(given), expected)) {
      logger.warn(
        { remote: request.socket.remoteAddress, authorization: given === undefined ? 'missing' : 'wrong' },
        'a PVE notification with a wrong or missing secret; refused',
      );
      discard(request);
      return answer(
        response,
        401,
        { error: 'authentication required' },
        {
          'WWW-Authenticate': 'Bearer realm="pve-chatops"',
        },
      );
    }
    const type = (request.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
    if (type !== '' && type !== 'application/json') {
      discard(request);
      return answer(response, 415, { error: `the body must be JSON (application/json), not ${type}` });
    }
    const declared = Number(request.headers['content-length'] ?? '0');
    if (declared > maxBytes) {
      discard(request);
      return answer(response, 413, { error: `the body is larger than ${maxBytes} bytes` });
    }
    void readBody(request, maxBytes).then(
      async (raw) => {
        if (raw === undefined)
          return answer(response, 413, { error: `the body is larger than ${maxBytes} bytes` });
        let json: unknown;
        try {
          json = JSON.parse(raw.toString('utf8'));
        } catch (error) {
          return answer(response, 400, {
            error: `the body is not JSON: ${error instanceof Error ? error.message : String(error)}`,
          });
        }
        const parsed = pveNotificationBodySchema.safeParse(json);
        if (!parsed.success) {
          const reason = parsed.error.issues
            .map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`)
            .join('; ');
          logger.warn({ reason }, 'a PVE notification that is not what our template renders; refused');
          return answer(response, 400, {
            error: `not the body our template renders (see notify:setup): ${reason}`,
          });
        }
        const body = parsed.data;
        const id = deliveryId(body);
        try {
          const accepted = await options.accept(body, id);
          if (accepted.status === 'duplicate') {
            logger.info(
              { delivery: id.slice(0, 16), type: body.fields.type },
              'a PVE notification received before; not queued again',
            );
            return answer(response, 200, { duplicate: true });
          }
          logger.info(
            {
              delivery: id.slice(0, 16),
              type: body.fields.type,
              severity: body.severity,
              jobId: accepted.jobId,
            },
            'PVE notification queued',
          );
          return answer(response, 200, { queued: true, jobId: accepted.jobId });
        } catch (error) {
          logger.error(
            { delivery: id.slice(0, 16), error: error instanceof Error ? error.message : String(error) },
            'a PVE notification could not be queued (is Redis up?); PVE will not send it again',
          );
          return answer(response, 503, { error: 'cannot queue the notification now' });
        }
      },
      (error: unknown) => {
        logger.warn(
          { error: error instanceof Error ? error.message : String(error) },
          'a PVE notification could not be read',
        );
        if (!response.headersSent) answer(response, 400, { error: 'the body could not be read' });
      },
    );
  };
}

/** The body, or undefined once it is larger than `maxBytes` (the rest is not read). */
function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    request.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > maxBytes) {
        over = true;
        chunks.length = 0;
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks));
    });
    request.on('error', reject);
  });
}

/** A request answered before its body was read: the body is drained, and the connection closed after. */
function discard(request: IncomingMessage): void {
  request.resume();
}

function answer(
  response: ServerResponse,
  status: number,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): void {
  const text = `${JSON.stringify(body)}\n`;
  response.writeHead(status, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-store',
    ...(status >= 400 ? { Connection: 'close' } : {}),
    ...headers,
  });
  response.end(text);
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
