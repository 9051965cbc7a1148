// The facts gathered about each image, kept between decisions and gathered again only when the evidence about its
// digest may have changed. While the log has not grown since they were gathered they stand as they are; when it
// has, one indexed search finds the entries naming the digest, and the facts are gathered again if those, the
// newest revocation or the newest audit moved. Least recently used images are dropped beyond the bound.
import type { Digest } from '../../core/digest.js';
import { LruMap } from '../../core/lru-map.js';
import type { LogService } from '../../log/service.js';
import type { ImageFacts, ImageRef } from '../facts.js';
import { gatherFactsFromLog } from '../facts/from-log.js';
import { searchAll } from './log-reads.js';

/** Images whose gathered facts are kept. */
const MAX_CACHED_FACTS = 1_000;

/** What the log looked like when a decision's state was read. */
export interface LogMark {
  readonly logSize: bigint;
  /** Newest revocation and audit entry indices, as version strings. */
  readonly revocations: string;
  readonly audits: string;
}

interface CachedFacts {
  readonly evidence: string;
  readonly facts: ImageFacts;
  readonly logSize: bigint;
}

export class FactsCache {
  private readonly entries = new LruMap<string, CachedFacts>(MAX_CACHED_FACTS);

  constructor(private readonly log: LogService) {}

  async of(image: ImageRef, mark: LogMark): Promise<ImageFacts> {
    const key = `${image.reference}\0${image.digest}`;
    const known = this.entries.get(key);
    if (known !== undefined && known.logSize === mark.logSize) return known.facts;
    const indices = await searchAll(this.log, { subject: image.digest as Digest });
    const evidence = `${indices.join(',')}|${mark.revocations}|${mark.audits}`;
    const facts = known !== undefined && known.evidence === evidence ? known.facts : await gatherFactsFromLog(this.log, image);
    this.entries.set(key, { evidence, facts, logSize: mark.logSize });
    return facts;
  }
}
