import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { ProvenantError } from '../../src/core/errors.js';
import { createToken, isTokenText, listTokens, revokeToken, TokenStore } from '../../src/server/tokens.js';

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'provenant-tokens-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('createToken returns a pvt_ token once and stores only its SHA-256, in a 0600 file', async (t) => {
  const file = join(await tempDir(t), 'tokens.json');
  const token = await createToken(file, 'ci', ['write']);
  assert.match(token, /^pvt_[A-Za-z0-9_-]{43}$/);
  assert.equal(Buffer.from(token.slice(4), 'base64url').length, 32);
  assert.ok(isTokenText(token));
  const text = await readFile(file, 'utf8');
  assert.ok(!text.includes(token.slice(4)), 'the token text is not in the file');
  assert.ok(text.includes(createHash('sha256').update(token).digest('hex')));
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  const [record] = await listTokens(file);
  assert.equal(record?.name, 'ci');
  assert.deepEqual(record?.scopes, ['write']);
  assert.ok(!Number.isNaN(Date.parse(record?.created ?? '')));
});

test('lookup finds the token by hash and refuses near misses', async (t) => {
  const file = join(await tempDir(t), 'tokens.json');
  const writer = await createToken(file, 'writer', ['write']);
  const reader = await createToken(file, 'reader', ['read']);
  const store = await TokenStore.open(file);
  assert.equal((await store.lookup(writer))?.name, 'writer');
  assert.deepEqual((await store.lookup(reader))?.scopes, ['read']);
  const flipped = writer.slice(0, -1) + (writer.endsWith('A') ? 'B' : 'A');
  assert.equal(await store.lookup(flipped), null);
  assert.equal(await store.lookup(writer.slice(4)), null);
  assert.equal(await store.lookup(''), null);
});

test('a token created while the server runs works without reopening; a revoked one stops working', async (t) => {
  const file = join(await tempDir(t), 'tokens.json');
  const store = await TokenStore.open(file);
  const first = await createToken(file, 'first', ['read', 'write']);
  assert.equal((await store.lookup(first))?.name, 'first');
  const second = await createToken(file, 'second', ['read']);
  assert.equal((await store.lookup(second))?.name, 'second');
  assert.equal(await revokeToken(file, 'first'), true);
  assert.equal(await store.lookup(first), null);
  assert.equal(await revokeToken(file, 'first'), false);
});

test('a malformed token file fails on open; turning malformed later keeps the tokens read before', async (t) => {
  const dir = await tempDir(t);
  const bad = join(dir, 'bad.json');
  await writeFile(bad, '{"version":1,"tokens":[{"name":"x","name":"y"}]}');
  await assert.rejects(TokenStore.open(bad), (e: unknown) => e instanceof ProvenantError && e.code === 'JSON_DUPLICATE_KEY');
  await writeFile(bad, JSON.stringify({ version: 1, tokens: [{ name: 'x', sha256: 'zz', scopes: ['read'], created: '2024-01-01T00:00:00Z' }] }));
  await assert.rejects(TokenStore.open(bad), (e: unknown) => e instanceof ProvenantError && e.code === 'TOKEN_FILE_INVALID');

  const file = join(dir, 'tokens.json');
  const token = await createToken(file, 'kept', ['write']);
  const reported: string[] = [];
  const store = await TokenStore.open(file, { onReloadError: (e) => reported.push(e.code) });
  await writeFile(file, '{"version": 1, "tokens": [');
  assert.equal((await store.lookup(token))?.name, 'kept');
  assert.equal((await store.lookup(token))?.name, 'kept');
  assert.deepEqual(reported, ['JSON_MALFORMED']);
});

test('createToken refuses bad names, repeated names and empty scopes', async (t) => {
  const file = join(await tempDir(t), 'tokens.json');
  await createToken(file, 'ci', ['write']);
  for (const [name, scopes] of [['ci', ['read']], ['', ['read']], ['a b', ['read']], ['ok', []], ['ok', ['admin']]] as const) {
    await assert.rejects(createToken(file, name, scopes as never), (e: unknown) => e instanceof ProvenantError && e.code === 'USAGE');
  }
  assert.equal((await listTokens(file)).length, 1);
});

test('an empty store knows no token', async () => {
  const store = TokenStore.empty();
  assert.equal(await store.lookup(`pvt_${'A'.repeat(43)}`), null);
});
