// How discord.js's REST client sends its requests: through our own undici (the one src/proxmox
// uses), on an Agent of its own, with the request body rebuilt in that undici's own types.
//
// Why not discord.js's default: @discordjs/rest bundles undici 6 and sends with its `request()`
// on whatever dispatcher is process-wide (getGlobalDispatcher(), shared by every undici copy in
// the process through one global symbol). Whichever undici loads first creates it. In
// `pve-chatops all` that is our undici 7, and a message with files then fails: @discordjs/rest
// builds the multipart body with Node's own FormData, undici 7 does not recognise another
// copy's FormData as one (its check is `instanceof` its own class) and breaks while encoding it
// ("TypeError: action is not a function"). The outcome depended on load order, so in-process
// tests passed while the real process lost every digest. Here nothing depends on process-wide
// state: the dispatcher is ours, and a FormData of any origin is copied into ours before sending.
import { Agent, fetch, FormData as UndiciFormData } from 'undici';

/** What discord.js's `rest.makeRequest` receives: a URL and a fetch-style init. */
export interface DiscordRequestInit {
  method?: string | undefined;
  headers?: unknown;
  body?: unknown;
  signal?: unknown;
  dispatcher?: unknown;
}

export interface DiscordRestRequest {
  /** For `new REST({ makeRequest })` / `new Client({ rest: { makeRequest } })`. */
  makeRequest: (url: string, init: DiscordRequestInit) => Promise<Response>;
  /** Closes the Agent's connections (after the client is destroyed). */
  close(): Promise<void>;
}

/** FormData of any undici copy or Node's own: it names itself and iterates its entries. */
function isFormDataLike(body: unknown): body is Iterable<[string, string | Blob]> {
  return (
    typeof body === 'object' &&
    body !== null &&
    (body as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === 'FormData' &&
    typeof (body as { entries?: unknown }).entries === 'function'
  );
}

/** The same parts in our undici's FormData: names, values, file names and content types kept. */
async function ownFormData(form: Iterable<[string, string | Blob]>): Promise<UndiciFormData> {
  const own = new UndiciFormData();
  for (const [name, value] of form) {
    if (typeof value === 'string') {
      own.append(name, value);
      continue;
    }
    // Copied into a fresh Blob: no assumption about which Blob/File class the other copy made.
    const bytes = new Blob([await value.arrayBuffer()], { type: value.type });
    own.append(name, bytes, (value as { name?: string }).name ?? 'blob');
  }
  return own;
}

export function createDiscordRestRequest(): DiscordRestRequest {
  const agent = new Agent();
  return {
    async makeRequest(url, init) {
      // A per-request dispatcher from discord.js would be another undici's: ours is used instead.
      const { dispatcher: _theirs, body, ...rest } = init;
      const ownBody = isFormDataLike(body) ? await ownFormData(body) : body;
      const response = await fetch(url, {
        ...(rest as Parameters<typeof fetch>[1]),
        body: ownBody as NonNullable<Parameters<typeof fetch>[1]>['body'],
        dispatcher: agent,
      });
      return response as unknown as Response;
    },
    close: () => agent.close(),
  };
}
