import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProvenantError, type ErrorCode } from '../../../src/core/errors.js';
import { dockerConfigCredentials, loadDockerConfig, lookupAuth, normalizeKey, parseDockerConfig } from '../../../src/oci/registry/docker-config.js';

const isCode = (code: ErrorCode) => (e: unknown) => e instanceof ProvenantError && e.code === code;
const b64 = (s: string) => Buffer.from(s).toString('base64');
const basic = (username: string, password: string) => ({ kind: 'credentials', credentials: { kind: 'basic', username, password } });

const CONFIG = {
  auths: {
    'https://index.docker.io/v1/': { auth: b64('hubuser:hub:pass') },
    'http://reg.example:5000/v2/': { username: 'porter', password: 'p5000' },
    'REG.example': { auth: b64('plain:pw') },
    'quay.io': { auth: b64('quay:top') },
    'quay.io/team': { auth: b64('quay:team') },
    'quay.io/team/app': { auth: b64('quay:app') },
    'tokens.example': { auth: b64('user:ignored'), identitytoken: 'refresh-abc' },
    'marker.example': {},
  },
};

for (const [registry, repository, expected] of [
  ['docker.io', undefined, basic('hubuser', 'hub:pass')],
  ['index.docker.io', 'library/alpine', basic('hubuser', 'hub:pass')],
  ['registry-1.docker.io', undefined, basic('hubuser', 'hub:pass')],
  ['reg.example:5000', undefined, basic('porter', 'p5000')],
  ['reg.example', undefined, basic('plain', 'pw')],
  ['Reg.Example', undefined, basic('plain', 'pw')],
  ['reg.example:5001', undefined, undefined],
  ['quay.io', 'other/x', basic('quay', 'top')],
  ['quay.io', 'team/other', basic('quay', 'team')],
  ['quay.io', 'team/app', basic('quay', 'app')],
  ['quay.io', 'team/app/sub', basic('quay', 'app')],
  ['quay.io', 'teammate/x', basic('quay', 'top')],
  ['tokens.example', undefined, { kind: 'credentials', credentials: { kind: 'identityToken', token: 'refresh-abc' } }],
  ['marker.example', undefined, undefined],
  ['unknown.example', undefined, undefined],
] as const) {
  test(`auths lookup: ${registry}${repository === undefined ? '' : `/${repository}`}`, () => {
    assert.deepEqual(lookupAuth(parseDockerConfig(JSON.stringify(CONFIG)), registry, repository), expected);
  });
}

test('credHelpers for the registry, else credsStore, take precedence over auths, as in Docker', () => {
  const config = parseDockerConfig(
    JSON.stringify({ auths: { 'gcr.io': { auth: b64('a:b') }, 'other.io': { auth: b64('c:d') } }, credHelpers: { 'gcr.io': 'gcloud', 'https://index.docker.io/v1/': 'hub' }, credsStore: 'desktop' }),
  );
  assert.deepEqual(lookupAuth(config, 'gcr.io'), { kind: 'helper', helper: 'gcloud', serverUrl: 'gcr.io' });
  assert.deepEqual(lookupAuth(config, 'docker.io'), { kind: 'helper', helper: 'hub', serverUrl: 'https://index.docker.io/v1/' });
  assert.deepEqual(lookupAuth(config, 'other.io'), { kind: 'helper', helper: 'desktop', serverUrl: 'other.io' });
  assert.deepEqual(lookupAuth(parseDockerConfig('{"credsStore":""}'), 'x.io'), undefined);
});

test('key normalisation', () => {
  assert.equal(normalizeKey('https://index.docker.io/v1/'), 'docker.io');
  assert.equal(normalizeKey('HTTP://Reg.Example:5000/v2/x'), 'reg.example:5000');
  assert.equal(normalizeKey('Quay.io/Team/'), 'quay.io/Team');
  assert.equal(normalizeKey(' index.docker.io '), 'docker.io');
});

for (const [name, text] of [
  ['not JSON', '{auths:'],
  ['an array', '[]'],
  ['duplicate keys', '{"auths":{},"auths":{}}'],
  ['auths that is a list', '{"auths":[]}'],
  ['an entry that is a string', '{"auths":{"r.io":"x"}}'],
  ['auth that is not base64', '{"auths":{"r.io":{"auth":"%%%"}}}'],
  ['auth without a colon', `{"auths":{"r.io":{"auth":"${b64('nocolon')}"}}}`],
  ['auth with an empty user', `{"auths":{"r.io":{"auth":"${b64(':pw')}"}}}`],
  ['auth that is not UTF-8', `{"auths":{"r.io":{"auth":"${Buffer.from([0xff, 0x3a, 0x41]).toString('base64')}"}}}`],
  ['a numeric username', '{"auths":{"r.io":{"username":1}}}'],
  ['a helper name with a path', '{"credHelpers":{"r.io":"../../bin/sh"}}'],
  ['a helper name that is not a string', '{"credHelpers":{"r.io":true}}'],
  ['a credsStore with a space', '{"credsStore":"a b"}'],
] as const) {
  test(`malformed config (${name}) is DOCKER_CONFIG_INVALID`, () => {
    assert.throws(() => parseDockerConfig(text), isCode('DOCKER_CONFIG_INVALID'));
  });
}

test('config file location: --authfile, REGISTRY_AUTH_FILE, DOCKER_CONFIG, then ~/.docker', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'provenant-dockercfg-'));
  try {
    const write = (path: string, user: string) => {
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, JSON.stringify({ auths: { 'r.io': { auth: b64(`${user}:pw`) } } }));
    };
    const home = join(dir, 'home');
    write(join(home, '.docker', 'config.json'), 'home');
    write(join(dir, 'dc', 'config.json'), 'dockerconfig');
    write(join(dir, 'auth.json'), 'authenv');
    write(join(dir, 'explicit.json'), 'explicit');
    const user = async (sources: Parameters<typeof dockerConfigCredentials>[0]) => {
      const creds = await dockerConfigCredentials(sources)('r.io', 'team/app');
      return creds?.kind === 'basic' ? creds.username : undefined;
    };
    const env = { REGISTRY_AUTH_FILE: join(dir, 'auth.json'), DOCKER_CONFIG: join(dir, 'dc') };
    assert.equal(await user({ homeDir: home, env: {} }), 'home');
    assert.equal(await user({ homeDir: home, env: { DOCKER_CONFIG: env.DOCKER_CONFIG } }), 'dockerconfig');
    assert.equal(await user({ homeDir: home, env }), 'authenv');
    assert.equal(await user({ homeDir: home, env, authFile: join(dir, 'explicit.json') }), 'explicit');
    assert.equal(await loadDockerConfig({ homeDir: join(dir, 'nobody'), env: {} }), undefined);
    assert.equal(await user({ homeDir: join(dir, 'nobody'), env: {} }), undefined);
    await assert.rejects(loadDockerConfig({ authFile: join(dir, 'missing.json') }), isCode('FILE_NOT_FOUND'));
    await assert.rejects(loadDockerConfig({ env: { REGISTRY_AUTH_FILE: join(dir, 'missing.json') } }), isCode('FILE_NOT_FOUND'));
    await assert.rejects(loadDockerConfig({ authFile: dir }), isCode('IO_ERROR'));
    writeFileSync(join(dir, 'big.json'), `{"auths":{},"x":"${'a'.repeat(1024 * 1024)}"}`);
    await assert.rejects(loadDockerConfig({ authFile: join(dir, 'big.json') }), isCode('INPUT_TOO_LARGE'));
    writeFileSync(join(dir, 'bad.json'), '{"auths":{"r.io":{"auth":"!"}}}');
    await assert.rejects(dockerConfigCredentials({ authFile: join(dir, 'bad.json') })('r.io', 'a'), isCode('DOCKER_CONFIG_INVALID'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
