// The incidents of the watch: something that goes bad and later ends (a node offline, quorum
// lost, a storage filling up). One card per incident: it opens once, is not posted again while it
// lasts, and is updated in place when it ends. A relapse soon after (a flapping node) reopens the
// same card, with a count; a relapse after FLAP_WINDOW_MS is a new incident with a new card, so
// nobody has to find a week-old message that was edited.
import type { AlertInput } from '../alerts/alert.js';
import type { Incident } from './watch-memory.js';

/** How long a resolved incident stays on its card for a relapse. */
export const FLAP_WINDOW_MS = 30 * 60_000;

/** What the card says: everything but the key, state, source and time, which the tracker sets. */
export type CardText = Omit<AlertInput, 'key' | 'state' | 'source' | 'at'>;

export interface IncidentCheck {
  /** `node:node02`: what the incident is about; the card's key adds when it opened. */
  subject: string;
  /** True: bad now. False: fine now. Undefined: cannot tell (not read, or between the thresholds). */
  bad: boolean | undefined;
  /** The card while it is bad. */
  open(incident: Incident): CardText;
  /** The card once it ended (the incident's `resolvedAt` is set). */
  resolve(incident: Incident): CardText;
}

export interface IncidentUpdate {
  incidents: Record<string, Incident>;
  alerts: AlertInput[];
}

/**
 * Applies this look's checks to the incidents remembered. `previousAt`: when the previous look was
 * taken, undefined at the watch's first look (an incident already there began at an unknown
 * time). A new incident's key is its subject and the previous look's time: two looks that ran
 * at once from the same memory (a slow one overlapping the next) give it the same card.
 * Incidents of subjects no check names are kept unchanged, except that resolved ones leave after
 * the flap window.
 */
export function trackIncidents(
  remembered: Record<string, Incident>,
  checks: IncidentCheck[],
  now: number,
  previousAt: number | undefined,
): IncidentUpdate {
  const first = previousAt === undefined;
  const incidents: Record<string, Incident> = {};
  const alerts: AlertInput[] = [];
  const checked = new Set(checks.map((check) => check.subject));
  for (const [subject, incident] of Object.entries(remembered)) {
    if (checked.has(subject)) continue;
    if (incident.resolvedAt !== undefined && now - incident.resolvedAt > FLAP_WINDOW_MS) continue;
    incidents[subject] = incident;
  }
  const card = (incident: Incident, state: 'open' | 'resolved', text: CardText): AlertInput => ({
    ...text,
    key: incident.key,
    source: 'watch',
    state,
    at: now,
  });
  for (const check of checks) {
    const before = remembered[check.subject];
    const recent =
      before && (before.resolvedAt === undefined || now - before.resolvedAt <= FLAP_WINDOW_MS)
        ? before
        : undefined;
    if (check.bad === true) {
      if (recent && recent.resolvedAt === undefined) {
        // Still bad: said already.
        incidents[check.subject] = recent;
      } else if (recent) {
        // Back within the flap window: the same card, reopened.
        const { resolvedAt: _resolvedAt, atFirstLook: _atFirstLook, ...rest } = recent;
        const reopened: Incident = { ...rest, since: now, times: recent.times + 1 };
        incidents[check.subject] = reopened;
        alerts.push(card(reopened, 'open', check.open(reopened)));
      } else {
        const opened: Incident = {
          key: `${check.subject}:${Math.floor((previousAt ?? now) / 1000)}`,
          openedAt: now,
          since: now,
          times: 1,
          ...(first ? { atFirstLook: true } : {}),
        };
        incidents[check.subject] = opened;
        alerts.push(card(opened, 'open', check.open(opened)));
      }
    } else if (check.bad === false && recent && recent.resolvedAt === undefined) {
      const resolved: Incident = { ...recent, resolvedAt: now };
      incidents[check.subject] = resolved;
      alerts.push(card(resolved, 'resolved', check.resolve(resolved)));
    } else if (recent) {
      incidents[check.subject] = recent;
    }
  }
  return { incidents, alerts };
}
