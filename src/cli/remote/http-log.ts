// LogService over HTTP: the client of a running `provenant serve`. Each method is one request to the service's
// JSON API (bigints as decimal strings); the tlog-tiles reads (checkpoint, hash tiles, entry bundles) are what an
// audit of the whole log fetches. Nothing the service says is trusted here: callers verify checkpoints, proofs
// and entries against what they already trust.
import { assertDigest, type Digest } from '../../core/digest.js';
import { ProvenantError } from '../../core/errors.js';
import { formatTilePath } from '../../formats/tlog-tiles.js';
import type { JsonObject } from '../../core/json.js';
import type { AppendResult, ConsistencyProof, EntryQuery, InclusionProof, LogEntryView, LogInfo, LogService, SearchPage } from '../../log/service.js';
import { errorBody, jsonBody, ServiceHttp, type ServiceEndpoint } from './service-http.js';
import { readAppendResult, readConsistencyProof, readEntryView, readInclusionProof, readLogInfo, readSearchPage } from './wire.js';

const SMALL_ANSWER = 1024 * 1024;
const ENTRY_ANSWER = 64 * 1024 * 1024;
const BLOB_ANSWER = 64 * 1024 * 1024;
/** A full hash tile: 256 hashes of 32 bytes (C2SP tlog-tiles). */
const TILE_BYTES = 256 * 32;
const CHECKPOINT_BYTES = 64 * 1024;

export class HttpLog implements LogService {
  private readonly http: ServiceHttp;

  constructor(endpoint: ServiceEndpoint) {
    this.http = new ServiceHttp(endpoint);
  }

  /** The service's base URL, for messages. */
  get url(): string {
    return this.http.base.href;
  }

  async info(): Promise<LogInfo> {
    return readLogInfo(await this.http.getJson('api/v1/log', {}, SMALL_ANSWER));
  }

  async append(proposed: JsonObject): Promise<AppendResult> {
    const res = await this.http.send({ method: 'POST', path: 'api/v1/log/entries', json: proposed, maxBytes: SMALL_ANSWER });
    return readAppendResult(jsonBody(res, 'append'));
  }

  async entry(index: bigint): Promise<LogEntryView> {
    return readEntryView(await this.http.getJson(`api/v1/log/entries/${index}`, {}, ENTRY_ANSWER));
  }

  async entryByLeafHash(leafHash: string): Promise<LogEntryView> {
    return readEntryView(await this.http.getJson('api/v1/log/entries', { leafHash }, ENTRY_ANSWER));
  }

  async inclusionProof(index: bigint, size?: bigint): Promise<InclusionProof> {
    const query = { index: index.toString(), size: size?.toString() };
    return readInclusionProof(await this.http.getJson('api/v1/log/proof/inclusion', query, SMALL_ANSWER));
  }

  async consistencyProof(from: bigint, to: bigint): Promise<ConsistencyProof> {
    const query = { from: from.toString(), to: to.toString() };
    return readConsistencyProof(await this.http.getJson('api/v1/log/proof/consistency', query, SMALL_ANSWER));
  }

  async search(query: EntryQuery, page: { after?: bigint; limit?: number } = {}): Promise<SearchPage> {
    const params: Record<string, string | undefined> = {
      subject: query.subject,
      predicateType: query.predicateType,
      signer: query.signer,
      line: query.line,
      target: query.target,
      kind: query.kind,
      repository: query.repository,
      entry: query.entry,
      after: page.after?.toString(),
      limit: page.limit?.toString(),
    };
    return readSearchPage(await this.http.getJson('api/v1/search', params, SMALL_ANSWER));
  }

  async blob(digest: Digest): Promise<{ mediaType: string; data: Buffer } | null> {
    const res = await this.http.send({ method: 'GET', path: `api/v1/blobs/${digest}`, maxBytes: BLOB_ANSWER, passStatuses: [404] });
    if (res.status === 404) {
      if (errorBody(res)?.code !== 'BLOB_NOT_FOUND') {
        throw new ProvenantError('SERVICE_PROTOCOL', `${this.url} has no blob route (404 without BLOB_NOT_FOUND)`);
      }
      return null;
    }
    assertDigest(res.body, digest, `blob ${digest} from the service`);
    return { mediaType: res.contentType ?? 'application/octet-stream', data: res.body };
  }

  /** The latest checkpoint as served at /log/checkpoint (C2SP signed note). */
  async checkpointNote(): Promise<string> {
    const res = await this.http.send({ method: 'GET', path: 'log/checkpoint', maxBytes: CHECKPOINT_BYTES });
    return res.body.toString('utf8');
  }

  /** A hash tile (level, index), partial of `width` hashes when given; null when the service has no such tile. */
  async tile(level: number, index: bigint, width?: number): Promise<Buffer | null> {
    return this.tileRead(`log/tile/${formatTilePath(width === undefined ? { kind: 'hash', level, index } : { kind: 'hash', level, index, width })}`, TILE_BYTES);
  }

  /** An entry bundle (the entries of leaves [256 N, 256 N + width)); null when the service has none. */
  async entryBundle(index: bigint, width?: number): Promise<Buffer | null> {
    return this.tileRead(`log/tile/${formatTilePath(width === undefined ? { kind: 'entries', index } : { kind: 'entries', index, width })}`, ENTRY_ANSWER);
  }

  async close(): Promise<void> {
    this.http.close();
  }

  private async tileRead(path: string, maxBytes: number): Promise<Buffer | null> {
    const res = await this.http.send({ method: 'GET', path, maxBytes, passStatuses: [404] });
    return res.status === 404 ? null : res.body;
  }
}
