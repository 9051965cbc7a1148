// One repository on one registry: builds /v2/<name>/... URLs and adds authentication to requests. A 401
// from the registry is answered once (challenge → credentials or token → retry); a second 401 is returned
// to the caller, which maps it to REGISTRY_UNAUTHORIZED.
import { ProvenantError } from '../../core/errors.js';
import { repositoryScope, type Access, type RegistryAuth } from './auth.js';
import { discard, redactUrl, type HttpResponse } from './body.js';
import type { HttpMethod, HttpTransport } from './http.js';
import type { RegistryEndpoint } from './names.js';

export interface SessionRequest {
  method: HttpMethod;
  /** A path below /v2/<name>/, e.g. "manifests/latest", or an absolute URL given by the registry (Location, Link). */
  path: string | URL;
  access: Access;
  headers?: Record<string, string>;
  body?: Uint8Array;
  followRedirects?: boolean;
  retry?: boolean;
}

export class RegistrySession {
  constructor(
    readonly endpoint: RegistryEndpoint,
    readonly repository: string,
    private readonly transport: HttpTransport,
    private readonly auth: RegistryAuth,
  ) {}

  /** "registry/repository", for messages. */
  get name(): string {
    return `${this.endpoint.registry}/${this.repository}`;
  }

  url(path: string): URL {
    return new URL(`${this.endpoint.origin}/v2/${this.repository}/${path}`);
  }

  /**
   * Resolves a URL the registry handed us (Location, Link) against `base`. It must be http(s), must not
   * downgrade from HTTPS, and carries our credentials only if it stays on the registry's origin.
   */
  resolve(location: string, base: URL): URL {
    let url: URL;
    try {
      url = new URL(location, base);
    } catch (cause) {
      throw new ProvenantError('REGISTRY_PROTOCOL', `${this.name}: unusable URL ${JSON.stringify(location.slice(0, 200))}`, { cause });
    }
    const downgrade = base.protocol === 'https:' && url.protocol === 'http:';
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || downgrade || url.username !== '' || url.password !== '') {
      throw new ProvenantError('REGISTRY_PROTOCOL', `${this.name}: refused URL ${redactUrl(url)}`);
    }
    return url;
  }

  async request(req: SessionRequest): Promise<HttpResponse> {
    const url = typeof req.path === 'string' ? this.url(req.path) : req.path;
    const ownOrigin = url.origin === this.endpoint.origin;
    const scope = repositoryScope(this.repository, req.access);
    let authorization = ownOrigin ? await this.auth.preemptive(scope) : undefined;
    const send = () =>
      this.transport.send({
        method: req.method,
        url,
        headers: { ...req.headers, ...(authorization === undefined ? {} : { authorization }) },
        ...(req.body === undefined ? {} : { body: req.body }),
        ...(req.followRedirects === undefined ? {} : { followRedirects: req.followRedirects }),
        ...(req.retry === undefined ? {} : { retry: req.retry }),
      });
    const res = await send();
    if (res.status !== 401 || !ownOrigin || res.url.origin !== this.endpoint.origin) return res;
    const challenge = res.headers['www-authenticate'];
    discard(res);
    authorization = await this.auth.onUnauthorized(challenge, scope, authorization);
    return send();
  }
}
