import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSecretName, looksSecret, REDACTED, scrubSecrets } from '../../../src/analyze/environment/index.js';

test('secret-looking names: credentials by word or segment, whatever the case convention', () => {
  for (const name of [
    'AWS_SECRET_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SESSION_TOKEN', 'GITHUB_TOKEN', 'GH_TOKEN', 'NPM_TOKEN',
    'NODE_AUTH_TOKEN', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN', 'CI_JOB_TOKEN', 'COSIGN_PASSWORD', 'DB_PASSWD', 'DB_PWD',
    'GPG_PASSPHRASE', 'API_KEY', 'apiKey', 'keyStorePassword', 'javax.net.ssl.trustStorePassword', 'SIGNING_KEY',
    'SENTRY_DSN', 'SLACK_WEBHOOK_URL', 'GOOGLE_APPLICATION_CREDENTIALS', 'DOCKER_AUTH_CONFIG', 'AZURE_CLIENT_SECRET',
    'SSH_PRIVATE_KEY', 'TWINE_PASSWORD', 'REGISTRY_PASS', 'MYSQL_ROOT_PASSWORD', 'SESSION_COOKIE', 'GITLAB_PAT',
  ]) {
    assert.equal(isSecretName(name), true, name);
  }
  const ordinary = ['PATH', 'HOME', 'PWD', 'OLDPWD', 'CFLAGS', 'KEYBOARD_LAYOUT', 'BYPASS_CACHE', 'GITHUB_SHA', 'CI_JOB_URL', 'LANG', 'MONKEY'];
  for (const name of ordinary) {
    assert.equal(isSecretName(name), false, name);
  }
});

test('compiler and JVM flags keep their shape while secret values are redacted', () => {
  const cases: [string, string][] = [
    ['-O2 -DAPI_KEY=abc123def -g', `-O2 -DAPI_KEY=${REDACTED} -g`],
    ['-DKEY="a b c" -DVERSION="1.2"', `-DKEY="${REDACTED}" -DVERSION="1.2"`],
    ['-D SECRET_SALT=xyz987', `-D SECRET_SALT=${REDACTED}`],
    ['-Djavax.net.ssl.keyStorePassword=changeit -Xmx1g', `-Djavax.net.ssl.keyStorePassword=${REDACTED} -Xmx1g`],
    ['-Dhttp.proxyPassword=pr0xy -Dhttp.proxyHost=proxy.internal', `-Dhttp.proxyPassword=${REDACTED} -Dhttp.proxyHost=proxy.internal`],
    ["-ldflags='-s -X main.apiKey=q1w2e3r4 -X main.version=1.0'", `-ldflags='-s -X main.apiKey=${REDACTED} -X main.version=1.0'`],
    ['--password hunter2 -O2', `--password ${REDACTED} -O2`],
    ['-L https://deploy:s3cr3t@repo.example/lib', `-L https://${REDACTED}@repo.example/lib`],
    ['-H "Authorization: Bearer abcdefghijk123"', `-H "Authorization: ${REDACTED}"`],
  ];
  for (const [input, expected] of cases) assert.equal(scrubSecrets(input), expected, input);
});

test('credential formats are redacted wherever they appear, and ordinary flags are left alone', () => {
  const tokens = [
    `ghp_${'A1b2C3d4'.repeat(5)}`,
    `github_pat_${'11ABCDEFG0'.repeat(4)}`,
    `glpat-${'x1Y2z3'.repeat(4)}`,
    `npm_${'n0PQ'.repeat(9)}`,
    'AKIAIOSFODNN7EXAMPLE',
    'xoxb-123456789012-abcdefABCDEF',
    'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOm8vciJ9.c2lnbmF0dXJl',
    '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk=\n-----END OPENSSH PRIVATE KEY-----',
  ];
  for (const token of tokens) {
    const scrubbed = scrubSecrets(`-O2 ${token} -g`);
    assert.ok(!scrubbed.includes(token), token);
    assert.ok(scrubbed.includes(REDACTED), token);
  }
  const ordinary = [
    '-O2 -g -fstack-protector-strong -D_FORTIFY_SOURCE=2 -Wl,-z,relro',
    '-C target-cpu=native -C opt-level=3',
    '-mod=readonly -trimpath',
    '-Dfile.encoding=UTF-8',
  ];
  for (const flags of ordinary) {
    assert.equal(scrubSecrets(flags), flags);
  }
});

test('an "@" in the password does not cut the userinfo short, and scrubbing is idempotent', () => {
  const once = scrubSecrets('https://user:p@ss@host.example/x');
  assert.equal(once, `https://${REDACTED}@host.example/x`);
  assert.equal(scrubSecrets(once), once);
  const flags = scrubSecrets('-DAPI_KEY=abc --token t0k3n-val');
  assert.equal(scrubSecrets(flags), flags);
});

test('looksSecret: by name, or by a value that holds something credential-shaped', () => {
  assert.equal(looksSecret('DB_PASSWORD', 'x'), true);
  assert.equal(looksSecret('DATABASE_URL', 'postgres://app:pw@db:5432/app'), true);
  assert.equal(looksSecret('CFLAGS', '-DAPI_KEY=1234'), true);
  assert.equal(looksSecret('DATABASE_URL', 'postgres://db:5432/app'), false);
  assert.equal(looksSecret('BUILD_MODE', 'release'), false);
});

test('scrubbing stays linear on long pathological input (64 KiB in well under a second each)', () => {
  const n = 64 * 1024;
  const inputs = [
    'a'.repeat(n), 'a.'.repeat(n / 2), 'a-'.repeat(n / 2), `a://${'b'.repeat(n)}`, `eyJ${'a'.repeat(n)}`,
    `${'aaaaaaaaa.'.repeat(n / 10)}=`, '-a '.repeat(n / 3),
  ];
  for (const input of inputs) {
    const started = performance.now();
    scrubSecrets(input);
    assert.ok(performance.now() - started < 1_000, JSON.stringify(input.slice(0, 12)));
  }
});

test('authorization schemes and "token <value>" are redacted; prose about tokens is not', () => {
  assert.equal(scrubSecrets('curl -H "Authorization: token 9a8b7c6d5e4f"'), `curl -H "Authorization: ${REDACTED}"`);
  assert.equal(scrubSecrets('Basic dXNlcjpwYXNz'), REDACTED);
  assert.equal(scrubSecrets('the token validation step'), 'the token validation step');
});
