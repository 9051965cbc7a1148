// LogEntryView values built from real prepared entries, as a log would return them.
import { sha256Digest } from '../../../src/core/digest.js';
import { parseJsonObject, type JsonObject } from '../../../src/core/json.js';
import type { Signer } from '../../../src/crypto/index.js';
import { entryDigest, prepareEntry, proposeAudit } from '../../../src/log/entries/index.js';
import type { LogEntryView } from '../../../src/log/service.js';
import { leafHash } from '../../../src/merkle/index.js';
import { CREATED, lineageProposal } from '../entries/entry-fixtures.js';

export function view(index: number, entry: Buffer): LogEntryView {
  return {
    index: BigInt(index),
    leafHash: leafHash(entry).toString('hex'),
    entryDigest: sha256Digest(entry),
    entryBytes: entry,
    entry: parseJsonObject(entry),
    integratedAt: new Date(Date.UTC(2025, 0, 31)).toISOString(),
  };
}

/** Entries of a chain of `length` records of acme/app, signed by `key`, at indices 0..length-1. */
export async function chain(key: Signer, length: number, line = 'acme/app'): Promise<LogEntryView[]> {
  const views: LogEntryView[] = [];
  for (let sequence = 1; sequence <= length; sequence++) {
    const previous = views.at(-1)?.entryDigest ?? null;
    views.push(view(views.length, (await prepareEntry(await lineageProposal(key, sequence, previous, { line }))).entry));
  }
  return views;
}

export async function record(key: Signer, index: number, sequence: number, previous: LogEntryView | string | null, options: { line?: string; note?: string } = {}): Promise<LogEntryView> {
  const digest = previous === null ? null : typeof previous === 'string' ? sha256Digest(previous) : previous.entryDigest;
  return view(index, (await prepareEntry(await lineageProposal(key, sequence, digest, options))).entry);
}

export async function audit(key: Signer, index: number, of: LogEntryView, options: { line?: string; result?: 'pass' | 'fail' } = {}): Promise<LogEntryView> {
  const spec = of.entry.spec as JsonObject;
  const statement = parseJsonObject(Buffer.from((spec.envelope as JsonObject).payload as string, 'base64'));
  const subject = (statement.subject as JsonObject[])[0] as { name: string; digest: { sha256: string } };
  const proposal = await proposeAudit(
    {
      record: entryDigest(of.entryBytes),
      line: options.line ?? 'acme/app',
      artifact: { name: subject.name, digest: `sha256:${subject.digest.sha256}` },
      auditor: 'Scanner Co',
      type: 'vuln-scan',
      result: options.result ?? 'pass',
      score: 91,
      createdAt: CREATED,
    },
    key,
  );
  return view(index, (await prepareEntry(proposal)).entry);
}
