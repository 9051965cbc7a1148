import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { buildEnvironment, REDACTED, type BuildEnvironmentOptions, type VariableRecord } from '../../../src/analyze/environment/index.js';
import { isProvenantError } from '../../../src/core/errors.js';
import { canonicalJson } from '../../../src/core/json.js';
import { hostFacts, ran } from './facts.js';
import { GCC, JAVA } from './version-samples.js';

const SALT = Buffer.alloc(32, 0x5a);
const GITHUB_TOKEN = `ghs_${'Q7wE9rT1yU3i'.repeat(3)}`;
const SECRETS = {
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLE9',
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  GITHUB_TOKEN,
  NPM_TOKEN: `npm_${'k4Lm8Np2'.repeat(4)}x7Yz`,
  DB_PASSWORD: 'hunter2',
  DATABASE_URL: 'postgres://app:pgpass-9f8e7d@db.internal:5432/app',
};
/** Values that must not appear in any encoding: the secrets, plus parts of values that are published redacted. */
const MUST_NOT_APPEAR = [
  ...Object.values(SECRETS),
  'glcbt-64_Zx9yW8vU7',
  'gitlab-ci-token',
  'k3y-v4lu3-0123',
  'tr0ub4dor-and-3',
  'not-allow-listed-value',
];

function secretEnv(): Record<string, string> {
  return {
    ...SECRETS,
    PATH: '/usr/local/bin:/usr/bin:/bin',
    BUILD_MODE: 'release',
    UNLISTED: 'not-allow-listed-value',
    GITLAB_CI: 'true',
    CI_JOB_URL: 'https://gitlab-ci-token:glcbt-64_Zx9yW8vU7@gitlab.example.com/g/p/-/jobs/42',
    CI_REPOSITORY_URL: 'https://gitlab-ci-token:glcbt-64_Zx9yW8vU7@gitlab.example.com/g/p.git',
    CI_PROJECT_URL: 'https://gitlab.example.com/g/p',
    CFLAGS: '-O2 -DAPI_KEY=k3y-v4lu3-0123 -g',
    JAVA_TOOL_OPTIONS: '-Djavax.net.ssl.trustStorePassword=tr0ub4dor-and-3',
  };
}

function encodings(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  return [value, bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex'), bytes.toString('hex').toUpperCase()];
}

test('no secret value appears anywhere in the record, plain, base64 or hex', () => {
  const facts = hostFacts(secretEnv(), {
    toolchains: [ran('java', '/usr/bin/java', '', JAVA['OpenJDK 17 after "Picked up JAVA_TOOL_OPTIONS"']!.stderr!)],
  });
  const out = buildEnvironment(facts, { salt: SALT, allowInClear: ['BUILD_MODE'] });
  for (const serialised of [JSON.stringify(out), canonicalJson(out)]) {
    for (const value of MUST_NOT_APPEAR) {
      for (const encoded of encodings(value)) assert.ok(!serialised.includes(encoded), `${value} as ${encoded}`);
    }
  }
  assert.deepEqual(out.environment.clear, { BUILD_MODE: 'release' });
  assert.equal(out.compilerFlags.CFLAGS, `-O2 -DAPI_KEY=${REDACTED} -g`);
  assert.equal(out.compilerFlags.JAVA_TOOL_OPTIONS, `-Djavax.net.ssl.trustStorePassword=${REDACTED}`);
  assert.equal(out.ci?.url, 'https://gitlab.example.com/g/p/-/jobs/42');
  assert.deepEqual(out.toolchains, [{ name: 'java', version: '17.0.9', path: '/usr/bin/java' }]);
});

test('every variable is listed by name; hashes verify with the published salt; secret-looking ones are withheld', () => {
  const env = secretEnv();
  const out = buildEnvironment(hostFacts(env), { salt: SALT, allowInClear: [] });
  const { environment } = out;
  assert.equal(environment.salt, SALT.toString('hex'));
  const names = environment.variables.map((v) => v.name);
  assert.deepEqual(names, Object.keys(env).sort());
  const byName = new Map(environment.variables.map((v): [string, VariableRecord] => [v.name, v]));
  const salt = Buffer.from(environment.salt, 'hex');
  for (const name of ['PATH', 'BUILD_MODE', 'UNLISTED', 'CI_PROJECT_URL']) {
    const expected = createHmac('sha256', salt).update(`${name}=${env[name]}`).digest('hex');
    assert.deepEqual(byName.get(name), { name, sha256: expected }, name);
  }
  const wrong = createHmac('sha256', salt).update('BUILD_MODE=debug').digest('hex');
  assert.notDeepEqual(byName.get('BUILD_MODE'), { name: 'BUILD_MODE', sha256: wrong });
  for (const name of [...Object.keys(SECRETS), 'CI_JOB_URL', 'CI_REPOSITORY_URL', 'CFLAGS', 'JAVA_TOOL_OPTIONS']) {
    assert.deepEqual(byName.get(name), { name, withheld: true }, name);
  }
  const digest = createHash('sha256').update(canonicalJson(environment.variables)).digest('hex');
  assert.equal(environment.digest, `sha256:${digest}`);
});

test('a different salt gives different hashes for the same environment', () => {
  const facts = hostFacts({ BUILD_MODE: 'release' });
  const a = buildEnvironment(facts, { salt: SALT, allowInClear: [] });
  const b = buildEnvironment(facts, { salt: Buffer.alloc(32, 1), allowInClear: [] });
  assert.notDeepEqual(a.environment.variables, b.environment.variables);
  assert.notEqual(a.environment.digest, b.environment.digest);
});

test('secret-looking names or values are refused in clear with ENV_SECRET_REFUSED, and never echoed', () => {
  const facts = hostFacts(secretEnv());
  for (const name of ['GITHUB_TOKEN', 'NPM_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'DB_PASSWORD', 'DATABASE_URL', 'CFLAGS', 'SOME_API_KEY']) {
    assert.throws(
      () => buildEnvironment(facts, { salt: SALT, allowInClear: ['BUILD_MODE', name] }),
      (e) => {
        assert.ok(isProvenantError(e, 'ENV_SECRET_REFUSED'), name);
        const body = JSON.stringify(e.toBody());
        for (const value of MUST_NOT_APPEAR) assert.ok(!body.includes(value));
        return true;
      },
    );
  }
});

test('allow-list edge cases: unset names are absent, bad names are USAGE, a bad salt is INTERNAL', () => {
  const facts = hostFacts({}, { env: new Map([['BUILD_MODE', 'release'], ['__proto__', 'plain']]) });
  const out = buildEnvironment(facts, { salt: SALT, allowInClear: ['BUILD_MODE', 'NOT_SET', 'BUILD_MODE', '__proto__'] });
  assert.deepEqual(Object.entries(out.environment.clear), [['BUILD_MODE', 'release'], ['__proto__', 'plain']]);
  assert.equal(Object.getPrototypeOf(out.environment.clear), Object.prototype);
  assert.deepEqual(out.environment.variables.map((v) => v.name), ['BUILD_MODE', '__proto__']);
  assert.throws(() => buildEnvironment(facts, { salt: SALT, allowInClear: ['BAD-NAME'] }), (e) => isProvenantError(e, 'USAGE'));
  assert.throws(() => buildEnvironment(facts, { salt: SALT.subarray(0, 16), allowInClear: [] }), (e) => isProvenantError(e, 'INTERNAL'));
  assert.throws(
    () => buildEnvironment(hostFacts({ NOTES: 'x'.repeat(5000) }), { salt: SALT, allowInClear: ['NOTES'] }),
    (e) => isProvenantError(e, 'INPUT_TOO_LARGE'),
  );
});

test('os, kernel, toolchains and paths: home abbreviated, failed or unparsable probes left out', () => {
  const facts = hostFacts({}, {
    home: '/home/alice',
    toolchains: [
      ran('gcc', '/usr/bin/gcc', GCC['gcc 12 on Debian 12']!.stdout!),
      ran('node', '/home/alice/.nvm/versions/node/v20.11.1/bin/node', 'v20.11.1\n'),
      ran('rustc', '/usr/bin/rustc', 'rustc 1.75.0 (82e1608df 2023-12-21)\n', '', 1),
      ran('python3', '/usr/bin/python3', 'garbage\n'),
      { name: 'go', path: '/usr/local/go/bin/go', outcome: { kind: 'failed', reason: 'timeout' } },
    ],
  });
  const out = buildEnvironment(facts, { salt: SALT, allowInClear: [] });
  assert.deepEqual(out.os, { id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)' });
  assert.deepEqual(out.kernel, { release: '6.1.0-18-amd64', machine: 'x86_64' });
  assert.deepEqual(out.toolchains, [
    { name: 'gcc', version: '12.2.0', path: '/usr/bin/gcc' },
    { name: 'node', version: 'v20.11.1', path: '~/.nvm/versions/node/v20.11.1/bin/node' },
  ]);
  const bareFacts = hostFacts({}, { osRelease: undefined, kernel: { release: 'a\nb', machine: 'x86_64' } });
  const bare = buildEnvironment(bareFacts, { salt: SALT, allowInClear: [] });
  assert.equal(bare.os, undefined);
  assert.equal(bare.kernel, undefined);
});

test('source and builder: explicit options win over CI, userinfo dropped, malformed ones are USAGE', () => {
  const sha = '9fceb02d0ae598e95dc970b74767f19372d61af8';
  const facts = hostFacts({
    GITHUB_ACTIONS: 'true', GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'o/r', GITHUB_SHA: sha, GITHUB_REF: 'refs/tags/v1.0.0',
  });
  const fromCi = buildEnvironment(facts, { salt: SALT, allowInClear: [] });
  assert.deepEqual(fromCi.source, { uri: 'git+https://github.com/o/r@refs/tags/v1.0.0', digest: { gitCommit: sha } });
  assert.equal(fromCi.builder, undefined);
  const explicit = buildEnvironment(facts, {
    salt: SALT,
    allowInClear: [],
    sourceUri: 'git+https://x-access-token:tok3n-value@git.example.com/o/other.git',
    builderId: 'https://builder.example.com/provenant@v1',
  });
  assert.deepEqual(explicit.source, { uri: 'git+https://git.example.com/o/other.git' });
  assert.deepEqual(explicit.builder, { id: 'https://builder.example.com/provenant@v1' });
  assert.ok(!JSON.stringify(explicit).includes('tok3n-value'));
  const digest = buildEnvironment(facts, { salt: SALT, allowInClear: [], sourceDigest: { sha256: 'ab'.repeat(32) } });
  assert.deepEqual(digest.source, { digest: { sha256: 'ab'.repeat(32) } });
  // What `build --source-digest <commit>` passes: the in-toto git algorithm name is camelCase.
  const commit = buildEnvironment(facts, { salt: SALT, allowInClear: [], sourceDigest: { gitCommit: 'c0'.repeat(20) } });
  assert.deepEqual(commit.source, { digest: { gitCommit: 'c0'.repeat(20) } });
  const bads: Partial<BuildEnvironmentOptions>[] = [
    { sourceUri: 'not a uri' }, { builderId: 'relative/path' }, { sourceDigest: { sha256: 'XYZ' } }, { sourceDigest: {} },
  ];
  for (const bad of bads) {
    assert.throws(() => buildEnvironment(facts, { salt: SALT, allowInClear: [], ...bad }), (e) => isProvenantError(e, 'USAGE'), JSON.stringify(bad));
  }
});

test('a secret value spliced into flags or into an allow-listed value under another name is kept out', () => {
  const env = { SIGNING_SALT: 'Zq81-lkP0', CFLAGS: '-O2 -DBUILD_STAMP=Zq81-lkP0 -g', LABEL: 'build Zq81-lkP0' };
  const out = buildEnvironment(hostFacts(env), { salt: SALT, allowInClear: [] });
  assert.equal(out.compilerFlags.CFLAGS, `-O2 -DBUILD_STAMP=${REDACTED} -g`);
  assert.ok(!JSON.stringify(out).includes('Zq81-lkP0'));
  assert.throws(
    () => buildEnvironment(hostFacts(env), { salt: SALT, allowInClear: ['LABEL'] }),
    (e) => isProvenantError(e, 'ENV_SECRET_REFUSED') && e.details?.secretVariable === 'SIGNING_SALT' && !JSON.stringify(e.toBody()).includes('Zq81'),
  );
});
