import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildEnvironment, MAX_EXTRA_BYTES, MAX_EXTRA_DEPTH } from '../../../src/analyze/environment/index.js';
import { isProvenantError, type ErrorCode } from '../../../src/core/errors.js';
import type { JsonObject, JsonValue } from '../../../src/core/json.js';
import { hostFacts } from './facts.js';

const SALT = Buffer.alloc(32, 3);
const NPM_TOKEN = `npm_${'Hq3ZtY8w'.repeat(4)}Ab1C`;
const SHA = '0123456789abcdef0123456789abcdef01234567';
const ENV = {
  NPM_TOKEN,
  DEPLOY_PASSWORD: 'pa55',
  HOME: '/home/builder',
  BUILD_MODE: 'release',
  RELEASE_CHANNEL: 'stable-channel',
  OPAQUE: 'ab??>>cd~~',
  GITHUB_ACTIONS: 'true',
  GITHUB_SHA: SHA,
};

function build(extra: unknown, allowInClear: string[] = ['BUILD_MODE']) {
  return buildEnvironment(hostFacts(ENV), { salt: SALT, allowInClear, extra: extra as JsonObject });
}

function refused(extra: unknown, code: ErrorCode, details?: Record<string, unknown>): void {
  assert.throws(() => build(extra), (e) => {
    assert.ok(isProvenantError(e, code), `${code}: ${String(e)}`);
    if (details !== undefined) for (const [k, v] of Object.entries(details)) assert.equal(e.details?.[k], v, k);
    const body = JSON.stringify(e.toBody());
    assert.ok(!body.includes(NPM_TOKEN) && !body.includes('/home/builder'), 'the error must not echo the value');
    return true;
  });
}

test('a checked extra object is published as a copy', () => {
  const extra = { runner: { labels: ['linux', 'x64'], cores: 8 }, reproducible: true, channel: 'release' };
  const out = build(extra);
  assert.deepEqual(out.extra, extra);
  assert.notEqual(out.extra, extra);
});

test('extra may repeat what the record discloses anyway: allow-listed values and CI fields', () => {
  const out = build({ commit: SHA, mode: 'release', channel: 'stable-channel' }, ['BUILD_MODE', 'RELEASE_CHANNEL']);
  assert.equal(out.extra?.commit, SHA);
});

test('the value of a variable that is not allow-listed is refused, plain, base64, base64url or hex', () => {
  const bytes = Buffer.from(NPM_TOKEN);
  refused({ npmrc: `//registry.npmjs.org/:_authToken=${NPM_TOKEN}` }, 'BUILD_ENV_SECRET');
  refused({ blob: `prefix ${bytes.toString('base64')}` }, 'BUILD_ENV_SECRET', { variable: 'NPM_TOKEN', encoding: 'base64' });
  refused({ nested: [{ x: bytes.toString('hex').toUpperCase() }] }, 'BUILD_ENV_SECRET', { variable: 'NPM_TOKEN', encoding: 'hex' });
  refused({ [Buffer.from('ab??>>cd~~').toString('base64url')]: 1 }, 'BUILD_ENV_SECRET', { variable: 'OPAQUE', encoding: 'base64url' });
  refused({ workdir: '/home/builder/src' }, 'BUILD_ENV_SECRET', { variable: 'HOME', encoding: 'plain' });
  refused({ note: 'the deploy password is pa55' }, 'BUILD_ENV_SECRET', { variable: 'DEPLOY_PASSWORD' });
  refused({ channel: 'stable-channel' }, 'BUILD_ENV_SECRET', { variable: 'RELEASE_CHANNEL' });
});

test('credential-shaped strings are refused even when no variable holds them', () => {
  refused({ token: `ghp_${'r4Nd0m'.repeat(6)}` }, 'BUILD_ENV_SECRET', { reason: 'credential-shaped' });
  refused({ mirror: 'https://bot:hunter22@mirror.example.com/' }, 'BUILD_ENV_SECRET', { reason: 'credential-shaped' });
  refused({ cmd: 'make API_KEY=zzz' }, 'BUILD_ENV_SECRET', { reason: 'credential-shaped' });
});

test('extra must be a bounded object', () => {
  for (const notObject of [[], 'x', null, 42]) refused(notObject, 'SCHEMA_INVALID');
  let deep: JsonValue = 'leaf';
  for (let i = 0; i < MAX_EXTRA_DEPTH; i++) deep = { d: deep };
  assert.ok(build(deep).extra);
  refused({ d: deep }, 'JSON_TOO_DEEP');
  refused({ big: 'a'.repeat(MAX_EXTRA_BYTES) }, 'INPUT_TOO_LARGE');
  refused({ bad: '\uD800' }, 'JSON_MALFORMED');
});
