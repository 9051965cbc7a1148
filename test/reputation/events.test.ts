// The event predicate is read strictly: one closed set of fields per type, bounded strings, RFC 3339 UTC dates,
// ratings 1 to 5; and an event statement must name its provider as its one subject.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256Digest } from '../../src/core/digest.js';
import { isProvenantError, type ErrorCode } from '../../src/core/errors.js';
import { buildStatement, statementToBytes } from '../../src/formats/intoto.js';
import { parseReputationEvent, REPUTATION_EVENT_PREDICATE_TYPE, reputationEventJson, type ReputationEvent } from '../../src/reputation/events.js';
import { readReputationStatement, reputationStatementBytes } from '../../src/reputation/event-statement.js';
import { providerSubjectDigest } from '../../src/reputation/providers.js';

const common = { provider: 'registry.example.com/acme', occurredAt: '2025-03-01T10:00:00Z', reporter: 'secteam@example.com' };

const valid: Record<string, Record<string, unknown>> = {
  vulnerability: { ...common, type: 'vulnerability', vulnerability: 'CVE-2024-3094', severity: 'CRITICAL', publishedAt: '2024-03-29T00:00:00Z', fixedAt: '2024-03-30T12:00:00.5Z', image: 'registry.example.com/acme/app:1.2' },
  audit: { ...common, type: 'audit', auditor: 'audits.example', result: 'pass', record: sha256Digest('record'), note: 'annual audit' },
  incident: { ...common, type: 'incident', severity: 'HIGH', title: 'signing key exposed in CI logs' },
  feedback: { ...common, type: 'feedback', rating: 4 },
  certification: { ...common, type: 'certification', name: 'SOC 2 Type II', issuer: 'auditor.example', expiresAt: '2026-01-01T00:00:00Z' },
};

function refused(value: unknown, code: ErrorCode = 'REPUTATION_EVENT_INVALID'): void {
  assert.throws(() => parseReputationEvent(value), (e) => isProvenantError(e, code), JSON.stringify(value));
}

test('an event of each type is read back as given', () => {
  for (const event of Object.values(valid)) assert.deepEqual(reputationEventJson(parseReputationEvent(event)), event);
  for (const provider of ['docker.io/library', 'localhost:5000', 'key:sha256:' + 'ab'.repeat(32), 'identity:https://token.actions.githubusercontent.com#repo:acme/app:ref:refs/heads/main']) {
    assert.equal(parseReputationEvent({ ...valid.feedback, provider }).provider, provider);
  }
});

test('unknown fields, fields of another type and missing fields are refused', () => {
  refused({ ...valid.feedback, score: 3 });
  refused({ ...valid.feedback, title: 'x' });
  refused({ ...valid.incident, rating: 2 });
  refused({ ...valid.vulnerability, result: 'pass' });
  const optional = new Set(['note', 'fixedAt', 'image', 'record']);
  for (const event of Object.values(valid)) {
    for (const field of Object.keys(event).filter((f) => !optional.has(f))) {
      refused(Object.fromEntries(Object.entries(event).filter(([key]) => key !== field)));
    }
  }
  refused({ ...valid.feedback, type: 'praise' });
  refused('feedback');
  refused(null);
  refused([valid.feedback]);
});

test('dates must be RFC 3339 UTC instants that exist', () => {
  for (const occurredAt of ['2025-03-01', '2025-03-01T10:00:00+01:00', '2025-02-30T00:00:00Z', '2025-03-01T24:00:00Z', '2025-03-01 10:00:00Z', 1740823200, '']) {
    refused({ ...valid.feedback, occurredAt });
  }
  refused({ ...valid.vulnerability, publishedAt: 'yesterday' });
  refused({ ...valid.vulnerability, fixedAt: '2024-13-01T00:00:00Z' });
  refused({ ...valid.certification, expiresAt: null });
});

test('ratings are whole numbers from 1 to 5; severities and results are closed sets', () => {
  for (const rating of [0, 6, 2.5, '3', -1, null]) refused({ ...valid.feedback, rating });
  for (const severity of ['critical', 'SEVERE', 3]) refused({ ...valid.incident, severity });
  refused({ ...valid.audit, result: 'passed' });
  refused({ ...valid.audit, record: 'sha256:xyz' });
  refused({ ...valid.vulnerability, vulnerability: 'CVE 2024 3094' });
  refused({ ...valid.vulnerability, image: 'Not An Image!' });
});

test('providers must be in their one canonical spelling; text is bounded and has no control characters', () => {
  for (const provider of ['acme', 'Registry.Example.com/Acme', 'registry.example.com/acme/', 'key:sha256:AB', 'key:' + 'ab'.repeat(32), 'identity:#subject', 'identity:https://issuer', 'identity:https://issuer#', '', 'x'.repeat(2000)]) {
    refused({ ...valid.feedback, provider });
  }
  refused({ ...valid.feedback, reporter: 'r'.repeat(257) });
  refused({ ...valid.feedback, reporter: 'evil\u001b[31m' });
  refused({ ...valid.feedback, note: 'n'.repeat(2049) });
  refused({ ...valid.incident, title: '' });
});

test('an event statement round-trips, names its provider as its only subject, and is refused otherwise', () => {
  const event = parseReputationEvent(valid.audit);
  const bytes = reputationStatementBytes(event);
  assert.deepEqual(readReputationStatement(bytes), event);
  const statement = JSON.parse(bytes.toString('utf8')) as { subject: { name: string; digest: { sha256: string } }[] };
  assert.deepEqual(statement.subject, [{ name: event.provider, digest: { sha256: sha256Digest(`provenant-provider:${event.provider}`).slice(7) } }]);

  const statementOf = (subjects: { name: string; digest: `sha256:${string}` }[], predicateType = REPUTATION_EVENT_PREDICATE_TYPE, predicate = valid.audit): Buffer =>
    statementToBytes(buildStatement({ subjects, predicateType, predicate: predicate as Parameters<typeof buildStatement>[0]['predicate'] }));
  const own = { name: event.provider, digest: providerSubjectDigest(event.provider) };
  const other = 'registry.example.com/other';
  const cases: Buffer[] = [
    statementOf([{ name: other, digest: providerSubjectDigest(other) }]),
    statementOf([{ name: event.provider, digest: sha256Digest(event.provider) }]),
    statementOf([own, { name: other, digest: providerSubjectDigest(other) }]),
    statementOf([own], 'https://example.test/other/v1'),
    statementOf([own], REPUTATION_EVENT_PREDICATE_TYPE, { ...valid.audit, extra: true }),
  ];
  for (const payload of cases) assert.throws(() => readReputationStatement(payload), (e) => isProvenantError(e, 'REPUTATION_EVENT_INVALID'));
  assert.throws(() => readReputationStatement(Buffer.from('{"_type":')), (e) => isProvenantError(e, 'STATEMENT_MALFORMED'));
});

test('building a statement checks the event first', () => {
  const bad = { ...parseReputationEvent(valid.feedback), rating: 9 } as ReputationEvent;
  assert.throws(() => reputationStatementBytes(bad), (e) => isProvenantError(e, 'REPUTATION_EVENT_INVALID'));
});
