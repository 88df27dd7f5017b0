// Authentication as pveproxy does it: an API token in the Authorization header, or a ticket in
// the PVEAuthCookie cookie plus a CSRFPreventionToken header on writes. Tickets and CSRF tokens
// have PVE's shapes; they are signed with an HMAC key made per start instead of the cluster's
// RSA key, which no client can tell apart.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { PveHttpError } from '../pve-http-error.js';
import type { SimAccessView } from '../types.js';
import { AUDITOR_PRIVILEGES, everywhere } from './permissions.js';

/** `$ticket_lifetime` in PVE/AccessControl.pm. */
export const TICKET_LIFETIME_SECONDS = 2 * 3600;
/** PVE accepts tickets from clocks up to 5 minutes ahead. */
const MAX_CLOCK_SKEW_SECONDS = 300;

// Since pve-manager 26c10a2e (PVE 9.x, 2026) every ticket and token failure reads the same.
export const AUTH_FAILED = 'Authentication failed!';
export const NO_TICKET = 'No ticket';
export const INVALID_CSRF = 'Permission denied - invalid csrf token';
export const LOGIN_FAILED = 'authentication failure';

const TOKEN_ID_RE = /^(?:[^\s:/]+)@(?:[A-Za-z][A-Za-z0-9.\-_]+)!(?:[A-Za-z][A-Za-z0-9.\-_]+)$/;

export interface SimAuthOptions {
  /** `user@realm!name`. */
  tokenId: string;
  tokenSecret: string;
  /**
   * A second, read-only token (the PVEAuditor role on `/`): its requests get PVE's permission
   * checks (permissions.ts). The first token holds every privilege.
   */
  auditor?: { tokenId: string; tokenSecret: string };
  /**
   * The cluster's users, tokens and ACLs: then both tokens (which must exist there) and every
   * user and token it knows authenticate through it, and all but root@pam get permission checks
   * with the privileges it computes per path.
   */
  access?: SimAccessView;
  rootPassword: string;
  clusterName: string;
  /** Seconds since the epoch; injectable so tests can age tickets. */
  now?: () => number;
}

export interface Identity {
  /** As PVE writes it in a UPID: `root@pam` or `chatops@pve!bot`. */
  user: string;
  kind: 'token' | 'ticket';
  /** Where its privileges are looked up, per path; absent: it holds them all (no permission checks). */
  access?: SimAccessView;
}

export interface TicketResponse {
  ticket: string;
  CSRFPreventionToken: string;
  username: string;
  /** Only for a user with Sys.Audit on `/`. */
  clustername?: string;
  cap: Record<string, Record<string, number>>;
}

/** An authentication failure: answered 401 with an empty body, after the configured delay. */
export class AuthFailure extends PveHttpError {
  constructor(message: string) {
    super(401, message);
  }
}

/** PVE::APIServer::Formatter extract_auth_value: `<key>=` or `<key> ` then up to the next `;`. */
function extractAuthValue(header: string | undefined, key: string): string | undefined {
  if (!header) return undefined;
  const m = new RegExp(`(?:^|\\s)${key}(?:=| )([^;]*)`).exec(header);
  if (!m?.[1]) return undefined;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1];
  }
}

function hex8(seconds: number): string {
  return Math.floor(seconds).toString(16).toUpperCase().padStart(8, '0');
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export class SimAuth {
  readonly tokenId: string;
  readonly #tokenSecret: string;
  readonly #auditor: { tokenId: string; tokenSecret: string } | undefined;
  readonly #access: SimAccessView | undefined;
  readonly #rootPassword: string;
  readonly #clusterName: string;
  readonly #now: () => number;
  readonly #key = randomBytes(32);

  constructor(options: SimAuthOptions) {
    if (!TOKEN_ID_RE.test(options.tokenId)) {
      throw new Error(`token id '${options.tokenId}' is not of the form user@realm!name`);
    }
    this.tokenId = options.tokenId;
    this.#tokenSecret = options.tokenSecret;
    this.#auditor = options.auditor;
    this.#access = options.access;
    if (this.#access) {
      this.#access.setTokenSecret(options.tokenId, options.tokenSecret);
      if (options.auditor) this.#access.setTokenSecret(options.auditor.tokenId, options.auditor.tokenSecret);
    }
    this.#rootPassword = options.rootPassword;
    this.#clusterName = options.clusterName;
    this.#now = options.now ?? (() => Date.now() / 1000);
  }

  #sign(text: string): string {
    return createHmac('sha256', this.#key).update(text).digest('base64');
  }

  /**
   * `POST /access/ticket` (create_ticket): root@pam with the configured password, a user of the
   * `pve` realm with the password the access control holds, or a valid ticket to renew (root@pam's
   * renews any user's). The user must be enabled. `cap` is what compute_api_permission gives;
   * the cluster name comes with Sys.Audit on `/`.
   */
  login(username: string, password: string, realm?: string): TicketResponse {
    const user = username.includes('@') || !realm ? username : `${username}@${realm}`;
    const access = this.#access;
    const ticketUser = password.startsWith('PVE:') ? this.verifyTicket(password) : undefined;
    const renewing = ticketUser !== undefined && (ticketUser === user || ticketUser === 'root@pam');
    const enabled = access ? access.userEnabled(user) : user === 'root@pam';
    const authenticated =
      renewing ||
      (user === 'root@pam'
        ? sameText(password, this.#rootPassword)
        : (access?.authenticateUser(user, password) ?? false));
    if (!enabled || !authenticated) {
      // A handler error in PVE (create_ticket), so unlike auth_handler's 401s it has a JSON body.
      throw new PveHttpError(401, LOGIN_FAILED);
    }
    const audit = !access || user === 'root@pam' || access.permissions(user, '/')['Sys.Audit'] !== undefined;
    return {
      ticket: this.issueTicket(user),
      CSRFPreventionToken: this.issueCsrfToken(user),
      username: user,
      ...(audit ? { clustername: this.#clusterName } : {}),
      cap: access ? access.apiCapabilities(user) : {},
    };
  }

  issueTicket(user: string): string {
    const plain = `PVE:${user}:${hex8(this.#now())}`;
    return `${plain}::${this.#sign(plain)}`;
  }

  issueCsrfToken(user: string): string {
    const stamp = hex8(this.#now());
    return `${stamp}:${this.#sign(`${stamp}:${user}`)}`;
  }

  /** The ticket's user when it is genuine and not expired, else undefined. */
  verifyTicket(ticket: string): string | undefined {
    const m = /^(PVE:(\S+):([0-9A-Fa-f]{8}))::(\S+)$/.exec(ticket);
    if (!m) return undefined;
    const [, plain, user, stamp, signature] = m as unknown as [string, string, string, string, string];
    if (!sameText(signature, this.#sign(plain)) || !this.#fresh(stamp)) return undefined;
    return user;
  }

  #fresh(stamp: string): boolean {
    const age = this.#now() - Number.parseInt(stamp, 16);
    return age >= -MAX_CLOCK_SKEW_SECONDS && age < TICKET_LIFETIME_SECONDS;
  }

  #verifyCsrf(token: string | undefined, user: string): boolean {
    const m = token ? /^([0-9A-Fa-f]{8}):(\S+)$/.exec(token) : null;
    if (!m) return false;
    const [, stamp, signature] = m as unknown as [string, string, string];
    return sameText(signature, this.#sign(`${stamp}:${user}`)) && this.#fresh(stamp);
  }

  /** Whether the request carries a token header at all (for the allowtoken check). */
  hasToken(headers: IncomingHttpHeaders): boolean {
    return extractAuthValue(headers.authorization, 'PVEAPIToken') !== undefined;
  }

  /**
   * auth_handler: who is asking, or an AuthFailure. Token first (no CSRF needed: stateless API
   * access), then the ticket from the cookie or, as a fallback, the Authorization header.
   */
  authenticate(method: string, headers: IncomingHttpHeaders): Identity {
    const token = extractAuthValue(headers.authorization, 'PVEAPIToken');
    if (token !== undefined) {
      // verify_token splits on the last '=': the token id itself never contains one.
      const m = /^(.+)=(.*)$/.exec(token);
      const [tokenId, secret] = m ? [m[1] as string, m[2] ?? ''] : ['', ''];
      const access = this.#access;
      if (access) {
        if (!m || !access.verifyToken(tokenId, secret)) throw new AuthFailure(AUTH_FAILED);
        return { user: tokenId, kind: 'token', access };
      }
      const auditor = this.#auditor;
      if (m && auditor && tokenId === auditor.tokenId && sameText(secret, auditor.tokenSecret))
        return { user: auditor.tokenId, kind: 'token', access: everywhere(AUDITOR_PRIVILEGES) };
      if (!m || tokenId !== this.tokenId || !sameText(secret, this.#tokenSecret))
        throw new AuthFailure(AUTH_FAILED);
      return { user: this.tokenId, kind: 'token' };
    }
    const ticket =
      extractAuthValue(headers.cookie, 'PVEAuthCookie') ??
      extractAuthValue(headers.authorization, 'PVEAuthCookie');
    if (ticket === undefined) throw new AuthFailure(NO_TICKET);
    const user = this.verifyTicket(ticket);
    // auth_handler: verify_ticket, then check_user_enabled.
    if (!user || (this.#access && !this.#access.userEnabled(user))) throw new AuthFailure(AUTH_FAILED);
    if (method !== 'GET') {
      const csrf = headers.csrfpreventiontoken;
      if (!this.#verifyCsrf(Array.isArray(csrf) ? csrf[0] : csrf, user)) throw new AuthFailure(INVALID_CSRF);
    }
    const access = this.#access;
    return user === 'root@pam' || !access ? { user, kind: 'ticket' } : { user, kind: 'ticket', access };
  }
}
