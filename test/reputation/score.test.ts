// The beta reputation model with forgetting, checked against values worked out by hand from the formula
// score = 100 * (R + 1) / (R + S + 2), R = Σ w·r, S = Σ w·s, w = 0.5^(age / half-life).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256Digest } from '../../src/core/digest.js';
import { isProvenantError } from '../../src/core/errors.js';
import type { ReputationEvent } from '../../src/reputation/events.js';
import { scoreProvider, type RecordedEvent } from '../../src/reputation/score.js';

const P = 'registry.example.com/acme';
const AT = '2025-07-01T00:00:00Z';
const DAY = 86_400_000;

function daysBefore(days: number, from = AT): string {
  return new Date(Date.parse(from) - days * DAY).toISOString();
}

type Body = ReputationEvent extends infer E ? (E extends unknown ? Omit<E, 'provider' | 'occurredAt' | 'reporter'> : never) : never;

function rec(logIndex: number, ageDays: number, body: Body, provider = P): RecordedEvent {
  return { logIndex: BigInt(logIndex), entryDigest: sha256Digest(`entry ${logIndex}`), event: { provider, occurredAt: daysBefore(ageDays), reporter: 'test', ...body } as ReputationEvent };
}

const pass: Body = { type: 'audit', auditor: 'auditor.example', result: 'pass' };

function near(actual: number, expected: number): void {
  assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} is not ${expected}`);
}

test('a provider with no events scores 50', () => {
  const rep = scoreProvider(P, [], { at: AT });
  assert.deepEqual([rep.score, rep.positive, rep.negative, rep.events.length, rep.ignored.length], [50, 0, 0, 0, 0]);
  assert.equal(rep.halfLifeDays, 180);
  assert.equal(rep.at, '2025-07-01T00:00:00.000Z');
});

test('a passed audit today is r = 2 at full weight: 100 * 3 / 4 = 75', () => {
  const rep = scoreProvider(P, [rec(0, 0, pass)], { at: AT });
  assert.equal(rep.score, 75);
  assert.deepEqual(rep.events.map((e) => [e.r, e.s, e.weight, e.contribution]), [[2, 0, 1, 2]]);
});

test('weight halves at each half-life: 180 days 0.5, 360 days 0.25, 30 days with a half-life of 30', () => {
  const rep = scoreProvider(P, [rec(0, 180, pass), rec(1, 360, pass)], { at: AT });
  assert.deepEqual(rep.events.map((e) => e.weight), [0.5, 0.25]);
  assert.equal(rep.positive, 1.5);
  near(rep.score, (100 * 2.5) / 3.5);
  assert.deepEqual(scoreProvider(P, [rec(0, 30, pass)], { at: AT, halfLifeDays: 30 }).events.map((e) => e.weight), [0.5]);
});

test('vulnerability evidence is severity times the time-to-fix factor', () => {
  const published = daysBefore(10);
  const fixedAfter = (days: number): string => new Date(Date.parse(published) + days * DAY).toISOString();
  const vuln = (severity: 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL', fixedAt?: string): Body => ({
    type: 'vulnerability',
    vulnerability: `CVE-2025-${severity}-${fixedAt ?? 'open'}`,
    severity,
    publishedAt: published,
    ...(fixedAt === undefined ? {} : { fixedAt }),
  });
  const cases: [Body, number][] = [
    [vuln('HIGH', fixedAfter(5)), 2 * 0.5],
    [vuln('HIGH', fixedAfter(7)), 2 * 0.5],
    [vuln('HIGH', fixedAfter(20)), 2 * 1],
    [vuln('HIGH', fixedAfter(30)), 2 * 1],
    [vuln('HIGH', fixedAfter(60)), 2 * 1.5],
    [vuln('HIGH', fixedAfter(120)), 2 * 2],
    [vuln('HIGH'), 2 * 2],
    [vuln('CRITICAL'), 4 * 2],
    [vuln('MEDIUM', fixedAfter(3)), 1 * 0.5],
    [vuln('LOW', fixedAfter(3)), 0.25 * 0.5],
  ];
  // Age 0 so that s is the evidence itself; fixes dated after `at` are not fixes yet.
  const at = fixedAfter(200);
  const rep = scoreProvider(P, cases.map(([body], i) => ({ ...rec(i, 0, body), event: { ...rec(i, 0, body).event, occurredAt: at } })), { at });
  assert.deepEqual(rep.events.map((e) => e.s), cases.map(([, s]) => s));
  assert.ok(rep.events.every((e) => e.r === 0 && e.weight === 1));
  const early = scoreProvider(P, [rec(0, 10, vuln('HIGH', fixedAfter(5)))], { at: fixedAfter(4) });
  assert.deepEqual(early.events.map((e) => e.s), [4]);
});

test('incidents by severity 8 / 4 / 2 / 1 and feedback (rating - 1) / 4 against (5 - rating) / 4', () => {
  const rep = scoreProvider(
    P,
    [
      ...(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const).map((severity, i) => rec(i, 0, { type: 'incident', severity, title: 'outage' })),
      ...[1, 2, 3, 4, 5].map((rating, i) => rec(10 + i, 0, { type: 'feedback', rating })),
    ],
    { at: AT },
  );
  assert.deepEqual(rep.events.map((e) => [e.r, e.s]), [[0, 8], [0, 4], [0, 2], [0, 1], [0, 1], [0.25, 0.75], [0.5, 0.5], [0.75, 0.25], [1, 0]]);
  assert.deepEqual([rep.positive, rep.negative], [2.5, 17.5]);
  assert.equal(rep.score, (100 * 3.5) / 22);
});

test('a failed audit is s = 3', () => {
  assert.deepEqual(scoreProvider(P, [rec(0, 0, { type: 'audit', auditor: 'a', result: 'fail' })], { at: AT }).events.map((e) => [e.r, e.s]), [[0, 3]]);
});

test('a certification counts r = 3 undecayed until it expires, and nothing from its expiry on', () => {
  const cert: Body = { type: 'certification', name: 'ISO/IEC 27001', issuer: 'cert.example', expiresAt: '2025-09-01T00:00:00Z' };
  const valid = scoreProvider(P, [rec(0, 400, cert)], { at: AT });
  assert.deepEqual(valid.events.map((e) => [e.r, e.s, e.weight]), [[3, 0, 1]]);
  assert.equal(valid.score, 80);
  for (const at of ['2025-09-01T00:00:00Z', '2026-01-01T00:00:00Z']) {
    const expired = scoreProvider(P, [rec(0, 400, cert)], { at });
    assert.deepEqual(expired.events.map((e) => [e.r, e.s, e.contribution]), [[0, 0, 0]]);
    assert.equal(expired.score, 50);
  }
});

test('events after the instant scored do not count yet and are listed as ignored', () => {
  const rep = scoreProvider(P, [rec(3, -1, pass), rec(4, 0, pass)], { at: AT });
  assert.deepEqual(rep.events.map((e) => e.logIndex), [4n]);
  assert.deepEqual(rep.ignored.map((i) => i.logIndex), [3n]);
  assert.equal(rep.score, 75);
  const later = scoreProvider(P, [rec(3, -1, pass)], { at: daysBefore(-2) });
  assert.deepEqual([later.events.length, later.ignored.length], [1, 0]);
});

test('the explanation lines sum to R and S, and their contributions to R - S', () => {
  const events = [
    rec(7, 0, pass),
    rec(2, 180, { type: 'incident', severity: 'HIGH', title: 'leaked key' }),
    rec(5, 360, { type: 'feedback', rating: 5 }),
    rec(9, 45, { type: 'vulnerability', vulnerability: 'CVE-2024-3094', severity: 'CRITICAL', publishedAt: daysBefore(50), fixedAt: daysBefore(40) }),
  ];
  const rep = scoreProvider(P, events, { at: AT });
  assert.deepEqual(rep.events.map((e) => e.logIndex), [2n, 5n, 7n, 9n]);
  let r = 0;
  let s = 0;
  let contribution = 0;
  for (const line of rep.events) {
    r += line.weight * line.r;
    s += line.weight * line.s;
    contribution += line.contribution;
  }
  assert.equal(r, rep.positive);
  assert.equal(s, rep.negative);
  near(contribution, rep.positive - rep.negative);
  // By hand: R = 2 + 1 * 0.25 = 2.25; S = 4 * 0.5 + 4 * 1 (fixed in 10 days) * 0.5^(45/180).
  near(rep.positive, 2.25);
  near(rep.negative, 2 + 4 * Math.pow(0.5, 0.25));
  near(rep.score, (100 * 3.25) / (2.25 + rep.negative + 2));
});

test('a later report of the same vulnerability supersedes the earlier one', () => {
  const open: Body = { type: 'vulnerability', vulnerability: 'CVE-2025-0001', severity: 'HIGH', publishedAt: daysBefore(20) };
  const fixed: Body = { ...open, fixedAt: daysBefore(18) } as Body;
  const rep = scoreProvider(P, [rec(1, 20, open), rec(2, 20, fixed)], { at: AT });
  assert.deepEqual(rep.events.map((e) => [e.logIndex, e.s]), [[2n, 1]]);
  assert.deepEqual(rep.ignored.map((i) => i.logIndex), [1n]);
  // Before the second report occurred, the first stands alone.
  const before = scoreProvider(P, [rec(1, 20, open), { ...rec(2, 0, fixed) }], { at: daysBefore(1) });
  assert.deepEqual(before.events.map((e) => e.logIndex), [1n]);
});

test('events about another provider are ignored', () => {
  const rep = scoreProvider(P, [rec(0, 0, pass, 'registry.example.com/other')], { at: AT });
  assert.equal(rep.score, 50);
  assert.deepEqual(rep.ignored.map((i) => i.logIndex), [0n]);
});

test('an instant that is not RFC 3339 UTC, or a half-life that is not positive, is USAGE', () => {
  for (const options of [{ at: '2025-07-01' }, { at: '2025-07-01T00:00:00+02:00' }, { at: new Date(Number.NaN) }, { at: AT, halfLifeDays: 0 }, { at: AT, halfLifeDays: Number.POSITIVE_INFINITY }]) {
    assert.throws(() => scoreProvider(P, [], options), (e) => isProvenantError(e, 'USAGE'));
  }
});
