// A scripted registry: enough of the distribution API, in memory, for unit tests of the client (manifests,
// blobs, monolithic uploads, tag pagination, and optionally the referrers API). Tests wrap its handler to
// inject faults. Integration tests run the real CNCF registry instead.
import { createHash, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { send, sendError, sendJson, type Handler, type Recorded } from './scripted-server.js';

export interface MemoryRegistryOptions {
  /** Serve GET /v2/<name>/referrers/<digest> and answer OCI-Subject on manifest PUTs (OCI 1.1). */
  referrersApi?: boolean;
}

const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const ROUTE_RE = /^\/v2\/(.+?)\/(manifests|blobs\/uploads|blobs|tags\/list|referrers)\/?([^?]*)(?:\?(.*))?$/;

export class MemoryRegistry {
  readonly blobs = new Map<string, Buffer>();
  readonly manifests = new Map<string, { mediaType: string; bytes: Buffer }>();
  readonly tags = new Map<string, string>();
  private readonly uploads = new Set<string>();
  /** When set, upload Locations are absolute URLs with this origin instead of relative paths. */
  absoluteLocationOrigin: string | undefined;

  constructor(private readonly options: MemoryRegistryOptions = {}) {}

  readonly handler: Handler = (req, res) => {
    const m = ROUTE_RE.exec(req.url);
    if (m === null) return send(res, 404, '404 page not found', { 'content-type': 'text/plain' });
    const [, name, kind, rest, query] = m as unknown as [string, string, string, string, string | undefined];
    const params = new URLSearchParams(query ?? '');
    switch (kind) {
      case 'manifests':
        return this.manifest(req, res, rest);
      case 'blobs':
        return this.blob(req, res, rest);
      case 'blobs/uploads':
        return this.upload(req, res, name, rest, params);
      case 'tags/list':
        return this.tagList(res, name, params);
      case 'referrers':
        if (this.options.referrersApi !== true) return send(res, 404, '404 page not found', { 'content-type': 'text/plain' });
        return this.referrers(res, rest, params);
    }
    return send(res, 404);
  };

  putManifest(bytes: Buffer, mediaType: string, tag?: string): string {
    const digest = sha256(bytes);
    this.manifests.set(digest, { mediaType, bytes });
    if (tag !== undefined) this.tags.set(tag, digest);
    return digest;
  }

  private manifest(req: Recorded, res: ServerResponse, ref: string): void {
    const digest = ref.startsWith('sha256:') ? ref : this.tags.get(ref);
    if (req.method === 'PUT') {
      const actual = sha256(req.body);
      if (ref.startsWith('sha256:') && ref !== actual) return sendError(res, 400, 'DIGEST_INVALID');
      this.putManifest(req.body, req.headers['content-type'] ?? '', ref.startsWith('sha256:') ? undefined : ref);
      const headers: Record<string, string> = { 'docker-content-digest': actual, location: `/v2/x/manifests/${actual}` };
      const subject = (JSON.parse(req.body.toString()) as { subject?: { digest?: string } }).subject?.digest;
      if (this.options.referrersApi === true && subject !== undefined) headers['oci-subject'] = subject;
      return send(res, 201, '', headers);
    }
    const stored = digest === undefined ? undefined : this.manifests.get(digest);
    if (digest === undefined || stored === undefined) return sendError(res, 404, 'MANIFEST_UNKNOWN');
    if (req.method === 'DELETE') {
      this.manifests.delete(digest);
      for (const [t, d] of this.tags) if (d === digest) this.tags.delete(t);
      return send(res, 202);
    }
    const headers = { 'content-type': stored.mediaType, 'docker-content-digest': digest };
    if (req.method === 'HEAD') {
      res.writeHead(200, { ...headers, 'content-length': String(stored.bytes.length) });
      return void res.end();
    }
    return send(res, 200, stored.bytes, headers);
  }

  private blob(req: Recorded, res: ServerResponse, digest: string): void {
    const bytes = this.blobs.get(digest);
    if (bytes === undefined) return sendError(res, 404, 'BLOB_UNKNOWN');
    if (req.method === 'HEAD') {
      res.writeHead(200, { 'content-length': String(bytes.length), 'docker-content-digest': digest });
      return void res.end();
    }
    return send(res, 200, bytes, { 'content-type': 'application/octet-stream', 'docker-content-digest': digest });
  }

  private upload(req: Recorded, res: ServerResponse, name: string, id: string, params: URLSearchParams): void {
    if (req.method === 'POST') {
      const uuid = randomUUID();
      this.uploads.add(uuid);
      const path = `/v2/${name}/blobs/uploads/${uuid}?_state=a%2Bb%3D`;
      return send(res, 202, '', { location: `${this.absoluteLocationOrigin ?? ''}${path}`, 'docker-upload-uuid': uuid });
    }
    if (req.method !== 'PUT' || !this.uploads.has(id)) return sendError(res, 404, 'BLOB_UPLOAD_UNKNOWN');
    if (params.get('_state') !== 'a+b=') return sendError(res, 400, 'BLOB_UPLOAD_INVALID');
    const digest = params.get('digest') ?? '';
    if (sha256(req.body) !== digest) return sendError(res, 400, 'DIGEST_INVALID');
    this.uploads.delete(id);
    this.blobs.set(digest, req.body);
    return send(res, 201, '', { 'docker-content-digest': digest, location: `/v2/${name}/blobs/${digest}` });
  }

  private tagList(res: ServerResponse, name: string, params: URLSearchParams): void {
    const all = [...this.tags.keys()].sort();
    const last = params.get('last');
    const from = last === null ? all : all.filter((t) => t > last);
    const n = params.get('n') === null ? from.length : Number(params.get('n'));
    const page = from.slice(0, n);
    const headers: Record<string, string> = {};
    if (page.length < from.length) headers.link = `</v2/${name}/tags/list?n=${n}&last=${page[page.length - 1]}>; rel="next"`;
    return sendJson(res, 200, { name, tags: page }, headers);
  }

  private referrers(res: ServerResponse, subject: string, params: URLSearchParams): void {
    const wanted = params.get('artifactType');
    const manifests = [];
    for (const [digest, { mediaType, bytes }] of this.manifests) {
      const doc = JSON.parse(bytes.toString()) as { subject?: { digest?: string }; artifactType?: string; config?: { mediaType?: string } };
      if (doc.subject?.digest !== subject) continue;
      const artifactType = doc.artifactType ?? doc.config?.mediaType;
      if (wanted !== null && artifactType !== wanted) continue;
      manifests.push({ mediaType, digest, size: bytes.length, artifactType });
    }
    const headers: Record<string, string> = { 'content-type': 'application/vnd.oci.image.index.v1+json' };
    if (wanted !== null) headers['oci-filters-applied'] = 'artifactType';
    return send(res, 200, JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }), headers);
  }
}

/** A minimal OCI image manifest over a config and layers. */
export function imageManifest(config: Buffer, layers: Buffer[]): Buffer {
  const desc = (mediaType: string, b: Buffer) => ({ mediaType, digest: sha256(b), size: b.length });
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: desc('application/vnd.oci.image.config.v1+json', config),
      layers: layers.map((l) => desc('application/vnd.oci.image.layer.v1.tar', l)),
    }),
  );
}
