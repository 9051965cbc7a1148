// Opens an image by its transport-prefixed name, as skopeo names them: `oci:DIR[:NAME]`,
// `docker-archive:FILE[:REF]`, or a registry reference (the default, with an optional `docker://` prefix).
import { ProvenantError } from '../core/errors.js';
import { openLocalSource } from './local.js';
import { parseOciLayoutSpec } from './layout.js';
import { parseImageReference } from './reference.js';
import { dockerConfigCredentials, RegistryClient } from './registry/index.js';
import type { ArtifactRepository, ImageSource } from './types.js';

export interface RegistryAccess {
  /** Plain HTTP for registries that are not on loopback (loopback is plain HTTP already, as in Docker). */
  allowHttp?: boolean;
  /** PEM CA bundle trusted in addition to the system roots. */
  caBundle?: string;
  /** containers-auth.json / Docker config.json to read credentials from (else $DOCKER_CONFIG, ~/.docker). */
  authFile?: string;
  env?: NodeJS.ProcessEnv;
  responseTimeoutMs?: number;
}

export function isLocalSpec(spec: string): boolean {
  return spec.startsWith('oci:') || spec.startsWith('docker-archive:');
}

export async function openImage(spec: string, access: RegistryAccess = {}): Promise<ImageSource> {
  if (isLocalSpec(spec)) return openLocalSource(spec);
  return openRegistryImage(spec, access);
}

/** Opens an image where attachments can be written: a registry repository or an OCI layout. */
export async function openRepository(spec: string, access: RegistryAccess = {}): Promise<ArtifactRepository> {
  const source = await openImage(spec, access);
  if (!isArtifactRepository(source)) {
    await source.close?.();
    throw new ProvenantError('SOURCE_UNSUPPORTED', `${source.describe()} is read-only: signatures and attestations live in a registry or an OCI layout`, {
      details: { source: spec },
    });
  }
  return source;
}

export function isArtifactRepository(source: ImageSource): source is ArtifactRepository {
  return typeof (source as Partial<ArtifactRepository>).pushManifest === 'function';
}

function openRegistryImage(spec: string, access: RegistryAccess): RegistryClient {
  const ref = parseImageReference(spec.startsWith('docker://') ? spec.slice('docker://'.length) : spec);
  const env = access.env ?? process.env;
  return new RegistryClient({
    registry: ref.registry,
    repository: ref.repository,
    ...(ref.tag === undefined ? {} : { tag: ref.tag }),
    ...(ref.digest === undefined ? {} : { digest: ref.digest }),
    ...(access.allowHttp === true ? { insecure: true } : {}),
    ...(access.caBundle === undefined ? {} : { caBundle: access.caBundle }),
    ...(access.responseTimeoutMs === undefined ? {} : { responseTimeoutMs: access.responseTimeoutMs }),
    credentials: dockerConfigCredentials({ env, ...(access.authFile === undefined ? {} : { authFile: access.authFile }) }),
  });
}

/**
 * The repository name a signature or statement records for an image: `registry/repository` for registry
 * references (cosign's docker-reference), the transport and path for local ones, never a tag or digest.
 */
export function imageName(spec: string): string {
  if (spec.startsWith('oci:')) return `oci:${parseOciLayoutSpec(spec).dir}`;
  if (spec.startsWith('docker-archive:')) return `docker-archive:${spec.slice('docker-archive:'.length).split(':')[0]}`;
  return parseImageReference(spec.startsWith('docker://') ? spec.slice('docker://'.length) : spec).name;
}

/** Whether the spec pins a digest (so the signed image cannot move under the command). */
export function namesDigest(spec: string): boolean {
  if (isLocalSpec(spec)) return false;
  return parseImageReference(spec.startsWith('docker://') ? spec.slice('docker://'.length) : spec).digest !== undefined;
}
