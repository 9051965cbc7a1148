// An OCI image layout directory (image-spec image-layout.md) as an image source and artifact store, addressed
// like skopeo's `oci:DIR[:NAME]`: NAME is an `org.opencontainers.image.ref.name` annotation in index.json; with
// no NAME the layout must hold exactly one entry. Referrers are found by reading the manifests index.json lists
// and comparing their `subject`, which is how cosign stores signatures and attestations in a layout.
import { mkdir, readdir, realpath, stat } from 'node:fs/promises';
import { join, resolve as resolvePath } from 'node:path';
import type { Readable } from 'node:stream';
import { assertDigest, digestHex, parseDigest, sha256Digest, type Digest } from '../core/digest.js';
import { isProvenantError, ProvenantError } from '../core/errors.js';
import { MAX_CONFIG_BYTES } from './image-config.js';
import {
  checkOciLayoutFile,
  emptyIndexDocument,
  entriesNamed,
  INDEX_FILE,
  indexWithEntry,
  OCI_LAYOUT_CONTENT,
  OCI_LAYOUT_FILE,
  parseLayoutIndex,
  REF_NAME_ANNOTATION,
  requireRefName,
  serializeIndex,
  type LayoutIndex,
} from './layout-index.js';
import { fsError, openRegularFile, readSmallFile, writeFileAtomic } from './local-files.js';
import { artifactTypeOf, manifestDescriptor, MAX_MANIFEST_BYTES, parseManifest, toRawManifest } from './manifest.js';
import { isManifestMediaType } from './media-types.js';
import type { ArtifactRepository, Descriptor, RawManifest } from './types.js';
import { readVerified, verifiedStream } from './verified-stream.js';

/** Total manifest bytes listReferrers reads from one layout before refusing with INPUT_TOO_LARGE. */
export const MAX_REFERRER_SCAN_BYTES = 64 * 1024 * 1024;

/** Serialises index.json updates per directory within this process (the layout format has no lock file). */
const indexLocks = new Map<string, Promise<void>>();

export class OciLayout implements ArtifactRepository {
  readonly transport = 'oci' as const;

  private constructor(
    /** The layout directory. */
    readonly dir: string,
    /** The `ref.name` this source selects, if any. */
    readonly name: string | undefined,
  ) {}

  /** Opens an existing layout. Errors: FILE_NOT_FOUND, LAYOUT_MALFORMED, REFERENCE_INVALID (bad name). */
  static async open(dir: string, name?: string): Promise<OciLayout> {
    if (name !== undefined) requireRefName(name);
    const info = await stat(dir).catch((e: unknown) => {
      throw fsError(e, dir, 'FILE_NOT_FOUND', `layout directory ${dir}`);
    });
    if (!info.isDirectory()) throw new ProvenantError('LAYOUT_MALFORMED', `${dir} is not a directory`, { details: { dir } });
    const what = `${OCI_LAYOUT_FILE} in ${dir}`;
    checkOciLayoutFile(await readSmallFile(join(dir, OCI_LAYOUT_FILE), 64 * 1024, what, 'LAYOUT_MALFORMED', 'LAYOUT_MALFORMED'));
    return new OciLayout(dir, name);
  }

  /** Opens `oci:DIR[:NAME]` (the `oci:` prefix is optional); the first ":" separates DIR from NAME, as in skopeo. */
  static async fromSpec(spec: string): Promise<OciLayout> {
    const { dir, name } = parseOciLayoutSpec(spec);
    return OciLayout.open(dir, name);
  }

  describe(): string {
    return `oci:${this.dir}${this.name === undefined ? '' : `:${this.name}`}`;
  }

  /** index.json, parsed. Errors: LAYOUT_MALFORMED, INPUT_TOO_LARGE. */
  async readIndex(): Promise<LayoutIndex> {
    const path = join(this.dir, INDEX_FILE);
    const bytes = await readSmallFile(path, MAX_MANIFEST_BYTES, INDEX_FILE, 'LAYOUT_MALFORMED', 'LAYOUT_MALFORMED');
    return parseLayoutIndex(bytes);
  }

  async resolve(): Promise<RawManifest> {
    const { index } = await this.readIndex();
    if (this.name !== undefined) {
      const desc = entriesNamed(index, this.name)[0];
      if (desc === undefined) {
        throw new ProvenantError('MANIFEST_NOT_FOUND', `no image named ${JSON.stringify(this.name)} in ${this.dir}`, {
          details: { name: this.name },
        });
      }
      return this.readManifest(desc);
    }
    if (index.manifests.length === 0) throw new ProvenantError('MANIFEST_NOT_FOUND', `the layout ${this.dir} holds no image`);
    const digests = new Set(index.manifests.map((d) => d.digest));
    if (digests.size > 1) {
      throw new ProvenantError('IMAGE_AMBIGUOUS', `the layout ${this.dir} holds ${digests.size} images; name one (oci:DIR:NAME)`, {
        details: { names: index.manifests.flatMap((d) => d.annotations?.[REF_NAME_ANNOTATION] ?? []) },
      });
    }
    return this.readManifest(index.manifests[0]!);
  }

  async fetchManifest(digest: Digest): Promise<RawManifest> {
    const checked = parseDigest(digest);
    const { index } = await this.readIndex();
    const listed = index.manifests.find((d) => d.digest === checked);
    if (listed !== undefined) return this.readManifest(listed);
    const bytes = await readSmallFile(this.blobPath(checked), MAX_MANIFEST_BYTES, `manifest ${checked}`, 'MANIFEST_NOT_FOUND', 'LAYOUT_MALFORMED');
    assertDigest(bytes, checked, `manifest ${checked}`);
    return toRawManifest(bytes).raw;
  }

  async fetchTag(tag: string): Promise<RawManifest | undefined> {
    requireRefName(tag);
    const { index } = await this.readIndex();
    const desc = entriesNamed(index, tag)[0];
    return desc === undefined ? undefined : this.readManifest(desc);
  }

  async openBlob(desc: Descriptor): Promise<Readable> {
    const verifier = verifiedStream(desc);
    const path = this.blobPath(desc.digest);
    const handle = await openRegularFile(path, `blob ${desc.digest}`, 'BLOB_NOT_FOUND', 'LAYOUT_MALFORMED');
    const source = handle.createReadStream();
    source.on('error', (e) => verifier.destroy(fsError(e, path, 'BLOB_NOT_FOUND', `blob ${desc.digest}`)));
    verifier.on('close', () => source.destroy());
    return source.pipe(verifier);
  }

  async readBlob(desc: Descriptor, maxBytes = MAX_CONFIG_BYTES): Promise<Buffer> {
    const path = this.blobPath(desc.digest);
    const handle = await openRegularFile(path, `blob ${desc.digest}`, 'BLOB_NOT_FOUND', 'LAYOUT_MALFORMED');
    return readVerified(handle.createReadStream(), desc, maxBytes).catch((e: unknown) => {
      throw fsError(e, path, 'BLOB_NOT_FOUND', `blob ${desc.digest}`);
    });
  }

  async pushBlob(data: Uint8Array, mediaType: string): Promise<Descriptor> {
    const desc: Descriptor = { mediaType, digest: sha256Digest(data), size: data.length };
    await this.storeBlob(desc.digest, data);
    return desc;
  }

  async pushManifest(manifest: RawManifest, tag?: string): Promise<void> {
    if (tag !== undefined) requireRefName(tag);
    assertDigest(manifest.bytes, manifest.digest, 'manifest');
    const parsed = parseManifest(manifest.bytes, manifest.mediaType);
    await this.storeBlob(manifest.digest, manifest.bytes);
    const desc = manifestDescriptor({ ...manifest, mediaType: parsed.mediaType });
    if (parsed.artifactType !== undefined) desc.artifactType = parsed.artifactType;
    await this.updateIndex((doc) => indexWithEntry(doc, desc, tag));
  }

  async listReferrers(subject: Digest, artifactType?: string): Promise<Descriptor[]> {
    const wanted = parseDigest(subject, 'subject');
    const { index } = await this.readIndex();
    const seen = new Set<string>();
    const out: Descriptor[] = [];
    let budget = MAX_REFERRER_SCAN_BYTES;
    for (const entry of index.manifests) {
      if (!isManifestMediaType(entry.mediaType) || seen.has(entry.digest)) continue;
      seen.add(entry.digest);
      budget -= entry.size;
      if (budget < 0) {
        throw new ProvenantError('INPUT_TOO_LARGE', `the manifests in ${this.dir} exceed ${MAX_REFERRER_SCAN_BYTES} bytes`, {
          details: { limit: MAX_REFERRER_SCAN_BYTES },
        });
      }
      const raw = await this.readManifest(entry);
      const manifest = parseManifest(raw.bytes, raw.mediaType);
      if (manifest.subject?.digest !== wanted) continue;
      const type = artifactTypeOf(manifest);
      if (artifactType !== undefined && type !== artifactType) continue;
      const desc = manifestDescriptor(raw, manifest.annotations);
      if (type !== undefined) desc.artifactType = type;
      out.push(desc);
    }
    return out;
  }

  async supportsReferrersApi(): Promise<boolean> {
    return true;
  }

  /** Path of a blob; the digest is validated first, so nothing but 64 hex digits reaches the path. */
  private blobPath(digest: Digest): string {
    return join(this.dir, 'blobs', 'sha256', digestHex(parseDigest(digest)));
  }

  private async readManifest(desc: Descriptor): Promise<RawManifest> {
    if (!isManifestMediaType(desc.mediaType)) {
      throw new ProvenantError('MEDIA_TYPE_UNSUPPORTED', `index.json entry ${desc.digest} is a ${desc.mediaType}, not a manifest`, {
        details: { mediaType: desc.mediaType },
      });
    }
    const bytes = await this.readBlob(desc, MAX_MANIFEST_BYTES).catch((e: unknown) => {
      throw isProvenantError(e, 'BLOB_NOT_FOUND') ? new ProvenantError('MANIFEST_NOT_FOUND', e.message, { details: e.details, cause: e }) : e;
    });
    return toRawManifest(bytes, desc.mediaType).raw;
  }

  private async storeBlob(digest: Digest, data: Uint8Array): Promise<void> {
    const path = this.blobPath(digest);
    try {
      const existing = await readSmallFile(path, data.length, `blob ${digest}`, 'BLOB_NOT_FOUND', 'LAYOUT_MALFORMED');
      if (existing.length === data.length && sha256Digest(existing) === digest) return;
    } catch (e) {
      if (!isProvenantError(e) || (e.code !== 'BLOB_NOT_FOUND' && e.code !== 'INPUT_TOO_LARGE')) throw e;
    }
    await mkdir(join(this.dir, 'blobs', 'sha256'), { recursive: true }).catch((e: unknown) => {
      throw fsError(e, this.dir, 'FILE_NOT_FOUND', 'blobs directory');
    });
    await writeFileAtomic(path, data, `blob ${digest}`);
  }

  private async updateIndex(change: (doc: LayoutIndex['document']) => LayoutIndex['document']): Promise<void> {
    const key = await realpath(this.dir).catch(() => resolvePath(this.dir));
    const previous = indexLocks.get(key) ?? Promise.resolve();
    const run = previous.then(async () => {
      const { document } = await this.readIndex();
      const next = change(document);
      if (next !== document) await writeFileAtomic(join(this.dir, INDEX_FILE), serializeIndex(next), INDEX_FILE);
    });
    const settled = run.catch(() => undefined);
    indexLocks.set(key, settled);
    try {
      await run;
    } finally {
      if (indexLocks.get(key) === settled) indexLocks.delete(key);
    }
  }
}

export function parseOciLayoutSpec(spec: string): { dir: string; name: string | undefined } {
  const body = spec.startsWith('oci:') ? spec.slice(4) : spec;
  const colon = body.indexOf(':');
  const dir = colon === -1 ? body : body.slice(0, colon);
  const name = colon === -1 || colon === body.length - 1 ? undefined : body.slice(colon + 1);
  if (dir === '') throw new ProvenantError('REFERENCE_INVALID', `${JSON.stringify(spec)} names no directory`, { details: { spec } });
  if (name !== undefined) requireRefName(name);
  return { dir, name };
}

/**
 * Creates an empty layout at `dir` (creating the directory), or opens the layout already there. A non-empty
 * directory that is not a layout is refused with LAYOUT_MALFORMED.
 */
export async function createLayout(dir: string): Promise<OciLayout> {
  await mkdir(dir, { recursive: true }).catch((e: unknown) => {
    throw fsError(e, dir, 'FILE_NOT_FOUND', dir);
  });
  const entries = await readdir(dir);
  if (entries.includes(OCI_LAYOUT_FILE)) return OciLayout.open(dir);
  if (entries.length > 0) throw new ProvenantError('LAYOUT_MALFORMED', `${dir} is not empty and not an OCI layout`, { details: { dir } });
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  await writeFileAtomic(join(dir, INDEX_FILE), serializeIndex(emptyIndexDocument()), INDEX_FILE);
  await writeFileAtomic(join(dir, OCI_LAYOUT_FILE), Buffer.from(OCI_LAYOUT_CONTENT), OCI_LAYOUT_FILE);
  return OciLayout.open(dir);
}
