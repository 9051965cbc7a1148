// Image references, normalised exactly as Docker does it (github.com/distribution/reference: the grammar in
// reference.go and regexp.go, the familiar-name rules of normalize.go `ParseNormalizedNamed`):
//
//   reference := name [ ":" tag ] [ "@" digest ]
//   name      := [domain "/"] path          domain := host [":" port]
//   host      := domain-name | "[" IPv6 "]" path   := path-component ("/" path-component)*
//
// A first component is a registry only if it is "localhost", contains "." or ":", or has an uppercase letter;
// otherwise the name lives on Docker Hub ("docker.io"), and one-component Hub names get the "library/" prefix.
// `index.docker.io` is the legacy spelling of `docker.io`. When both a tag and a digest are given the digest is
// what is fetched; the tag is kept for display only.
import { ProvenantError } from '../core/errors.js';
import { isDigest, type Digest } from '../core/digest.js';

export const DOCKER_HUB = 'docker.io';
const LEGACY_DOCKER_HUB = 'index.docker.io';
const DOCKER_HUB_API_HOST = 'registry-1.docker.io';
const OFFICIAL_PREFIX = 'library/';
const DEFAULT_TAG = 'latest';
/** distribution/reference RepositoryNameTotalLengthMax; since distribution/reference v0.6 it bounds the path only. */
export const MAX_REPOSITORY_LENGTH = 255;
/** Far above any valid reference; bounds the work done on hostile input before the grammar is applied. */
const MAX_INPUT_LENGTH = 2048;

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_RE = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const PATH_RE = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const IDENTIFIER_RE = /^[a-f0-9]{64}$/;
const DIGEST_SYNTAX_RE = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;

export interface ImageReference {
  /** Registry host and optional port, normalised: "docker.io", "ghcr.io", "localhost:5000", "[::1]:5000". */
  readonly registry: string;
  /** Repository path inside the registry: "library/nginx", "user/app". */
  readonly repository: string;
  /** The tag; "latest" when the reference named neither a tag nor a digest. */
  readonly tag: string | undefined;
  readonly digest: Digest | undefined;
  /** registry + "/" + repository. */
  readonly name: string;
  /** Host to send distribution API requests to (Docker Hub's API lives on registry-1.docker.io). */
  readonly apiHost: string;
  /** What to ask the registry for: the digest when there is one, else the tag. */
  readonly identifier: string;
  /** Fully qualified form: "docker.io/library/nginx:latest", "ghcr.io/a/b:1@sha256:...". */
  toString(): string;
  /** The short form Docker shows: "nginx:latest", "user/app:1", "ghcr.io/a/b:1". */
  familiar(): string;
}

class Reference implements ImageReference {
  readonly name: string;
  readonly apiHost: string;

  constructor(
    readonly registry: string,
    readonly repository: string,
    readonly tag: string | undefined,
    readonly digest: Digest | undefined,
  ) {
    this.name = `${registry}/${repository}`;
    this.apiHost = registryApiHost(registry);
    Object.freeze(this);
  }

  get identifier(): string {
    return this.digest ?? this.tag ?? DEFAULT_TAG;
  }

  toString(): string {
    return this.name + suffix(this.tag, this.digest);
  }

  familiar(): string {
    let name = this.name;
    if (this.registry === DOCKER_HUB) {
      name = this.repository;
      const rest = name.slice(OFFICIAL_PREFIX.length);
      if (name.startsWith(OFFICIAL_PREFIX) && !rest.includes('/')) name = rest;
    }
    return name + suffix(this.tag, this.digest);
  }
}

function suffix(tag: string | undefined, digest: Digest | undefined): string {
  return (tag === undefined ? '' : `:${tag}`) + (digest === undefined ? '' : `@${digest}`);
}

function invalid(input: string, reason: string, cause?: unknown): never {
  throw new ProvenantError('REFERENCE_INVALID', `invalid image reference ${JSON.stringify(input)}: ${reason}`, {
    details: { reference: input, reason },
    cause,
  });
}

/**
 * Parses a reference the way `docker pull` reads it. Errors: REFERENCE_INVALID (including digests of algorithms
 * other than sha256, which Provenant does not address content by).
 */
export function parseImageReference(input: string): ImageReference {
  if (typeof input !== 'string' || input.length === 0) invalid(String(input), 'empty reference');
  if (input.length > MAX_INPUT_LENGTH) invalid(input.slice(0, 64), `longer than ${MAX_INPUT_LENGTH} characters`);
  if (IDENTIFIER_RE.test(input)) invalid(input, 'a bare 64-hex identifier is an image ID, not a repository name');

  const [registry, remainder] = splitDockerDomain(input);
  const at = remainder.indexOf('@');
  const beforeDigest = at === -1 ? remainder : remainder.slice(0, at);
  const digestText = at === -1 ? undefined : remainder.slice(at + 1);
  const colon = beforeDigest.indexOf(':');
  const repository = colon === -1 ? beforeDigest : beforeDigest.slice(0, colon);
  const tag = colon === -1 ? undefined : beforeDigest.slice(colon + 1);

  if (!DOMAIN_RE.test(registry)) invalid(input, `"${registry}" is not a valid registry host`);
  if (repository.toLowerCase() !== repository) invalid(input, 'repository name must be lowercase');
  if (!PATH_RE.test(repository)) invalid(input, 'repository name has an invalid format');
  if (repository.length > MAX_REPOSITORY_LENGTH) {
    invalid(input, `repository name is longer than ${MAX_REPOSITORY_LENGTH} characters`);
  }
  if (tag !== undefined && !TAG_RE.test(tag)) invalid(input, 'tag must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}');
  const digest = digestText === undefined ? undefined : parseReferenceDigest(input, digestText);
  return new Reference(registry, repository, tag ?? (digest === undefined ? DEFAULT_TAG : undefined), digest);
}

function parseReferenceDigest(input: string, text: string): Digest {
  if (!DIGEST_SYNTAX_RE.test(text)) invalid(input, 'digest has an invalid format');
  if (!text.startsWith('sha256:')) invalid(input, `digest algorithm "${text.split(':', 1)[0]}" is not supported`);
  if (!isDigest(text)) invalid(input, 'a sha256 digest is 64 lowercase hex digits');
  return text;
}

/** normalize.go splitDockerDomain: which leading component is a registry, and the Docker Hub defaults. */
function splitDockerDomain(input: string): [string, string] {
  const slash = input.indexOf('/');
  if (slash === -1) return [DOCKER_HUB, OFFICIAL_PREFIX + input];
  const first = input.slice(0, slash);
  let registry: string;
  let remainder = input.slice(slash + 1);
  if (first === LEGACY_DOCKER_HUB) registry = DOCKER_HUB;
  else if (first === 'localhost' || /[.:]/.test(first) || first.toLowerCase() !== first) registry = first;
  else {
    registry = DOCKER_HUB;
    remainder = input;
  }
  if (registry === DOCKER_HUB && !remainder.includes('/')) remainder = OFFICIAL_PREFIX + remainder;
  return [registry, remainder];
}

/** The host that serves the distribution API for `registry`. */
export function registryApiHost(registry: string): string {
  return registry === DOCKER_HUB || registry === LEGACY_DOCKER_HUB ? DOCKER_HUB_API_HOST : registry;
}

export function isValidTag(tag: string): boolean {
  return TAG_RE.test(tag);
}

/** A repository path ("library/alpine") as the reference grammar allows it, length limit included. */
export function isValidRepository(path: string): boolean {
  return path.length <= MAX_REPOSITORY_LENGTH && PATH_RE.test(path);
}

/** The same repository at `digest`, keeping the tag for display. */
export function withDigest(ref: ImageReference, digest: Digest): ImageReference {
  if (!isDigest(digest)) invalid(String(digest), 'not a sha256 digest');
  return new Reference(ref.registry, ref.repository, ref.tag, digest);
}

/** The same repository at `tag`, without a digest. */
export function withTag(ref: ImageReference, tag: string): ImageReference {
  if (!TAG_RE.test(tag)) invalid(tag, 'tag must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}');
  return new Reference(ref.registry, ref.repository, tag, undefined);
}
