// A provider's reputation as the transparency log records it. Events are found by the provider's subject digest,
// read back from their entries and envelopes (signatures re-verified), and only those signed by a trusted key count;
// everything else found is listed as ignored with the reason, so a score is explained by log indices alone.
// A trusted event withdrawn by a revocation entry (its own signer's or a trusted key's) is ignored too.
import type { Digest } from '../core/digest.js';
import { isProvenantError, ProvenantError } from '../core/errors.js';
import { decodeBase64 } from '../core/bytes.js';
import { parseEnvelope } from '../formats/dsse.js';
import { describeEntry } from '../log/entries/index.js';
import { MAX_SEARCH_LIMIT } from '../log/entry-reads.js';
import type { EntryQuery, LogEntryView, LogService } from '../log/service.js';
import { leafHash } from '../merkle/index.js';
import { MAX_EVENT_STATEMENT_BYTES, readReputationStatement } from './event-statement.js';
import { REPUTATION_EVENT_PREDICATE_TYPE } from './events.js';
import { parseProvider, providerSubjectDigest } from './providers.js';
import { scoreProvider, type IgnoredEvent, type ProviderReputation, type RecordedEvent, type ScoreOptions } from './score.js';

export const DEFAULT_MAX_EVENTS = 10_000;

export interface ReputationBookOptions {
  /** Key ids ("sha256:<hex of the SPKI DER>") whose events count. */
  readonly trustedSigners: readonly string[];
  /** More events than this about one provider is INPUT_TOO_LARGE. Default 10,000. */
  readonly maxEvents?: number;
}

export interface ProviderEvents {
  readonly events: readonly RecordedEvent[];
  readonly ignored: readonly IgnoredEvent[];
}

export class ReputationBook {
  private readonly trusted: ReadonlySet<string>;
  private readonly maxEvents: number;

  constructor(
    private readonly log: LogService,
    options: ReputationBookOptions,
  ) {
    this.trusted = new Set(options.trustedSigners);
    this.maxEvents = options.maxEvents ?? DEFAULT_MAX_EVENTS;
  }

  /** The provider's score at `at`, explained. Errors: REPUTATION_EVENT_INVALID (the provider), USAGE, INPUT_TOO_LARGE, the log's. */
  async score(provider: string, options: ScoreOptions): Promise<ProviderReputation> {
    const found = await this.events(provider);
    const scored = scoreProvider(provider, found.events, options);
    const ignored = [...found.ignored, ...scored.ignored].sort((a, b) => (a.logIndex < b.logIndex ? -1 : a.logIndex > b.logIndex ? 1 : 0));
    return { ...scored, ignored };
  }

  /** The provider's trusted events in log order, and what else was found under its subject digest. */
  async events(provider: string): Promise<ProviderEvents> {
    const id = parseProvider(provider).id;
    const indices = await this.searchAll({ subject: providerSubjectDigest(id), predicateType: REPUTATION_EVENT_PREDICATE_TYPE });
    const events: RecordedEvent[] = [];
    const ignored: IgnoredEvent[] = [];
    for (const index of indices) {
      const outcome = await this.read(await this.log.entry(index));
      if ('reason' in outcome) {
        ignored.push(outcome);
        continue;
      }
      const revoked = await this.revocation(outcome.entryDigest, outcome.signer);
      if (revoked === undefined) events.push({ logIndex: outcome.logIndex, entryDigest: outcome.entryDigest, event: outcome.event });
      else ignored.push({ logIndex: index, entryDigest: outcome.entryDigest, reason: revoked });
    }
    return { events, ignored };
  }

  private async read(view: LogEntryView): Promise<(RecordedEvent & { signer: string }) | IgnoredEvent> {
    const logIndex = view.index;
    const skip = (reason: string, entryDigest?: Digest): IgnoredEvent => ({ logIndex, ...(entryDigest === undefined ? {} : { entryDigest }), reason });
    if (leafHash(view.entryBytes).toString('hex') !== view.leafHash) return skip('LOG_ENTRY_TAMPERED: the entry does not hash to its leaf hash');
    const shape = described(() => describeEntry(view.entryBytes));
    if ('reason' in shape) return skip(shape.reason);
    const d = shape.value;
    if (d.kind !== 'attestation') return skip(`it is a ${d.kind} entry, not an attestation`, d.entryDigest);
    if (!this.trusted.has(d.signer)) return skip(`its signer ${d.signer} is not trusted`, d.entryDigest);
    const blob = await this.log.blob(d.envelopeDigest);
    if (blob === null) return skip(`BLOB_NOT_FOUND: the log does not hold its envelope ${d.envelopeDigest}`, d.entryDigest);
    const read = described(() => {
      describeEntry(view.entryBytes, (digest) => (digest === d.envelopeDigest ? blob.data : undefined));
      const envelope = parseEnvelope(blob.data, { maxBytes: 4 * MAX_EVENT_STATEMENT_BYTES });
      return readReputationStatement(decodeBase64(envelope.payload, 'DSSE payload'));
    });
    if ('reason' in read) return skip(read.reason, d.entryDigest);
    return { logIndex, entryDigest: d.entryDigest, event: read.value, signer: d.signer };
  }

  /** Why the event is withdrawn, if a revocation by its signer or a trusted key names it. */
  private async revocation(target: Digest, signer: string): Promise<string | undefined> {
    for (const index of await this.searchAll({ kind: 'revocation', target })) {
      const view = await this.log.entry(index);
      if (leafHash(view.entryBytes).toString('hex') !== view.leafHash) continue;
      const read = described(() => describeEntry(view.entryBytes));
      if ('reason' in read) continue;
      const r = read.value;
      if (r.kind === 'revocation' && r.target === target && (r.signer === signer || this.trusted.has(r.signer))) {
        return `revoked at index ${index} by ${r.signer}: ${r.predicate.reason}`;
      }
    }
    return undefined;
  }

  private async searchAll(query: EntryQuery): Promise<bigint[]> {
    const indices: bigint[] = [];
    let after: bigint | undefined;
    for (;;) {
      const page = await this.log.search(query, after === undefined ? { limit: MAX_SEARCH_LIMIT } : { after, limit: MAX_SEARCH_LIMIT });
      for (const index of page.indices) {
        const last = indices[indices.length - 1] ?? after;
        if (last !== undefined && index <= last) throw new ProvenantError('SERVICE_PROTOCOL', 'the log answered a search with indices out of order');
        indices.push(index);
      }
      if (indices.length > this.maxEvents) {
        throw new ProvenantError('INPUT_TOO_LARGE', `more than ${this.maxEvents} entries match ${JSON.stringify(query)}`, { details: { limit: this.maxEvents } });
      }
      if (page.next === undefined) return indices;
      if (after !== undefined && page.next <= after) throw new ProvenantError('SERVICE_PROTOCOL', 'the log answered a search with a next page that does not advance');
      after = page.next;
    }
  }
}

/** Runs a read of signed content; a failure of that content (not of the log) becomes the reason it is ignored. */
function described<T>(fn: () => T): { value: T } | { reason: string } {
  try {
    return { value: fn() };
  } catch (e) {
    if (!isProvenantError(e) || e.code === 'INTERNAL') throw e;
    return { reason: `${e.code}: ${e.message}` };
  }
}
