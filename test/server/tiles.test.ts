// The C2SP tlog-tiles read API: paths, media types, cache policy, and tiles whose hashes rebuild the signed root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyCheckpointNote } from '../../src/formats/checkpoint.js';
import { parseVerifierKey } from '../../src/formats/signed-note.js';
import { decodeEntryBundle, decodeHashTile } from '../../src/formats/tlog-tiles.js';
import { leafHash, nodeHash } from '../../src/merkle/index.js';
import { ORIGIN, servedLog, signatureProposal } from './server-fixture.js';

const IMMUTABLE = 'public, max-age=31536000, immutable';

function subtreeRoot(hashes: readonly Buffer[]): Buffer {
  let level = [...hashes];
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(nodeHash(level[i]!, level[i + 1]!));
    level = next;
  }
  return level[0]!;
}

test('checkpoint, hash tiles and entry bundles are served as tlog-tiles lays them out', async (t) => {
  const { app, log } = await servedLog(t);
  const proposals = await Promise.all(Array.from({ length: 257 }, (_, n) => signatureProposal(n)));
  await Promise.all(proposals.map((p) => log.append(p)));
  const info = await log.info();
  assert.equal(info.size, 257n);

  const checkpoint = await app.inject({ url: '/log/checkpoint' });
  assert.equal(checkpoint.statusCode, 200);
  assert.equal(checkpoint.headers['content-type'], 'text/plain; charset=utf-8');
  assert.notEqual(checkpoint.headers['cache-control'], IMMUTABLE);
  assert.equal(checkpoint.body, info.checkpoint);
  const head = verifyCheckpointNote(checkpoint.body, parseVerifierKey(info.verifierKey), ORIGIN);

  const full = await app.inject({ url: '/log/tile/0/000' });
  assert.equal(full.statusCode, 200);
  assert.equal(full.headers['content-type'], 'application/octet-stream');
  assert.equal(full.headers['cache-control'], IMMUTABLE);
  const level0 = decodeHashTile(full.rawPayload, 256);

  const partial = await app.inject({ url: '/log/tile/0/001.p/1' });
  assert.equal(partial.statusCode, 200);
  assert.equal(partial.headers['content-type'], 'application/octet-stream');
  assert.equal(partial.headers['cache-control'], 'no-cache');
  const [last] = decodeHashTile(partial.rawPayload, 1);

  const upper = await app.inject({ url: '/log/tile/1/000.p/1' });
  assert.equal(upper.statusCode, 200);
  const [firstSubtree] = decodeHashTile(upper.rawPayload, 1);
  assert.deepEqual(firstSubtree, subtreeRoot(level0));
  // RFC 6962: the tree of 257 leaves is the 256-leaf subtree joined with the last leaf.
  assert.deepEqual(nodeHash(firstSubtree!, last!), head.rootHash);

  const bundle = await app.inject({ url: '/log/tile/entries/000' });
  assert.equal(bundle.statusCode, 200);
  assert.equal(bundle.headers['content-type'], 'application/octet-stream');
  assert.equal(bundle.headers['cache-control'], IMMUTABLE);
  const entries = decodeEntryBundle(bundle.rawPayload, 256);
  entries.forEach((entry, i) => assert.deepEqual(leafHash(entry), level0[i], `entry ${i}`));
  const lastBundle = await app.inject({ url: '/log/tile/entries/001.p/1' });
  assert.equal(lastBundle.headers['cache-control'], 'no-cache');
  assert.deepEqual(leafHash(decodeEntryBundle(lastBundle.rawPayload, 1)[0]!), last);

  for (const url of ['/log/tile/0/002', '/log/tile/0/000.p/5', '/log/tile/0/x001/000', '/log/tile/entries/001', '/log/tile/2/000.p/1']) {
    const res = await app.inject({ url });
    assert.equal(res.statusCode, 404, url);
    assert.equal(res.json().code, 'TILE_NOT_FOUND', url);
  }
  for (const url of ['/log/tile/0/1', '/log/tile/64/000', '/log/tile/0/000.p/256', '/log/tile/0/000.p/0', '/log/tile/00/000', '/log/tile/0/x000/001', '/log/tile/entries']) {
    const res = await app.inject({ url });
    assert.equal(res.statusCode, 400, url);
    assert.equal(res.json().code, 'TILE_PATH_INVALID', url);
  }
});
