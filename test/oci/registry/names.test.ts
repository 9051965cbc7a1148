import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProvenantError } from '../../../src/core/errors.js';
import { isLoopbackHost, registryEndpoint, validateRegistryHost, validateRepository, validateTag } from '../../../src/oci/registry/names.js';

const invalid = (e: unknown) => e instanceof ProvenantError && e.code === 'REFERENCE_INVALID';

test('loopback hosts: localhost, 127.0.0.0/8 and ::1, with or without a port', () => {
  for (const host of ['localhost', 'LOCALHOST:5000', '127.0.0.1', '127.255.0.9:443', '[::1]', '[::1]:5000', '[0:0:0:0:0:0:0:1]:1']) {
    assert.equal(isLoopbackHost(host), true, host);
  }
  for (const host of ['localhost.example', '128.0.0.1', '10.0.0.1:5000', '[::2]', 'registry.example', '127.example.com']) {
    assert.equal(isLoopbackHost(host), false, host);
  }
});

test('endpoint: plain HTTP for loopback unless told otherwise, HTTPS elsewhere; Docker Hub is served by registry-1', () => {
  assert.deepEqual(registryEndpoint('127.0.0.1:5000'), { registry: '127.0.0.1:5000', apiHost: '127.0.0.1:5000', origin: 'http://127.0.0.1:5000', plainHttp: true });
  assert.equal(registryEndpoint('127.0.0.1:5000', 'https').origin, 'https://127.0.0.1:5000');
  assert.equal(registryEndpoint('reg.example').origin, 'https://reg.example');
  assert.equal(registryEndpoint('reg.example:8080', 'http').origin, 'http://reg.example:8080');
  assert.equal(registryEndpoint('docker.io').origin, 'https://registry-1.docker.io');
  assert.equal(registryEndpoint('[::1]:5000').origin, 'http://[::1]:5000');
});

test('registry hosts, repositories and tags follow the distribution grammar', () => {
  for (const ok of ['reg.example', 'reg-1.example:5000', 'localhost', '[::1]:5000', '10.1.2.3:65535']) assert.equal(validateRegistryHost(ok), ok);
  for (const bad of ['', 'reg.example/x', 'user@reg.example', 'reg.example:0', 'reg.example:70000', '-reg.example', '[zz]:1', 'reg.example:', 'reg example']) {
    assert.throws(() => validateRegistryHost(bad), invalid, bad);
  }
  for (const ok of ['a', 'library/alpine', 'a/b-c/d__e/f.g', 'x1/y--z']) assert.equal(validateRepository(ok), ok);
  for (const bad of ['', 'A', 'a//b', '/a', 'a/', '../a', 'a/..', 'a?b', 'a%2fb', 'a_', '_a', 'a___b', 'a'.repeat(256)]) {
    assert.throws(() => validateRepository(bad), invalid, bad);
  }
  for (const ok of ['latest', 'v1.2.3', '_x', 'A-b_c.d', 'x'.repeat(128)]) assert.equal(validateTag(ok), ok);
  for (const bad of ['', '.x', '-x', 'a/b', 'a:b', 'sha256:abc', 'x'.repeat(129), 'a b']) assert.throws(() => validateTag(bad), invalid, bad);
});
