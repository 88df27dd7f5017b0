// Which Slack workspaces and organisations the bot serves. A Slack Connect channel is shared with
// other companies: their people can type `/pve` and click our buttons there, and Slack delivers
// it all to us, signed. So every command and click is checked against the workspaces (team ids)
// and Enterprise Grid organisations (enterprise ids) the bot belongs to, learnt from auth.test at
// start, plus any the operator names (SLACK_TEAM_IDS, SLACK_ENTERPRISE_IDS).

export interface SlackAudience {
  /** Workspaces served: every team id a request names must be one of them… */
  teams: ReadonlySet<string>;
  /** …or every enterprise id it names one of these (any workspace of that organisation). */
  enterprises: ReadonlySet<string>;
}

/** Where a request says it comes from: the team and enterprise ids of its payload. */
export interface SlackOrigin {
  teamIds: string[];
  enterpriseIds: string[];
}

/** What auth.test answers about the bot's own installation. */
export interface SlackInstallation {
  team_id?: string | undefined;
  enterprise_id?: string | undefined;
  is_enterprise_install?: boolean | undefined;
}

/**
 * The bot's own workspace (or, installed org-wide, its organisation) and the ones configured.
 * A workspace install in an organisation serves that workspace alone unless more are named.
 */
export function slackAudience(
  installation: SlackInstallation,
  configured: { teamIds?: readonly string[]; enterpriseIds?: readonly string[] } = {},
): SlackAudience {
  const teams = new Set(configured.teamIds ?? []);
  const enterprises = new Set(configured.enterpriseIds ?? []);
  if (installation.is_enterprise_install === true && installation.enterprise_id) {
    enterprises.add(installation.enterprise_id);
  } else if (installation.team_id) {
    teams.add(installation.team_id);
  }
  return { teams, enterprises };
}

const ids = (...values: unknown[]): string[] => [
  ...new Set(values.filter((v): v is string => typeof v === 'string' && v !== '')),
];

/** A slash command's origin: the workspace it was typed in and its organisation. */
export function originOfCommand(command: Record<string, unknown>): SlackOrigin {
  return { teamIds: ids(command.team_id), enterpriseIds: ids(command.enterprise_id) };
}

/**
 * A button press's origin: the workspace of the press and the clicking user's own one (they differ
 * for a guest from another company in a shared channel), and their organisations.
 */
export function originOfAction(body: {
  team?: { id?: unknown; enterprise_id?: unknown } | null;
  user?: { team_id?: unknown };
  enterprise?: { id?: unknown } | null;
}): SlackOrigin {
  return {
    teamIds: ids(body.team?.id, body.user?.team_id),
    enterpriseIds: ids(body.enterprise?.id, body.team?.enterprise_id),
  };
}

/** Served when every team id is one of ours, or every enterprise id is; nothing named, not served. */
export function isServed(origin: SlackOrigin, audience: SlackAudience): boolean {
  const { teamIds, enterpriseIds } = origin;
  if (enterpriseIds.length > 0 && enterpriseIds.every((id) => audience.enterprises.has(id))) return true;
  return teamIds.length > 0 && teamIds.every((id) => audience.teams.has(id));
}
