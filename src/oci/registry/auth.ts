// Registry authentication as distribution does it (docs/spec/auth/token.md and oauth.md): the registry
// answers 401 with a challenge; for Bearer we fetch a token for a scope from the realm (anonymously, with
// Basic credentials, or by POSTing an identity/refresh token, OAuth2 style) and cache it until it expires;
// for Basic we send the credentials. Credentials are only resolved when a challenge asks for them.
import { ProvenantError } from '../../core/errors.js';
import { parseJsonObject, type JsonObject } from '../../core/json.js';
import { readBounded, readErrorBody } from './body.js';
import { parseWwwAuthenticate } from './challenge.js';
import type { HttpTransport } from './http.js';
import type { RegistryEndpoint } from './names.js';
import { errorForStatus, parseDistributionErrors } from './registry-errors.js';

export type Credentials =
  | { kind: 'basic'; username: string; password: string }
  /** A refresh token (docker config "identitytoken"), exchanged at the realm through OAuth2. */
  | { kind: 'identityToken'; token: string };

/**
 * Looks up credentials for a registry name (as the user wrote it, e.g. "docker.io" or "host:5000") and the
 * repository (auth files may hold credentials per namespace).
 */
export type CredentialSource = (registry: string, repository: string) => Promise<Credentials | undefined>;

export type Access = 'pull' | 'push' | 'delete';

export interface RegistryAuthOptions {
  endpoint: RegistryEndpoint;
  repository: string;
  transport: HttpTransport;
  credentials?: Credentials | CredentialSource;
  /** OAuth2 client_id sent with refresh-token grants. */
  clientId?: string;
  now?: () => number;
}

interface BearerRealm {
  realm: URL;
  service: string | undefined;
}

interface CachedToken {
  header: string;
  expiresAt: number;
}

const MAX_TOKEN_BODY = 1024 * 1024;
const DEFAULT_TOKEN_SECONDS = 60;
const MAX_TOKEN_SECONDS = 24 * 3600;
const TOKEN_RE = /^[\x21-\x7e]{1,65536}$/;
const OAUTH_DENIALS = new Set(['invalid_grant', 'invalid_client', 'unauthorized_client']);

/** The token scope for one repository (token.md "Requesting a Token"). */
export function repositoryScope(repository: string, access: Access): string {
  switch (access) {
    case 'pull':
      return `repository:${repository}:pull`;
    case 'push':
      return `repository:${repository}:pull,push`;
    case 'delete':
      return `repository:${repository}:delete`;
  }
}

export class RegistryAuth {
  private readonly tokens = new Map<string, Promise<CachedToken>>();
  private bearer: BearerRealm | undefined;
  private basicHeader: string | undefined;
  private credentialsPromise: Promise<Credentials | undefined> | undefined;
  private refreshToken: string | undefined;
  private readonly now: () => number;

  constructor(private readonly options: RegistryAuthOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The Authorization header to send up front for `scope`, from what earlier challenges taught; may fetch a token. */
  async preemptive(scope: string): Promise<string | undefined> {
    if (this.basicHeader !== undefined) return this.basicHeader;
    if (this.bearer === undefined) return undefined;
    return (await this.token(this.bearer, scope, [scope], undefined)).header;
  }

  /**
   * After a 401 from the registry: the Authorization header to retry with. `sent` is the header the
   * refused request carried; a Basic header refused twice means wrong credentials.
   */
  async onUnauthorized(challengeHeader: string | undefined, scope: string, sent: string | undefined): Promise<string> {
    if (challengeHeader === undefined || challengeHeader.trim() === '') {
      throw new ProvenantError('REGISTRY_UNAUTHORIZED', `${this.options.endpoint.registry} answered 401 without a challenge`);
    }
    const challenges = parseWwwAuthenticate(challengeHeader);
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer !== undefined) {
      const realm = this.realmUrl(bearer.params.realm);
      this.bearer = { realm, service: bearer.params.service };
      const extra = (bearer.params.scope ?? '').split(' ').filter((s) => s !== '');
      return (await this.token(this.bearer, scope, [scope, ...extra], sent)).header;
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      const creds = await this.credentials();
      if (creds?.kind !== 'basic') {
        throw new ProvenantError('REGISTRY_UNAUTHORIZED', `${this.options.endpoint.registry} requires a username and password`);
      }
      const header = `Basic ${Buffer.from(`${creds.username}:${creds.password}`, 'utf8').toString('base64')}`;
      if (sent === header) throw new ProvenantError('REGISTRY_UNAUTHORIZED', `${this.options.endpoint.registry} refused the credentials`);
      this.basicHeader = header;
      return header;
    }
    throw new ProvenantError('AUTH_CHALLENGE_INVALID', `no supported scheme in the challenge (${challenges.map((c) => c.scheme).join(', ')})`);
  }

  private credentials(): Promise<Credentials | undefined> {
    const source = this.options.credentials;
    this.credentialsPromise ??= Promise.resolve(typeof source === 'function' ? source(this.options.endpoint.registry, this.options.repository) : source).then(
      checkCredentials,
    );
    return this.credentialsPromise;
  }

  private realmUrl(realm: string | undefined): URL {
    let url: URL;
    try {
      url = new URL(realm ?? '');
    } catch (cause) {
      throw new ProvenantError('AUTH_CHALLENGE_INVALID', 'the Bearer challenge has no usable realm URL', { cause });
    }
    const plainAllowed = this.options.endpoint.plainHttp;
    if (!(url.protocol === 'https:' || (url.protocol === 'http:' && plainAllowed)) || url.username !== '' || url.password !== '') {
      // Credentials go to the realm; an HTTPS registry must not send us to a plain-HTTP one.
      throw new ProvenantError('AUTH_CHALLENGE_INVALID', `the Bearer realm ${url.origin} is not an acceptable token endpoint`);
    }
    return url;
  }

  /** A valid cached token for `scope` other than `refused`, else a new one. */
  private async token(realm: BearerRealm, scope: string, scopes: string[], refused: string | undefined): Promise<CachedToken> {
    const pending = this.tokens.get(scope);
    if (pending !== undefined) {
      const cached = await pending.catch(() => undefined);
      if (cached !== undefined && cached.expiresAt > this.now() && cached.header !== refused) return cached;
      if (this.tokens.get(scope) === pending) this.tokens.delete(scope);
      else return this.token(realm, scope, scopes, refused);
    }
    const fetching = this.fetchToken(realm, [...new Set(scopes)]);
    this.tokens.set(scope, fetching);
    fetching.catch(() => {
      if (this.tokens.get(scope) === fetching) this.tokens.delete(scope);
    });
    return fetching;
  }

  private async fetchToken(realm: BearerRealm, scopes: string[]): Promise<CachedToken> {
    const creds = await this.credentials();
    const url = new URL(realm.realm);
    const headers: Record<string, string> = { accept: 'application/json' };
    const refresh = this.refreshToken ?? (creds?.kind === 'identityToken' ? creds.token : undefined);
    let res;
    if (refresh !== undefined) {
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refresh, client_id: this.options.clientId ?? 'provenant' });
      if (realm.service !== undefined) form.set('service', realm.service);
      form.set('scope', scopes.join(' '));
      headers['content-type'] = 'application/x-www-form-urlencoded';
      res = await this.options.transport.send({ method: 'POST', url, headers, body: Buffer.from(form.toString()), retry: true });
    } else {
      if (realm.service !== undefined) url.searchParams.set('service', realm.service);
      for (const s of scopes) url.searchParams.append('scope', s);
      if (creds?.kind === 'basic') {
        url.searchParams.set('account', creds.username);
        headers.authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password}`, 'utf8').toString('base64')}`;
      }
      res = await this.options.transport.send({ method: 'GET', url, headers });
    }
    if (res.status !== 200) {
      const body = await readErrorBody(res);
      const err = errorForStatus(res.status, parseDistributionErrors(body), 'token', 'token request', url);
      if (res.status === 400 && OAUTH_DENIALS.has(oauthError(body))) {
        throw new ProvenantError('REGISTRY_UNAUTHORIZED', 'the token endpoint refused the identity token', { details: err.details });
      }
      throw err;
    }
    const json = tokenJson(await readBounded(res, MAX_TOKEN_BODY, 'token response'));
    return this.acceptToken(json, refresh !== undefined);
  }

  private acceptToken(json: JsonObject, viaRefresh: boolean): CachedToken {
    const raw = typeof json.token === 'string' && json.token !== '' ? json.token : json.access_token;
    if (typeof raw !== 'string' || !TOKEN_RE.test(raw)) {
      throw new ProvenantError('REGISTRY_PROTOCOL', 'the token response has no usable "token" or "access_token"');
    }
    if (viaRefresh && typeof json.refresh_token === 'string' && TOKEN_RE.test(json.refresh_token)) this.refreshToken = json.refresh_token;
    const seconds =
      typeof json.expires_in === 'number' && Number.isFinite(json.expires_in) && json.expires_in > 0
        ? Math.min(json.expires_in, MAX_TOKEN_SECONDS)
        : DEFAULT_TOKEN_SECONDS;
    const lifetime = seconds * 1000;
    // Renew a little early so a token does not expire between the check and its use.
    return { header: `Bearer ${raw}`, expiresAt: this.now() + lifetime - Math.min(10_000, lifetime / 10) };
  }
}

function tokenJson(body: Buffer): JsonObject {
  try {
    return parseJsonObject(body, 'token response', { maxDepth: 16 });
  } catch (cause) {
    throw new ProvenantError('REGISTRY_PROTOCOL', 'the token response is not a JSON object', { cause });
  }
}

function oauthError(body: Buffer): string {
  try {
    const error = parseJsonObject(body, 'token error', { maxDepth: 16 }).error;
    return typeof error === 'string' ? error : '';
  } catch {
    return '';
  }
}

function checkCredentials(creds: Credentials | undefined): Credentials | undefined {
  if (creds === undefined) return undefined;
  switch (creds.kind) {
    case 'basic':
      if (creds.username.includes(':') || /\p{Cc}/u.test(creds.username + creds.password)) {
        throw new ProvenantError('USAGE', 'a registry username may not contain ":" and credentials may not contain control characters');
      }
      return creds;
    case 'identityToken':
      if (!TOKEN_RE.test(creds.token)) throw new ProvenantError('USAGE', 'the identity token is not a printable ASCII string');
      return creds;
  }
}
