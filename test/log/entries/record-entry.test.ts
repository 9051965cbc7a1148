import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256Digest } from '../../../src/core/digest.js';
import { canonicalJsonBytes, parseJsonObject, type JsonObject } from '../../../src/core/json.js';
import {
  AUDIT_PREDICATE_TYPE,
  describeEntry,
  entryDigest,
  prepareEntry,
  proposeAudit,
  proposeLineageRecord,
  proposeRevocation,
  REVOCATION_PREDICATE_TYPE,
} from '../../../src/log/entries/index.js';
import {
  clone,
  CREATED,
  ecdsa,
  ed25519,
  IMAGE,
  lineagePredicate,
  lineageProposal,
  lineageStatement,
  rejectsCode,
  statementProposal,
  stranger,
} from './entry-fixtures.js';

for (const key of [ecdsa, ed25519]) {
  test(`${key.algorithm}: lineage records are stored in full, indexed by line, subject, signer and predecessor`, async () => {
    const first = await prepareEntry(await lineageProposal(key, 1, null, { digest: IMAGE }));
    const second = await prepareEntry(await lineageProposal(key, 2, entryDigest(first.entry), { note: 'rebuilt with the security update' }));
    const stored = parseJsonObject(second.entry).spec as JsonObject;
    assert.deepEqual(Object.keys(stored).sort(), ['envelope', 'publicKey']);
    assert.deepEqual(first.terms, [
      { name: 'kind', value: 'lineage' },
      { name: 'line', value: 'acme/app' },
      { name: 'subject', value: IMAGE },
      { name: 'signer', value: key.keyId },
      { name: 'entry', value: sha256Digest(first.entry) },
    ]);
    assert.ok(second.terms.some((t) => t.name === 'target' && t.value === entryDigest(first.entry)));
    const described = describeEntry(second.entry);
    assert.equal(described.kind, 'lineage');
    if (described.kind !== 'lineage') return;
    assert.deepEqual(described.predicate, {
      line: 'acme/app',
      artifact: { kind: 'oci-image', name: 'registry.example/acme/app' },
      previous: entryDigest(first.entry),
      sequence: 2,
      createdAt: CREATED,
      note: 'rebuilt with the security update',
    });
    assert.equal(described.target, entryDigest(first.entry));
    assert.equal(described.line, 'acme/app');
    assert.deepEqual(described.subjects, [{ name: 'registry.example/acme/app', digest: sha256Digest('build 2') }]);
  });
}

test('the same lineage proposal twice gives byte-identical entries', async () => {
  const proposal = await lineageProposal(ecdsa, 1, null);
  assert.deepEqual((await prepareEntry(proposal)).entry, (await prepareEntry(clone(proposal))).entry);
});

test('audits and revocations carry their target, line and subject terms', async () => {
  const record = await prepareEntry(await lineageProposal(ecdsa, 1, null, { digest: IMAGE }));
  const recordDigest = entryDigest(record.entry);
  const audit = await prepareEntry(
    await proposeAudit(
      { record: recordDigest, line: 'acme/app', artifact: { name: 'registry.example/acme/app', digest: IMAGE }, auditor: 'Scanner Co', type: 'vuln-scan', result: 'pass', score: 97.5, createdAt: CREATED },
      stranger,
    ),
  );
  assert.deepEqual(audit.terms, [
    { name: 'kind', value: 'audit' },
    { name: 'target', value: recordDigest },
    { name: 'line', value: 'acme/app' },
    { name: 'subject', value: IMAGE },
    { name: 'signer', value: stranger.keyId },
    { name: 'entry', value: sha256Digest(audit.entry) },
  ]);
  const auditDescription = describeEntry(audit.entry);
  assert.equal(auditDescription.predicateType, AUDIT_PREDICATE_TYPE);
  assert.ok(auditDescription.kind === 'audit' && auditDescription.predicate.score === 97.5);

  const revocation = await prepareEntry(await proposeRevocation({ target: recordDigest, reason: 'key compromised', createdAt: new Date(Date.UTC(2025, 0, 31)) }, ecdsa));
  assert.deepEqual(revocation.terms, [
    { name: 'kind', value: 'revocation' },
    { name: 'target', value: recordDigest },
    { name: 'signer', value: ecdsa.keyId },
    { name: 'entry', value: sha256Digest(revocation.entry) },
  ]);
  const revoked = describeEntry(revocation.entry);
  assert.equal(revoked.predicateType, REVOCATION_PREDICATE_TYPE);
  assert.ok(revoked.kind === 'revocation' && revoked.predicate.createdAt === '2025-01-31T00:00:00.000Z');
});

test('predicates are strict: unknown fields, wrong types, bad dates and bad line names are PREDICATE_MALFORMED', async () => {
  const bad: JsonObject[] = [
    lineagePredicate({ extra: true }),
    lineagePredicate({ sequence: '1' }),
    lineagePredicate({ sequence: 0 }),
    lineagePredicate({ sequence: 1.5, previous: IMAGE }),
    lineagePredicate({ createdAt: '2025-02-30T00:00:00Z' }),
    lineagePredicate({ createdAt: '2025-01-31T12:00:00+01:00' }),
    lineagePredicate({ createdAt: '2025-01-31' }),
    lineagePredicate({ line: 'Acme/app' }),
    lineagePredicate({ line: 'acme' }),
    lineagePredicate({ line: 'acme/app/x' }),
    lineagePredicate({ line: `acme/${'a'.repeat(65)}` }),
    lineagePredicate({ previous: IMAGE }),
    lineagePredicate({ sequence: 2, previous: null }),
    lineagePredicate({ sequence: 2, previous: 'sha512:abc' }),
    lineagePredicate({ artifact: { kind: 'vm', name: 'app.tar' } }),
    lineagePredicate({ artifact: { kind: 'file', name: 'app.tar', size: -1 } }),
    lineagePredicate({ artifact: { kind: 'file', name: 'app.tar', owner: 'x' } }),
    lineagePredicate({ note: 'line\nbreak' }),
  ];
  for (const predicate of bad) {
    await rejectsCode(prepareEntry(await statementProposal('lineage', lineageStatement(predicate), ecdsa)), 'PREDICATE_MALFORMED');
  }
  await rejectsCode(prepareEntry(await statementProposal('lineage', lineageStatement(lineagePredicate(), 'other-name'), ecdsa)), 'PREDICATE_MALFORMED');
});

test('record statements are strict: an unknown field, a second subject or a v0.1 type is STATEMENT_MALFORMED', async () => {
  const statement = lineageStatement(lineagePredicate());
  const variants: JsonObject[] = [
    { ...statement, extra: 1 },
    { ...statement, _type: 'https://in-toto.io/Statement/v0.1' },
    { ...statement, subject: [...(statement.subject as JsonObject[]), { name: 'b', digest: { sha256: IMAGE.slice(7) } }] },
    { ...statement, subject: [{ name: 'app.tar', digest: { sha256: IMAGE.slice(7), sha512: 'ab' } }] },
  ];
  for (const variant of variants) {
    await rejectsCode(prepareEntry(await statementProposal('lineage', variant, ecdsa)), 'STATEMENT_MALFORMED');
  }
  // The predicate type must be that of the kind.
  await rejectsCode(prepareEntry(await statementProposal('audit', statement, ecdsa)), 'ENTRY_MALFORMED');
});

test('audit and revocation predicates are validated', async () => {
  const record = sha256Digest('a record');
  const audit = { record, line: 'acme/app', artifact: { name: 'app', digest: IMAGE }, auditor: 'Scanner Co', type: 'vuln-scan', result: 'pass', createdAt: CREATED } as const;
  await rejectsCode(proposeAudit({ ...audit, score: 101 }, ecdsa), 'PREDICATE_MALFORMED');
  await rejectsCode(proposeAudit({ ...audit, auditor: 'x'.repeat(129) }, ecdsa), 'PREDICATE_MALFORMED');
  await rejectsCode(proposeAudit({ ...audit, result: 'maybe' as 'pass' }, ecdsa), 'PREDICATE_MALFORMED');
  await rejectsCode(proposeRevocation({ target: record, reason: '', createdAt: CREATED }, ecdsa), 'PREDICATE_MALFORMED');
  await rejectsCode(proposeLineageRecord({ line: 'acme/app', artifact: { kind: 'file', name: 'a', digest: IMAGE }, previous: null, sequence: 1, createdAt: 'yesterday' }, ecdsa), 'PREDICATE_MALFORMED');
  // A revocation's subject must be the revoked entry.
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'entry', digest: { sha256: IMAGE.slice(7) } }],
    predicateType: REVOCATION_PREDICATE_TYPE,
    predicate: { target: record, reason: 'mistake', createdAt: CREATED },
  };
  await rejectsCode(prepareEntry(await statementProposal('revocation', statement, ecdsa)), 'PREDICATE_MALFORMED');
});

test('a record signed by one key and proposed with another is SIGNATURE_INVALID; a tampered payload too', async () => {
  await rejectsCode(prepareEntry(await statementProposal('lineage', lineageStatement(lineagePredicate()), ecdsa, stranger.publicKeyPem())), 'SIGNATURE_INVALID');
  const proposal = await lineageProposal(ecdsa, 1, null);
  const envelope = (proposal.spec as JsonObject).envelope as JsonObject;
  const payload = parseJsonObject(Buffer.from(envelope.payload as string, 'base64'));
  (payload.predicate as JsonObject).note = 'inserted later';
  envelope.payload = canonicalJsonBytes(payload).toString('base64');
  await rejectsCode(prepareEntry(proposal), 'SIGNATURE_INVALID');
});

test('a stored record edited in place fails describeEntry', async () => {
  const prepared = await prepareEntry(await lineageProposal(ed25519, 1, null));
  const entry = parseJsonObject(prepared.entry);
  const envelope = (entry.spec as JsonObject).envelope as JsonObject;
  const payload = parseJsonObject(Buffer.from(envelope.payload as string, 'base64'));
  (payload.predicate as JsonObject).sequence = 2;
  envelope.payload = canonicalJsonBytes(payload).toString('base64');
  assert.throws(() => describeEntry(canonicalJsonBytes(entry)), { code: 'SIGNATURE_INVALID' });
  // Whitespace added to otherwise valid bytes: not the canonical entry.
  const spaced = Buffer.from(JSON.stringify(parseJsonObject(prepared.entry), null, 1));
  assert.throws(() => describeEntry(spaced), { code: 'ENTRY_MALFORMED' });
});

test('a record proposal over 64 KiB is INPUT_TOO_LARGE', async () => {
  const proposal = await lineageProposal(ecdsa, 1, null);
  const envelope = (proposal.spec as JsonObject).envelope as JsonObject;
  envelope.payload = Buffer.alloc(64 * 1024, 0x20).toString('base64');
  await rejectsCode(prepareEntry(proposal), 'INPUT_TOO_LARGE');
});
