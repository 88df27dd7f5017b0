// A command offered as a button (a snapshot's "Roll back", an alert's "Retry backup"): pressing it
// is handled as if the presser typed `/pve <command>`. Its own module, as both job results
// (job-events.ts) and alerts (alerts/alert.ts) carry offers, and job events carry alerts.
import { z } from 'zod';

/**
 * How long an offer's command may be: it travels in the button itself, and Discord's custom_id
 * holds 100 characters (`pve:run-command:` takes 16). A longer one is shown as text to type.
 */
export const OFFER_COMMAND_MAX = 80;

/** A command a result or an alert offers to run next, as a button ("Roll back" on a snapshot's result). */
export const offerSchema = z.object({
  /** The button's label: `Roll back`. */
  label: z.string().min(1),
  /** As typed after `/pve`: `rollback 100 chatops-20260105-090000`. */
  command: z.string().min(1),
});
export type Offer = z.infer<typeof offerSchema>;
