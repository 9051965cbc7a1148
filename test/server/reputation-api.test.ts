// The reputation routes on a real service (SQLite log in a temp dir, real tokens): signed events from a trusted key
// are appended, anything else is refused with its code, and a provider's score is explained event by event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SigningKey, type Verifier } from '../../src/crypto/index.js';
import { envelopeToJson, signEnvelope, type Envelope } from '../../src/formats/dsse.js';
import { buildStatement, IN_TOTO_PAYLOAD_TYPE, statementToBytes } from '../../src/formats/intoto.js';
import type { ReputationEvent } from '../../src/reputation/events.js';
import { proposeReputationEvent, providerSubjectDigest, REPUTATION_EVENT_PREDICATE_TYPE, signReputationEvent } from '../../src/reputation/index.js';
import { reputationApiPlugin } from '../../src/server/routes/reputation-api.js';
import { authorization, servedLog, type TestContext } from './server-fixture.js';

const P = 'registry.example.com/acme';
const AT = '2025-07-01T00:00:00Z';
const trusted = SigningKey.generate('ecdsa-p256');
const stranger = SigningKey.generate('ed25519');
const audit: ReputationEvent = { provider: P, type: 'audit', occurredAt: AT, reporter: 'auditor', auditor: 'audits.example', result: 'pass' };
const incident: ReputationEvent = { provider: P, type: 'incident', occurredAt: '2025-01-02T00:00:00Z', reporter: 'secteam', severity: 'CRITICAL', title: 'breach' };

async function served(t: TestContext, trustedKeys: readonly Verifier[] = [trusted.verifier()]) {
  return servedLog(t, { extraRoutes: [(app) => reputationApiPlugin(app, { log: app.servedLog, trustedKeys })] });
}

function body(envelope: Envelope): string {
  return envelopeToJson(envelope);
}

test('a trusted event is appended once, then scored with its explanation', async (t) => {
  const { app, writeToken, log } = await served(t);
  const post = (payload: string, headers = authorization(writeToken)) =>
    app.inject({ method: 'POST', url: '/api/v1/reputation/events', payload, headers: { ...headers, 'content-type': 'application/json' } });

  const signed = body(await signReputationEvent(audit, trusted));
  const first = await post(signed);
  assert.equal(first.statusCode, 201, first.body);
  const appended = first.json();
  assert.deepEqual([appended.index, appended.provider, appended.type, appended.signer, appended.duplicate], ['0', P, 'audit', trusted.keyId, false]);
  const again = await post(signed);
  assert.equal(again.statusCode, 200);
  assert.equal(again.json().duplicate, true);
  assert.equal((await post(body(await signReputationEvent(incident, trusted)))).statusCode, 201);
  // An event appended through the generic entry API by a key the service does not trust is found but not counted.
  await log.append(await proposeReputationEvent({ ...audit, reporter: 'self-praise' }, stranger));

  for (const url of [`/api/v1/reputation/providers/${encodeURIComponent(P)}?at=${AT}`, `/api/v1/reputation/providers/${P}?at=${AT}`]) {
    const res = await app.inject({ url });
    assert.equal(res.statusCode, 200, res.body);
    const score = res.json();
    // R = 2; S = 8 * 0.5^(180/180) = 4; 100 * 3 / 8.
    assert.deepEqual([score.provider, score.positive, score.negative, score.score], [P, 2, 4, 37.5]);
    assert.deepEqual(score.events.map((e: { logIndex: string; contribution: number }) => [e.logIndex, e.contribution]), [['0', 2], ['1', -4]]);
    assert.deepEqual(score.ignored.map((i: { logIndex: string }) => i.logIndex), ['2']);
    assert.deepEqual(score.trustedSigners, [trusted.keyId]);
    assert.equal(score.at, '2025-07-01T00:00:00.000Z');
  }
  const halfLife = (await app.inject({ url: `/api/v1/reputation/providers/${encodeURIComponent(P)}?at=${AT}&halfLifeDays=90` })).json();
  assert.equal(halfLife.negative, 2);
  const keyProvider = `key:${trusted.keyId}`;
  const empty = await app.inject({ url: `/api/v1/reputation/providers/${encodeURIComponent(keyProvider)}` });
  assert.equal(empty.statusCode, 200);
  assert.deepEqual([empty.json().provider, empty.json().score], [keyProvider, 50]);
});

test('refusals: untrusted signer, bad event, wrong payload, auth, bad provider and instant', async (t) => {
  const { app, writeToken, readToken } = await served(t);
  const post = async (payload: string, headers: Record<string, string> = authorization(writeToken)) => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/reputation/events', payload, headers: { ...headers, 'content-type': 'application/json' } });
    return { status: res.statusCode, code: res.json().code as string | undefined };
  };
  const good = body(await signReputationEvent(audit, trusted));
  assert.deepEqual(await post(body(await signReputationEvent(audit, stranger))), { status: 422, code: 'REPUTATION_SIGNER_UNTRUSTED' });
  const tampered = JSON.parse(good) as { payload: string };
  tampered.payload = Buffer.from(statementToBytes(buildStatement({ subjects: [{ name: P, digest: providerSubjectDigest(P) }], predicateType: REPUTATION_EVENT_PREDICATE_TYPE, predicate: { ...audit, result: 'fail' } }))).toString('base64');
  assert.deepEqual(await post(JSON.stringify(tampered)), { status: 422, code: 'REPUTATION_SIGNER_UNTRUSTED' });
  const notAnEvent = buildStatement({ subjects: [{ name: P, digest: providerSubjectDigest(P) }], predicateType: REPUTATION_EVENT_PREDICATE_TYPE, predicate: { ...audit, rating: 5 } });
  assert.deepEqual(await post(body(await signEnvelope(IN_TOTO_PAYLOAD_TYPE, statementToBytes(notAnEvent), [trusted]))), { status: 400, code: 'REPUTATION_EVENT_INVALID' });
  assert.deepEqual(await post(body(await signEnvelope('text/plain', 'hello', [trusted]))), { status: 400, code: 'PAYLOAD_MALFORMED' });
  assert.deepEqual(await post('{"payloadType":1}'), { status: 400, code: 'DSSE_MALFORMED' });
  assert.deepEqual(await post(JSON.stringify({ ...JSON.parse(good), padding: 'x'.repeat(70 * 1024) })), { status: 413, code: 'INPUT_TOO_LARGE' });
  assert.deepEqual(await post(good, {}), { status: 401, code: 'UNAUTHENTICATED' });
  assert.deepEqual(await post(good, authorization(readToken)), { status: 403, code: 'FORBIDDEN' });

  for (const [url, code] of [
    ['/api/v1/reputation/providers/acme', 'REPUTATION_EVENT_INVALID'],
    [`/api/v1/reputation/providers/${encodeURIComponent(P)}?at=2025-07-01`, 'SCHEMA_INVALID'],
    [`/api/v1/reputation/providers/${encodeURIComponent(P)}?halfLifeDays=-1`, 'SCHEMA_INVALID'],
    [`/api/v1/reputation/providers/${encodeURIComponent(P)}?halfLifeDays=0`, 'USAGE'],
    [`/api/v1/reputation/providers/${encodeURIComponent(P)}?other=1`, 'SCHEMA_INVALID'],
  ] as const) {
    const res = await app.inject({ url });
    assert.equal(res.json().code, code, url);
    assert.equal(res.statusCode, 400, url);
  }
});

test('a service with no trusted reputation keys refuses every event', async (t) => {
  const { app, writeToken } = await served(t, []);
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/reputation/events',
    payload: body(await signReputationEvent(audit, trusted)),
    headers: { ...authorization(writeToken), 'content-type': 'application/json' },
  });
  assert.equal(res.statusCode, 422);
  assert.equal(res.json().code, 'REPUTATION_SIGNER_UNTRUSTED');
});

test('the routes are described in the OpenAPI document', async (t) => {
  const { app } = await served(t);
  const doc = (await app.inject({ url: '/openapi.json' })).json();
  assert.ok(doc.paths['/api/v1/reputation/events']?.post, Object.keys(doc.paths ?? {}).join(', '));
  assert.ok(doc.paths['/api/v1/reputation/providers/{path}']?.get);
});
