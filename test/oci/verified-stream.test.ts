import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sha256Digest } from '../../src/core/digest.js';
import { readVerified, verifiedStream } from '../../src/oci/verified-stream.js';

const DATA = Buffer.from('layer bytes '.repeat(1000));
const DESC = { digest: sha256Digest(DATA), size: DATA.length };

async function run(chunks: Buffer[], desc = DESC): Promise<Buffer> {
  const out: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      out.push(chunk);
      callback();
    },
  });
  await pipeline(Readable.from(chunks), verifiedStream(desc), sink);
  return Buffer.concat(out);
}

const split = (b: Buffer, n: number) => Array.from({ length: Math.ceil(b.length / n) }, (_, i) => b.subarray(i * n, (i + 1) * n));

test('bytes pass through unchanged when they match the descriptor', async () => {
  assert.deepEqual(await run(split(DATA, 7)), DATA);
  assert.deepEqual(await run([], { digest: sha256Digest(''), size: 0 }), Buffer.alloc(0));
});

test('altered content fails with DIGEST_MISMATCH at the end', async () => {
  const altered = Buffer.from(DATA);
  altered[100] ^= 1;
  await assert.rejects(run(split(altered, 1000)), { code: 'DIGEST_MISMATCH' });
});

test('short content fails with ARCHIVE_TRUNCATED, long content with INPUT_TOO_LARGE before passing the excess', async () => {
  await assert.rejects(run([DATA.subarray(0, DATA.length - 1)]), { code: 'ARCHIVE_TRUNCATED' });
  const seen: Buffer[] = [];
  const stream = verifiedStream({ ...DESC, size: 10 });
  stream.on('data', (c: Buffer) => seen.push(c));
  await assert.rejects(pipeline(Readable.from([DATA.subarray(0, 6), DATA.subarray(6, 12)]), stream), { code: 'INPUT_TOO_LARGE' });
  assert.equal(Buffer.concat(seen).length, 6);
});

test('a malformed descriptor is refused before any byte flows', () => {
  assert.throws(() => verifiedStream({ digest: 'sha256:../x' as typeof DESC.digest, size: 1 }), { code: 'DIGEST_MALFORMED' });
  assert.throws(() => verifiedStream({ ...DESC, size: -1 }), { code: 'INTERNAL' });
  assert.throws(() => verifiedStream({ ...DESC, size: Number.NaN }), { code: 'INTERNAL' });
});

test('readVerified enforces its limit up front and propagates source errors', async () => {
  assert.deepEqual(await readVerified(Readable.from(split(DATA, 100)), DESC, DATA.length), DATA);
  let pulled = false;
  const lazy = new Readable({ read() { pulled = true; this.push(null); } });
  await assert.rejects(readVerified(lazy, DESC, DATA.length - 1), { code: 'INPUT_TOO_LARGE' });
  assert.equal(pulled, false);
  const boom = new Error('disk failure');
  const failing = new Readable({ read() { this.destroy(boom); } });
  await assert.rejects(readVerified(failing, DESC, DATA.length), (e: unknown) => e === boom);
  await assert.rejects(readVerified(Readable.from([Buffer.from('x')]), DESC, DATA.length), { code: 'ARCHIVE_TRUNCATED' });
});
