// The JSON API over a real socket: appends, entries, proofs and search, each answer verified as a client would
// (checkpoint signatures with the log's verifier key, proofs with src/merkle, leaf hashes from the entry bytes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256Digest } from '../../src/core/digest.js';
import { verifyCheckpointNote } from '../../src/formats/checkpoint.js';
import { parseVerifierKey } from '../../src/formats/signed-note.js';
import { leafHash, verifyConsistency, verifyInclusion } from '../../src/merkle/index.js';
import { call, postJson } from './http-client.js';
import { attestationProposal, authorization, imageDigest, ORIGIN, servedLog, signatureProposal, TEST_PREDICATE_TYPE } from './server-fixture.js';

const hex = (values: unknown): Buffer[] => (values as string[]).map((h) => Buffer.from(h, 'hex'));

test('append, read, prove and search over HTTP; every answer verifies', async (t) => {
  const served = await servedLog(t);
  await served.app.listen({ host: '127.0.0.1', port: 0 });
  const address = served.app.server.address();
  assert.ok(typeof address === 'object' && address !== null);
  const base = `http://127.0.0.1:${address.port}`;
  const write = authorization(served.writeToken);

  const head0 = await call(`${base}/api/v1/log`);
  assert.equal(head0.status, 200);
  const info0 = head0.json();
  assert.equal(info0.origin, ORIGIN);
  assert.equal(info0.size, '0');
  const verifier = parseVerifierKey(String(info0.verifierKey));

  const appended: Record<string, unknown>[] = [];
  const proposals = await Promise.all([0, 1, 2, 3, 4].map((n) => signatureProposal(n)));
  for (const proposal of proposals) {
    const res = await postJson(`${base}/api/v1/log/entries`, proposal, write);
    assert.equal(res.status, 201, res.body.toString());
    appended.push(res.json());
  }
  const attestation = await postJson(`${base}/api/v1/log/entries`, await attestationProposal(7), write);
  assert.equal(attestation.status, 201);
  appended.push(attestation.json());
  assert.deepEqual(appended.map((a) => a.index), ['0', '1', '2', '3', '4', '5']);
  assert.ok(appended.every((a) => a.duplicate === false));

  const again = await postJson(`${base}/api/v1/log/entries`, proposals[2], write);
  assert.equal(again.status, 200);
  assert.equal(again.json().duplicate, true);
  assert.equal(again.json().index, '2');

  const info = (await call(`${base}/api/v1/log`)).json();
  assert.equal(info.size, '6');
  const head = verifyCheckpointNote(String(info.checkpoint), verifier, ORIGIN);
  assert.equal(head.size, 6n);
  assert.equal(head.rootHash.toString('hex'), info.rootHash);

  for (const a of appended) {
    const byIndex = await call(`${base}/api/v1/log/entries/${String(a.index)}`);
    assert.equal(byIndex.status, 200);
    const view = byIndex.json();
    const bytes = Buffer.from(String(view.entryBytes), 'base64');
    assert.equal(leafHash(bytes).toString('hex'), a.leafHash);
    assert.equal(view.leafHash, a.leafHash);
    assert.equal(sha256Digest(bytes), a.entryDigest);
    assert.deepEqual(view.entry, JSON.parse(bytes.toString('utf8')));
    assert.ok(!Number.isNaN(Date.parse(String(view.integratedAt))));
    const byHash = (await call(`${base}/api/v1/log/entries?leafHash=${String(a.leafHash)}`)).json();
    assert.equal(byHash.index, a.index);

    // The checkpoint handed back with the append contains the entry.
    const appendHead = verifyCheckpointNote(String(a.checkpoint), verifier, ORIGIN);
    const proof = (await call(`${base}/api/v1/log/proof/inclusion?index=${String(a.index)}&size=${appendHead.size}`)).json();
    assert.equal(proof.size, appendHead.size.toString());
    verifyInclusion(bytesOf(a.leafHash), BigInt(String(a.index)), appendHead.size, hex(proof.hashes), appendHead.rootHash);
    const latest = (await call(`${base}/api/v1/log/proof/inclusion?index=${String(a.index)}`)).json();
    assert.equal(latest.size, '6');
    verifyInclusion(bytesOf(a.leafHash), BigInt(String(a.index)), 6n, hex(latest.hashes), head.rootHash);
  }

  const proof3 = (await call(`${base}/api/v1/log/proof/inclusion?index=1&size=3`)).json();
  const head3 = verifyCheckpointNote(String(proof3.checkpoint), verifier, ORIGIN);
  assert.equal(head3.size, 3n);
  const consistency = (await call(`${base}/api/v1/log/proof/consistency?from=3&to=6`)).json();
  assert.deepEqual([consistency.from, consistency.to], ['3', '6']);
  verifyConsistency(3n, 6n, hex(consistency.hashes), head3.rootHash, head.rootHash);

  const bySubject = (await call(`${base}/api/v1/search?subject=${imageDigest(3)}`)).json();
  assert.deepEqual(bySubject.indices, ['3']);
  // Every entry is indexed by its own entry digest.
  for (const a of appended) assert.deepEqual((await call(`${base}/api/v1/search?entry=${String(a.entryDigest)}`)).json().indices, [a.index]);
  assert.deepEqual((await call(`${base}/api/v1/search?entry=${String(appended[5]?.entryDigest)}&kind=signature`)).json().indices, []);
  const badEntry = await call(`${base}/api/v1/search?entry=sha256:nothex`);
  assert.equal(badEntry.status, 400);
  assert.equal(badEntry.json().code, 'SCHEMA_INVALID');
  const byType = (await call(`${base}/api/v1/search?predicateType=${encodeURIComponent(TEST_PREDICATE_TYPE)}`)).json();
  assert.deepEqual(byType.indices, ['5']);
  const paged = (await call(`${base}/api/v1/search?kind=signature&limit=2`)).json();
  assert.deepEqual(paged.indices, ['0', '1']);
  const rest = (await call(`${base}/api/v1/search?kind=signature&limit=10&after=${String(paged.next)}`)).json();
  assert.deepEqual(rest.indices, ['2', '3', '4']);
  assert.equal(rest.next, undefined);

  const stored = (await call(`${base}/api/v1/log/entries/5`)).json();
  const envelopeDigest = String((stored.entry as { spec: { envelopeDigest: string } }).spec.envelopeDigest);
  const blob = await call(`${base}/api/v1/blobs/${envelopeDigest}`);
  assert.equal(blob.status, 200);
  assert.equal(sha256Digest(blob.body), envelopeDigest);
  assert.match(String(blob.headers['content-type']), /json/);
  assert.equal(blob.headers['x-content-type-options'], 'nosniff');
  const missing = await call(`${base}/api/v1/blobs/${sha256Digest('nothing')}`);
  assert.equal(missing.status, 404);
  assert.equal(missing.json().code, 'BLOB_NOT_FOUND');
});

test('reads of what the log does not have answer with the log codes', async (t) => {
  const { app, writeToken } = await servedLog(t);
  await app.inject({ method: 'POST', url: '/api/v1/log/entries', headers: authorization(writeToken), payload: await signatureProposal(1) });
  const cases: [string, string, number][] = [
    ['/api/v1/log/entries/1', 'LOG_ENTRY_NOT_FOUND', 404],
    [`/api/v1/log/entries?leafHash=${'0'.repeat(64)}`, 'LOG_ENTRY_NOT_FOUND', 404],
    ['/api/v1/log/proof/inclusion?index=0&size=5', 'LOG_SIZE_UNKNOWN', 404],
    ['/api/v1/log/proof/consistency?from=1&to=9', 'LOG_SIZE_UNKNOWN', 404],
  ];
  for (const [url, code, status] of cases) {
    const res = await app.inject({ url });
    assert.equal(res.json().code, code, url);
    assert.equal(res.statusCode, status, url);
  }
});

function bytesOf(hexText: unknown): Buffer {
  return Buffer.from(String(hexText), 'hex');
}
