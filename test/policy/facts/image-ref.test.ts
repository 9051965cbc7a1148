import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256Digest } from '../../../src/core/digest.js';
import { isProvenantError, type ErrorCode } from '../../../src/core/errors.js';
import { imageRefOf } from '../../../src/policy/facts/image-ref.js';

const DIGEST = sha256Digest('manifest');
const code = (c: ErrorCode) => (e: unknown) => isProvenantError(e, c);

test('references are normalised as Docker does: Docker Hub names, tags, digests, registries with ports', () => {
  assert.deepEqual(imageRefOf('nginx', DIGEST), { reference: 'nginx', registry: 'docker.io', repository: 'library/nginx', tag: 'latest', digest: DIGEST });
  assert.deepEqual(imageRefOf('index.docker.io/acme/app:1.0', DIGEST), {
    reference: 'index.docker.io/acme/app:1.0',
    registry: 'docker.io',
    repository: 'acme/app',
    tag: '1.0',
    digest: DIGEST,
  });
  assert.deepEqual(imageRefOf(`localhost:5000/team/app@${DIGEST}`, DIGEST), {
    reference: `localhost:5000/team/app@${DIGEST}`,
    registry: 'localhost:5000',
    repository: 'team/app',
    digest: DIGEST,
  });
});

test('a reference pinning another digest, a malformed digest and a malformed reference are refused', () => {
  assert.throws(() => imageRefOf(`ghcr.io/acme/app@${sha256Digest('other')}`, DIGEST), code('USAGE'));
  assert.throws(() => imageRefOf('ghcr.io/acme/app:1', 'sha256:abc'), code('DIGEST_MALFORMED'));
  assert.throws(() => imageRefOf('ghcr.io/Acme/App:1', DIGEST), code('REFERENCE_INVALID'));
});
