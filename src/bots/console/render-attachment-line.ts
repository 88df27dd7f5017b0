// A file sent with a message, as a terminal shows it: a line that names it, its size and what it
// shows (a terminal cannot show the picture itself).
import type { Attachment } from '../../core/message.js';

export function renderAttachmentLine(attachment: Attachment): string {
  const kib = (attachment.data.byteLength / 1024).toFixed(1);
  return `   📎 ${attachment.name} (${kib} KiB): ${attachment.alt}`;
}
