// Shared by the ingest tests: a real TransparencyLog on SQLite in a temp dir, keys, and readers of what the ingest
// appended (its observations, decoded from the envelopes the log keeps as blobs).
import assert from 'node:assert/strict';
import type { Digest } from '../../src/core/digest.js';
import { isJsonObject, parseJsonObject, type JsonObject } from '../../src/core/json.js';
import { decodeBase64 } from '../../src/core/bytes.js';
import { REGISTRY_OBSERVATION_PREDICATE_TYPE } from '../../src/ingest/observation.js';
import type { EntryQuery, LogService } from '../../src/log/service.js';
import { withTempLog } from '../helpers/temp-log.js';
import type { TransparencyLog } from '../../src/log/transparency-log.js';

export const ORIGIN = 'provenant.test/ingest';
export const SLSA = 'https://slsa.dev/provenance/v1';

/** A log in a fresh temp dir; closed and removed after `fn`. */
export function withLog<T>(fn: (log: TransparencyLog) => Promise<T>): Promise<T> {
  return withTempLog(ORIGIN, (log) => fn(log));
}

/** Every index matching `query`, ascending. */
export async function searchAll(log: LogService, query: EntryQuery): Promise<bigint[]> {
  const out: bigint[] = [];
  let after: bigint | undefined;
  for (;;) {
    const page = await log.search(query, { ...(after === undefined ? {} : { after }), limit: 1000 });
    out.push(...page.indices);
    if (page.next === undefined) return out;
    after = page.next;
  }
}

export interface ObservationEntry {
  readonly index: bigint;
  readonly signer: string;
  readonly subject: JsonObject;
  readonly predicate: JsonObject;
}

/** The statement of an attestation entry, read from the envelope blob the entry names. */
export async function statementOf(log: LogService, index: bigint): Promise<{ signer: string; statement: JsonObject }> {
  const view = await log.entry(index);
  const spec = view.entry['spec'];
  assert.ok(isJsonObject(spec));
  const blob = await log.blob(spec['envelopeDigest'] as Digest);
  assert.ok(blob !== null, 'the envelope blob is kept');
  const envelope = parseJsonObject(blob.data, 'envelope');
  return { signer: spec['signer'] as string, statement: parseJsonObject(decodeBase64(envelope['payload'], 'payload'), 'statement') };
}

/** The service's observations of `image`, oldest first. */
export async function observations(log: LogService, image: Digest): Promise<ObservationEntry[]> {
  const out: ObservationEntry[] = [];
  for (const index of await searchAll(log, { subject: image, predicateType: REGISTRY_OBSERVATION_PREDICATE_TYPE })) {
    const { signer, statement } = await statementOf(log, index);
    const subjects = statement['subject'];
    assert.ok(Array.isArray(subjects) && isJsonObject(subjects[0]));
    assert.ok(isJsonObject(statement['predicate']));
    out.push({ index, signer, subject: subjects[0], predicate: statement['predicate'] });
  }
  return out;
}

/** The attachments listed by an observation. */
export function attachmentsOf(observation: ObservationEntry): JsonObject[] {
  const list = observation.predicate['attachments'];
  assert.ok(Array.isArray(list));
  return list.map((a) => {
    assert.ok(isJsonObject(a));
    return a;
  });
}
