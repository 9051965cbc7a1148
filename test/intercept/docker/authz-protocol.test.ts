// The AuthZReq reader: which requests are container creates (any API version prefix, a query string, the decoded
// path the daemon routes on), the image as Go's encoding/json would read it, and refusal of everything else about
// a create that cannot be read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readAuthzRequest } from '../../../src/intercept/docker/authz-protocol.js';
import { goFoldedName } from '../../../src/intercept/docker/go-json-names.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const req = (uri: string, body?: string, method = 'POST') => ({ RequestMethod: method, RequestUri: uri, ...(body === undefined ? {} : { RequestBody: b64(body) }) });
const IMAGE = JSON.stringify({ Image: 'registry.example.com/acme/app:1.0' });

test('creates are recognised with and without a version prefix and a query string', () => {
  for (const uri of ['/containers/create', '/v1.43/containers/create', '/v1.24/containers/create?name=web&platform=linux', '/v1.2.3/containers/create', '/containers/%63reate']) {
    assert.deepEqual(readAuthzRequest(req(uri, IMAGE)), { kind: 'create', image: 'registry.example.com/acme/app:1.0' }, uri);
  }
});

test('other requests are not gated; a create spelled another way is refused', () => {
  assert.equal(readAuthzRequest(req('/v1.43/containers/json', undefined, 'GET')).kind, 'other');
  assert.equal(readAuthzRequest(req('/v1.43/containers/create', undefined, 'GET')).kind, 'other');
  assert.equal(readAuthzRequest(req('/v1.43/containers/abc/start')).kind, 'other');
  assert.equal(readAuthzRequest(req('/v1.43/images/create?fromImage=x')).kind, 'other');
  for (const uri of ['/v1.43/containers//create', '/v1.43/containers/create/', '/vX/containers/create', '/containers/%ZZcreate', '/CONTAINERS/CREATE']) {
    assert.equal(readAuthzRequest(req(uri, IMAGE)).kind, 'refuse', uri);
  }
});

test('a create whose body is missing, empty, not base64, not JSON, not an object, over the limit or without an image is refused', () => {
  assert.equal(readAuthzRequest(req('/containers/create')).kind, 'refuse');
  assert.equal(readAuthzRequest({ ...req('/containers/create'), RequestBody: '' }).kind, 'refuse');
  assert.equal(readAuthzRequest({ ...req('/containers/create'), RequestBody: '!!not base64!!' }).kind, 'refuse');
  assert.equal(readAuthzRequest({ ...req('/containers/create'), RequestBody: 42 }).kind, 'refuse');
  for (const body of ['{"Image":', '"registry.example.com/acme/app:1.0"', '[]', 'null', '{}', '{"Image":""}', '{"Image":7}', '{"Image":"a","Image":"b"}']) {
    assert.equal(readAuthzRequest(req('/containers/create', body)).kind, 'refuse', body);
  }
  const big = JSON.stringify({ Image: 'a', Env: ['x'.repeat(2048)] });
  assert.equal(readAuthzRequest(req('/containers/create', big), 1024).kind, 'refuse');
  assert.equal(readAuthzRequest(req('/containers/create', big), 4096).kind, 'create');
  assert.equal(readAuthzRequest(null).kind, 'refuse');
  assert.equal(readAuthzRequest({ RequestMethod: 'POST' }).kind, 'refuse');
});

test('the image is read as the daemon reads it: keys match case-insensitively, and two such keys are refused', () => {
  assert.deepEqual(readAuthzRequest(req('/containers/create', '{"image":"x/y:1"}')), { kind: 'create', image: 'x/y:1' });
  assert.deepEqual(readAuthzRequest(req('/containers/create', '{"\u0130mage":"x/y:1"}')), { kind: 'create', image: 'x/y:1' });
  for (const body of ['{"Image":"signed:1","image":"other:1"}', '{"Image":"signed:1","IMAGE":"other:1"}', '{"Image":"signed:1","\u0131mage":"other:1"}']) {
    assert.equal(readAuthzRequest(req('/containers/create', body)).kind, 'refuse', body);
  }
});

test('Go key folding: ASCII upper-cased, the four runes that fold into ASCII mapped, others kept', () => {
  assert.equal(goFoldedName('Image'), 'IMAGE');
  assert.equal(goFoldedName('\u0130MAGE'), 'IMAGE');
  assert.equal(goFoldedName('\u017ftop\u212aey'), 'STOPKEY');
  assert.notEqual(goFoldedName('Ima\u0261e'), 'IMAGE');
});
