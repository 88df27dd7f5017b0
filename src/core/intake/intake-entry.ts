// What the receiving process hands the intake stream: a chat command or a button press, as the
// adapter built it after verifying and acknowledging the platform's request, and when it was
// accepted. Read back through zod: a replica of another version, or a damaged entry, is refused
// with a reason instead of half-handled.
import { z } from 'zod';
import { threadRefSchema } from '../../jobs/job-events.js';
import type { ChatEvent } from '../chat-event.js';
import type { ButtonPress } from '../core-api.js';

const chatUserSchema = z.object({ id: z.string().min(1), name: z.string(), groups: z.array(z.string()) });

export const chatEventSchema = z.object({
  platform: z.string().min(1),
  user: chatUserSchema,
  channel: z.string().min(1),
  text: z.string(),
  thread: threadRefSchema,
  requestId: z.string().min(1).optional(),
});

export const buttonPressSchema = z.object({
  action: z.string().min(1),
  value: z.string(),
  user: chatUserSchema,
  platform: z.string().min(1),
  channel: z.string().min(1),
  thread: threadRefSchema,
  requestId: z.string().min(1).optional(),
});

export const intakeEntrySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('command'), acceptedAt: z.number(), event: chatEventSchema }),
  z.object({ type: z.literal('press'), acceptedAt: z.number(), press: buttonPressSchema }),
]);

export type IntakeEntry =
  | { type: 'command'; acceptedAt: number; event: ChatEvent }
  | { type: 'press'; acceptedAt: number; press: ButtonPress };

/** The entry's platform request id: what the ledger claims once. */
export function requestIdOf(entry: IntakeEntry): string | undefined {
  return entry.type === 'command' ? entry.event.requestId : entry.press.requestId;
}
