import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isProvenantError } from '../../src/core/errors.js';
import { compileImageGlob, MAX_GLOB_LENGTH } from '../../src/policy/image-glob.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

function images(pattern: string, cases: Record<string, boolean>): void {
  const glob = compileImageGlob(pattern);
  for (const [reference, expected] of Object.entries(cases)) assert.equal(glob.matchesImage(reference), expected, `${pattern} vs ${reference}`);
}

test('"*" stays within one path component and "**" crosses them, against the repository and the full reference', () => {
  images('registry.example.com/team/*', {
    'registry.example.com/team/app': true,
    'registry.example.com/team/app:1.0': true,
    [`registry.example.com/team/app@${DIGEST}`]: true,
    'registry.example.com/team/sub/app': false,
    'registry.example.com/other/app': false,
  });
  images('ghcr.io/acme/**', { 'ghcr.io/acme/app': true, 'ghcr.io/acme/a/b/c:2': true, 'ghcr.io/acmeco/app': false, 'ghcr.io/acme': false });
  images('**', { nginx: true, 'localhost:5000/x': true });
});

test('globs and references are compared in Docker normal form', () => {
  images('nginx', { nginx: true, 'nginx:1.27': true, 'docker.io/library/nginx': true, 'index.docker.io/library/nginx:1': true, 'acme/nginx': false });
  images('index.docker.io/library/nginx', { nginx: true });
  images('acme/app', { 'acme/app:2': true, 'docker.io/acme/app': true, 'ghcr.io/acme/app': false });
  images('localhost:5000/app', { 'localhost:5000/app:1': true, app: false });
  // A wildcard after the name of an official image still names Docker Hub.
  images('nginx:1.*', { 'nginx:1.27': true, 'nginx:2.0': false });
  images('nginx*', { 'nginx-unprivileged': true, 'acme/nginx': false });
});

test('"*" and "*/*" are Docker Hub globs, as policy-controller reads them', () => {
  images('*', { nginx: true, 'busybox:1.36': true, 'acme/app': false, 'ghcr.io/acme/app': false });
  images('*/*', { 'acme/app': true, nginx: true, 'ghcr.io/acme/app': false });
});

test('glob text is literal apart from the wildcards', () => {
  images('registry.example.com/a', { 'registryxexample.com/a': false, 'registry.example.com/a': true });
  const source = compileImageGlob('git+https://github.com/acme/**');
  assert.equal(source.matchesText('git+https://github.com/acme/app@refs/heads/main'), true);
  assert.equal(source.matchesText('git+https://github.com/acmeevil/app'), false);
  assert.equal(source.matchesText('xgit+https://github.com/acme/app'), false);
  // Text is matched as written: no Docker normalisation.
  assert.equal(compileImageGlob('nginx').matchesText('nginx'), true);
  assert.equal(compileImageGlob('nginx').matchesText('docker.io/library/nginx'), false);
});

test('a reference that does not parse matches nothing', () => {
  assert.equal(compileImageGlob('**').matchesImage('UPPER/Case'), false);
  assert.equal(compileImageGlob('**').matchesImage(''), false);
});

test('refuses empty, over-long, odd-character and "***" globs', () => {
  for (const bad of ['', 'x'.repeat(MAX_GLOB_LENGTH + 1), 'a b', 'app?', 'app[0-9]', 'a/***']) {
    assert.throws(
      () => compileImageGlob(bad),
      (e) => isProvenantError(e, 'POLICY_INVALID') && e.details?.['glob'] === bad,
      JSON.stringify(bad),
    );
  }
  assert.doesNotThrow(() => compileImageGlob('x'.repeat(MAX_GLOB_LENGTH)));
});
