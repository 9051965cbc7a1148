import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJsonBytes, type JsonObject } from '../../../src/core/json.js';
import { describeEntry, ENTRY_API_VERSION, prepareEntry } from '../../../src/log/entries/index.js';
import { ecdsa, rejectsCode, signatureProposal } from './entry-fixtures.js';

test('an unknown kind or apiVersion is ENTRY_KIND_UNKNOWN', async () => {
  const proposal = await signatureProposal(ecdsa);
  await rejectsCode(prepareEntry({ ...proposal, kind: 'rekord' }), 'ENTRY_KIND_UNKNOWN');
  await rejectsCode(prepareEntry({ ...proposal, kind: 'toString' }), 'ENTRY_KIND_UNKNOWN');
  await rejectsCode(prepareEntry({ ...proposal, apiVersion: 'provenant.dev/v2' }), 'ENTRY_KIND_UNKNOWN');
  const noVersion: JsonObject = { ...proposal };
  delete noVersion.apiVersion;
  await rejectsCode(prepareEntry(noVersion), 'ENTRY_KIND_UNKNOWN');
  assert.throws(() => describeEntry(canonicalJsonBytes({ ...proposal, kind: 'rekord' })), { code: 'ENTRY_KIND_UNKNOWN' });
});

test('a proposal of the wrong shape is ENTRY_MALFORMED', async () => {
  const proposal = await signatureProposal(ecdsa);
  for (const bad of [null, 'text', [proposal], { ...proposal, extra: 1 }, { ...proposal, spec: 'x' }, { apiVersion: ENTRY_API_VERSION, kind: 'signature' }] as unknown[]) {
    await rejectsCode(prepareEntry(bad), 'ENTRY_MALFORMED');
  }
});

test('stored bytes that are not JSON, repeat a key or are too deep are ENTRY_MALFORMED', () => {
  for (const text of ['not json', '{"apiVersion":"provenant.dev/v1","apiVersion":"x"}', '['.repeat(40) + ']'.repeat(40)]) {
    assert.throws(() => describeEntry(Buffer.from(text)), { code: 'ENTRY_MALFORMED' });
  }
});

test('a proposal whose spec is an array is ENTRY_MALFORMED, not a crash', async () => {
  const proposal = (await signatureProposal(ecdsa)) as JsonObject;
  await rejectsCode(prepareEntry({ ...proposal, spec: [] }), 'ENTRY_MALFORMED');
});
