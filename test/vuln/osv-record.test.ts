import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ProvenantError } from '../../src/core/errors.js';
import { advisoryFromJson, parseOsvRecord } from '../../src/vuln/osv-record.js';
import type { JsonObject } from '../../src/core/json.js';

// Real advisories; where each comes from is in test/fixtures/osv/SOURCE.md.
const fixture = (name: string): string => readFileSync(new URL(`../fixtures/osv/${name}`, import.meta.url), 'utf8');
const fixtureJson = (name: string): JsonObject => JSON.parse(fixture(name)) as JsonObject;
const hasCode = (code: string) => (e: unknown): boolean => e instanceof ProvenantError && e.code === code;

test('osv-record: the lodash GHSA is read with its ids, dates, severities and every affected package', () => {
  const a = parseOsvRecord(fixture('GHSA-jf85-cpcp-j695.json'));
  assert.equal(a.id, 'GHSA-jf85-cpcp-j695');
  assert.equal(a.schemaVersion, '1.4.0');
  assert.equal(a.modified, '2024-04-22T19:49:41Z');
  assert.equal(a.published, '2019-07-10T19:45:23Z');
  assert.equal(a.withdrawn, undefined);
  assert.deepEqual(a.aliases, ['CVE-2019-10744']);
  assert.deepEqual(a.severity, [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:H' }]);
  assert.equal(a.databaseSeverity, 'CRITICAL');
  assert.deepEqual(a.affected.map((p) => p.package.name), ['lodash', 'lodash-es', 'lodash-amd', 'lodash.defaultsdeep']);
  assert.deepEqual(a.affected[0]?.ranges, [
    { type: 'ECOSYSTEM', events: [{ kind: 'introduced', version: '0' }, { kind: 'fixed', version: '4.17.12' }] },
  ]);
  assert.deepEqual(a.affected[0]?.ecosystemSpecific, { affected_functions: ['(lodash).defaultsDeep'] });
});

test('osv-record: the requests GHSA (PyPI) is read; bytes and text give the same advisory', () => {
  const text = fixture('GHSA-j8r2-6x86-q33q.json');
  const a = parseOsvRecord(text);
  assert.deepEqual(parseOsvRecord(new TextEncoder().encode(text)), a);
  assert.equal(a.databaseSeverity, 'MODERATE');
  assert.deepEqual(a.affected[0]?.package, { ecosystem: 'PyPI', name: 'requests' });
  assert.deepEqual(a.affected[0]?.ranges[0]?.events.map((e) => `${e.kind}:${e.version}`), ['introduced:2.3.0', 'fixed:2.31.0']);
});

test('osv-record: fields the schema may add later are ignored; null lists read as empty', () => {
  const record = { ...fixtureJson('GHSA-j8r2-6x86-q33q.json'), some_future_field: { x: 1 }, aliases: null };
  const a = advisoryFromJson(record);
  assert.deepEqual(a.aliases, []);
  assert.equal(a.id, 'GHSA-j8r2-6x86-q33q');
});

test('osv-record: ecosystem_specific urgency and severity strings are kept as the distribution severity', () => {
  const base = fixtureJson('GHSA-j8r2-6x86-q33q.json');
  const affected = (base.affected as JsonObject[])[0] as JsonObject;
  // Derived from the real record: Debian records carry `urgency` in ecosystem_specific.
  const derived = { ...base, affected: [{ ...affected, ecosystem_specific: { urgency: 'low' } }] };
  assert.equal(advisoryFromJson(derived).affected[0]?.distroSeverity, 'low');
});

test('osv-record: malformed records are refused with OSV_MALFORMED', () => {
  const base = fixtureJson('GHSA-j8r2-6x86-q33q.json');
  const affected = (base.affected as JsonObject[])[0] as JsonObject;
  const withRange = (range: JsonObject): JsonObject => ({ ...base, affected: [{ ...affected, ranges: [range] }] });
  const bad: JsonObject[] = [
    { ...base, id: undefined as unknown as string },
    { ...base, id: '' },
    { ...base, modified: undefined as unknown as string },
    { ...base, modified: '2024-03-12 17:11:27Z' },
    { ...base, modified: '2024-03-12T17:11:27+01:00' },
    { ...base, modified: '2024-02-30T17:11:27Z' },
    { ...base, published: '2023-05-22' },
    { ...base, withdrawn: 5 },
    { ...base, aliases: 'CVE-2023-32681' },
    { ...base, severity: [{ type: 'CVSS_V3', score: '6.1' }] },
    { ...base, affected: [{ ...affected, package: { name: 'requests' } }] },
    { ...base, affected: [{ ...affected, package: { ecosystem: 'PyPI', name: 'req\nuests' } }] },
    withRange({ type: 'RANGE', events: [{ introduced: '0' }] }),
    withRange({ type: 'ECOSYSTEM', events: [{ fixed: '2.31.0' }] }),
    withRange({ type: 'ECOSYSTEM', events: [{ introduced: '2.3.0', fixed: '2.31.0' }] }),
    withRange({ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.31.0' }, { last_affected: '2.30.0' }] }),
    withRange({ type: 'ECOSYSTEM', events: [{ introduced: 2 }] }),
    withRange({ type: 'GIT', events: [{ introduced: '0' }] }),
  ];
  for (const record of bad) {
    assert.throws(() => advisoryFromJson(JSON.parse(JSON.stringify(record)) as JsonObject), hasCode('OSV_MALFORMED'));
  }
  assert.throws(() => advisoryFromJson([]), hasCode('OSV_MALFORMED'));
});

test('osv-record: oversized records and counts are refused with INPUT_TOO_LARGE; duplicate keys with JSON_DUPLICATE_KEY', () => {
  const base = fixtureJson('GHSA-j8r2-6x86-q33q.json');
  assert.throws(() => advisoryFromJson({ ...base, aliases: Array.from({ length: 10_001 }, (_, i) => `CVE-${i}`) }), hasCode('INPUT_TOO_LARGE'));
  assert.throws(() => parseOsvRecord(`{"id":"GHSA-x","details":"${'a'.repeat(8 * 1024 * 1024)}"}`), hasCode('INPUT_TOO_LARGE'));
  assert.throws(() => parseOsvRecord('{"id":"GHSA-a","id":"GHSA-b","modified":"2024-01-01T00:00:00Z"}'), hasCode('JSON_DUPLICATE_KEY'));
});
