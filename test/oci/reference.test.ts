import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ProvenantError } from '../../src/core/errors.js';
import { isValidTag, parseImageReference, registryApiHost, withDigest, withTag } from '../../src/oci/reference.js';

const HEX = 'dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c';
const D = `sha256:${HEX}` as const;

interface Vector {
  input: string;
  registry: string;
  repository: string;
  tag: string | null;
  digest: string | null;
  string: string;
  familiar: string;
}
const vectors = JSON.parse(readFileSync(new URL('../fixtures/oci/reference-vectors.json', import.meta.url), 'utf8')) as {
  valid: Vector[];
  invalid: string[];
};

test('references normalise as Docker does (distribution/reference tables)', () => {
  assert.ok(vectors.valid.length > 30);
  for (const v of vectors.valid) {
    const ref = parseImageReference(v.input);
    assert.deepEqual(
      [ref.registry, ref.repository, ref.tag ?? null, ref.digest ?? null, ref.toString(), ref.familiar(), ref.name],
      [v.registry, v.repository, v.tag, v.digest, v.string, v.familiar, `${v.registry}/${v.repository}`],
      v.input,
    );
  }
});

test('the digest is what is fetched; the tag is kept for display', () => {
  const ref = parseImageReference(`ghcr.io/org/app:1.0@${D}`);
  assert.equal(ref.identifier, D);
  assert.equal(ref.tag, '1.0');
  assert.equal(parseImageReference('ghcr.io/org/app:1.0').identifier, '1.0');
  assert.equal(parseImageReference('ghcr.io/org/app').identifier, 'latest');
});

test('length limits: tag up to 128 characters, repository path up to 255', () => {
  assert.equal(parseImageReference(`app:${'t'.repeat(128)}`).tag, 't'.repeat(128));
  assert.equal(parseImageReference(`example.com/${'a'.repeat(255)}:tag`).repository, 'a'.repeat(255));
  // distribution/reference: the limit counts the path, not the registry host.
  assert.equal(parseImageReference(`${'a/'.repeat(127)}a:tag-puts-this-over-max`).repository.length, 255);
  for (const input of [`app:${'t'.repeat(129)}`, `example.com/${'a'.repeat(256)}`, `${'a'.repeat(250)}:x`]) {
    assert.throws(() => parseImageReference(input), { code: 'REFERENCE_INVALID' }, input.slice(0, 40));
  }
});

test('malformed references are REFERENCE_INVALID', () => {
  assert.ok(vectors.invalid.length > 30);
  for (const input of vectors.invalid) {
    assert.throws(() => parseImageReference(input), (e: unknown) => e instanceof ProvenantError && e.code === 'REFERENCE_INVALID', input);
  }
});

test('hostile input is refused quickly', () => {
  const start = process.hrtime.bigint();
  for (const input of ['a'.repeat(2047) + '!', `${'a-'.repeat(1000)}!`, `${'a.'.repeat(1000)}a-:1/x`, 'x'.repeat(100_000)]) {
    assert.throws(() => parseImageReference(input), { code: 'REFERENCE_INVALID' });
  }
  assert.ok(process.hrtime.bigint() - start < 500_000_000n);
});

test('Docker Hub is served from registry-1.docker.io', () => {
  assert.equal(parseImageReference('nginx').apiHost, 'registry-1.docker.io');
  assert.equal(registryApiHost('index.docker.io'), 'registry-1.docker.io');
  assert.equal(parseImageReference('localhost:5000/app').apiHost, 'localhost:5000');
});

test('withDigest keeps the tag; withTag drops the digest; both validate', () => {
  const base = parseImageReference('ghcr.io/org/app:1.0');
  assert.equal(withDigest(base, D).toString(), `ghcr.io/org/app:1.0@${D}`);
  assert.equal(withTag(withDigest(base, D), `sha256-${HEX}.sig`).toString(), `ghcr.io/org/app:sha256-${HEX}.sig`);
  assert.throws(() => withTag(base, 'bad tag'), { code: 'REFERENCE_INVALID' });
  assert.throws(() => withDigest(base, 'sha256:abc' as typeof D), { code: 'REFERENCE_INVALID' });
  assert.equal(isValidTag('v1.0_rc-1'), true);
  assert.equal(isValidTag('-x'), false);
});
