// Names that end up in request URLs. Everything is validated against the distribution grammar before it is
// placed in a path, so a hostile reference cannot add path segments, queries or a different host.
import { isIP } from 'node:net';
import { ProvenantError } from '../../core/errors.js';
import { isValidRepository, isValidTag } from '../reference.js';

/** Where the registry API is and how to talk to it. */
export interface RegistryEndpoint {
  /** The registry as named by the user (credentials are looked up under this name), e.g. "docker.io". */
  readonly registry: string;
  /** The host[:port] the API is served on, e.g. "registry-1.docker.io" for docker.io. */
  readonly apiHost: string;
  /** "https://apiHost" or "http://apiHost". */
  readonly origin: string;
  readonly plainHttp: boolean;
}

export type Scheme = 'https' | 'http';

const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?';
const HOST_RE = new RegExp(`^(?:${LABEL}(?:\\.${LABEL})*|\\[[0-9A-Fa-f:.]+\\])(?::([0-9]{1,5}))?$`);
// distribution reference grammar: path-component := alpha-numeric (separator alpha-numeric)*

const MAX_HOST_LENGTH = 255;
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

export function validateRegistryHost(registry: string): string {
  const m = HOST_RE.exec(registry);
  const port = m?.[1] === undefined ? undefined : Number(m[1]);
  const bracketed = registry.startsWith('[');
  const ipv6 = bracketed ? registry.slice(1, registry.indexOf(']')) : undefined;
  if (m === null || registry.length > MAX_HOST_LENGTH || (port !== undefined && (port < 1 || port > 65535)) || (ipv6 !== undefined && isIP(ipv6) !== 6)) {
    throw new ProvenantError('REFERENCE_INVALID', `not a registry host[:port]: ${JSON.stringify(registry)}`);
  }
  return registry;
}

export function validateRepository(repository: string): string {
  if (!isValidRepository(repository)) {
    throw new ProvenantError('REFERENCE_INVALID', `not a repository name: ${JSON.stringify(repository)}`);
  }
  return repository;
}

export { isValidTag };

export function validateTag(tag: string): string {
  if (!isValidTag(tag)) throw new ProvenantError('REFERENCE_INVALID', `not a tag: ${JSON.stringify(tag)}`);
  return tag;
}

/** The host without port or IPv6 brackets, lowercased. */
export function hostname(hostPort: string): string {
  if (hostPort.startsWith('[')) return hostPort.slice(1, hostPort.indexOf(']')).toLowerCase();
  const colon = hostPort.lastIndexOf(':');
  return (colon === -1 ? hostPort : hostPort.slice(0, colon)).toLowerCase();
}

/** localhost, 127.0.0.0/8 and ::1: the hosts Docker talks plain HTTP to without being told. */
export function isLoopbackHost(hostPort: string): boolean {
  const host = hostname(hostPort);
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.split('.')[0] === '127';
  if (isIP(host) === 6) return new URL(`http://[${host}]/`).hostname === '[::1]';
  return false;
}

export function isDockerHub(registry: string): boolean {
  return DOCKER_HUB_ALIASES.has(registry.toLowerCase());
}

/**
 * The endpoint for `registry`. Plain HTTP when `scheme` says so, else by default for loopback hosts (as
 * Docker does); HTTPS otherwise.
 */
export function registryEndpoint(registry: string, scheme?: Scheme): RegistryEndpoint {
  validateRegistryHost(registry);
  const apiHost = isDockerHub(registry) ? 'registry-1.docker.io' : registry.toLowerCase();
  const plainHttp = scheme === undefined ? isLoopbackHost(apiHost) : scheme === 'http';
  return { registry, apiHost, origin: `${plainHttp ? 'http' : 'https'}://${apiHost}`, plainHttp };
}
