// The product's five policy examples, each on real images built, attested and signed by `provenant build --push`
// and `provenant sign`, decided by `provenant policy test` from the attestations attached to the images:
// 1. only images built with a given compiler version; 2. block a dependency by version range; 3. block images with
// a vulnerability disclosed after their build date; 4. require a signer; 5. sandbox images built from untrusted
// dependencies. Each decision's reason names the policy/rule, and the evidence is the attestation behind it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { buildImage, writeOciLayout, type LayerSpec } from '../helpers/oci-image.js';
import { buildAndSign, toolchainBin, type BuiltImage } from '../policy/facts/facts-fixtures.js';
import { cli, keyFiles, succeeded, workspace, type CliResult } from './cli-helpers.js';

const ws = await workspace('policy-examples');
const keyA = await keyFiles(ws.path('a'));
const keyB = await keyFiles(ws.path('b'));
const gcc122 = await toolchainBin(ws.dir, '12.2.0');
const gcc121 = await toolchainBin(ws.dir, '12.1.0');
const AS = ['--as', 'registry.example.com/acme/app:1.0'];

const OS = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n';
const libssl = (version: string) =>
  `Package: libssl3\nStatus: install ok installed\nPriority: optional\nArchitecture: amd64\nSource: openssl\nVersion: ${version}\nDescription: Secure Sockets Layer toolkit\n`;
function app(opensslVersion: string, lodash: string): LayerSpec[] {
  return [
    { createdBy: 'debian base', files: { 'etc/os-release': OS, 'var/lib/dpkg/status': libssl(opensslVersion) } },
    { createdBy: 'npm ci', files: { 'app/node_modules/lodash/package.json': JSON.stringify({ name: 'lodash', version: lodash, license: 'MIT' }) } },
  ];
}

/** Builds `layers` into its own layout with the real builder, signs it, and returns its reference and build. */
async function built(name: string, layers: LayerSpec[], opts: { bin?: string; key?: string; buildArgs?: string[] } = {}): Promise<{ ref: string } & BuiltImage> {
  const image = await buildImage({ layers });
  const dir = ws.path(`img-${name}`);
  await writeOciLayout(dir, image.blobs, [{ manifest: image.manifest, name: 'v1' }]);
  const ref = `oci:${dir}:v1`;
  await mkdir(ws.path(`out-${name}`), { recursive: true });
  return { ref, ...(await buildAndSign(ref, opts.key ?? keyA.key, opts.bin ?? gcc122, ws.path(`out-${name}`), opts.buildArgs ?? [])) };
}

const BASE_DIGEST = `sha256:${'b'.repeat(64)}`;
const images = {
  gcc122: await built('gcc122', app('3.0.11-1~deb12u2', '4.17.21')),
  gcc121: await built('gcc121', app('3.0.11-1~deb12u2', '4.17.21'), { bin: gcc121 }),
  oldOpenssl: await built('old-openssl', app('3.0.2-0ubuntu1.10', '4.17.21')),
  lodash: await built('lodash', app('3.0.11-1~deb12u2', '4.17.11')),
  signedB: await built('signed-b', app('3.0.11-1~deb12u2', '4.17.21'), { key: keyB.key }),
  hubBase: await built('hub-base', app('3.0.11-1~deb12u2', '4.17.21'), { buildArgs: ['--base-image', `docker.io/library/debian:12@${BASE_DIGEST}`] }),
  ownBase: await built('own-base', app('3.0.11-1~deb12u2', '4.17.21'), { buildArgs: ['--base-image', `registry.example.com/base/debian:12@${BASE_DIGEST}`] }),
};

function indent(text: string, by: number): string {
  return text.trimEnd().split('\n').map((l) => `${' '.repeat(by)}${l}`).join('\n');
}

/** A ProvenancePolicy trusting key A's attestations, with `rules` as the user writes them. */
async function policy(name: string, rules: string): Promise<string> {
  const path = ws.path(`${name}.yaml`);
  await writeFile(path, `apiVersion: provenant.dev/v1\nkind: ProvenancePolicy\nmetadata:\n  name: ${name}\nspec:\n  attestors:\n    - key: |\n${indent(keyA.pair.publicKeyPem, 8)}\n  rules:\n${rules}`);
  return path;
}

interface DecisionJson {
  outcome: string;
  reasons: string[];
  sandbox?: Record<string, unknown>;
  rules: { policy: string; rule: string; passed: boolean; reason: string; evidence: { kind: string; digest: string }[] }[];
}

async function decide(file: string, ref: string, extra: string[] = []): Promise<DecisionJson> {
  const result: CliResult = await cli(['policy', 'test', '-p', file, ref, ...AS, '--facts', 'attachments', '--json', '-q', ...extra]);
  const decision = JSON.parse(result.stdout) as DecisionJson;
  if (decision.outcome === 'deny') {
    assert.equal(result.exit, 1, result.stderr);
    assert.ok(result.stderr.startsWith('error[POLICY_DENIED]: '), result.stderr);
  } else {
    assert.equal(result.exit, 0, result.stderr);
  }
  return decision;
}

function failed(decision: DecisionJson, id: string): DecisionJson['rules'][number] {
  const rule = decision.rules.find((r) => `${r.policy}/${r.rule}` === id);
  assert.ok(rule, `rule ${id} was evaluated`);
  assert.equal(rule.passed, false, rule.reason);
  assert.ok(decision.reasons.some((r) => r.startsWith(`${id}: `)), decision.reasons.join('\n'));
  assert.ok(rule.evidence.some((e) => e.kind === 'attestation'), 'an attestation is cited');
  return rule;
}

test('1. compiler version: gcc 12.2.0 builds are allowed, a gcc 12.1.0 build is denied', async () => {
  const file = await policy('compiler', '    - name: gcc-12-2\n      buildEnvironment:\n        compiler: {name: gcc, version: "12.2.0"}\n');
  assert.equal((await decide(file, images.gcc122.ref)).outcome, 'allow');
  const denied = await decide(file, images.gcc121.ref);
  assert.equal(denied.outcome, 'deny');
  assert.match(failed(denied, 'compiler/gcc-12-2').reason, /12\.1\.0/);
});

test('2. blocked dependency: openssl below 3.0.7 (found through libssl3 built from it) is denied', async () => {
  const file = await policy('deps', '    - name: old-openssl\n      dependencies:\n        blocked:\n          - {ecosystem: deb, name: openssl, versions: "<3.0.7"}\n');
  assert.equal((await decide(file, images.gcc122.ref)).outcome, 'allow');
  const denied = await decide(file, images.oldOpenssl.ref);
  assert.equal(denied.outcome, 'deny');
  assert.match(failed(denied, 'deps/old-openssl').reason, /libssl3/);
});

test('3. a vulnerability disclosed after the build date denies the image; the same one disclosed before does not', async () => {
  const file = await policy('fresh', '    - name: disclosed-after-build\n      vulnerabilities:\n        severity: HIGH\n        publishedAfter: build\n');
  const real = JSON.parse(await readFile(new URL('../fixtures/osv/GHSA-jf85-cpcp-j695.json', import.meta.url), 'utf8')) as Record<string, unknown>;
  const before = ws.path('db-before');
  await mkdir(before, { recursive: true });
  await writeFile(`${before}/GHSA-jf85-cpcp-j695.json`, JSON.stringify(real));
  assert.equal((await decide(file, images.lodash.ref, ['--db', before])).outcome, 'allow', 'the real record was published in 2019, before the build');
  // The same record with one change, named as such: published an hour after this image was built.
  const after = ws.path('db-after');
  await mkdir(after, { recursive: true });
  const published = new Date(Date.parse(images.lodash.finishedOn) + 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
  await writeFile(`${after}/published-after-build.json`, JSON.stringify({ ...real, id: 'GHSA-jf85-cpcp-j695-published-after-build', published, modified: published }));
  const denied = await decide(file, images.lodash.ref, ['--db', after]);
  assert.equal(denied.outcome, 'deny');
  assert.match(failed(denied, 'fresh/disclosed-after-build').reason, /CVE-2019-10744|GHSA-jf85-cpcp-j695-published-after-build/);
});

test('4. required signer: the image signed with key A passes, the one signed with key B is denied', async () => {
  const file = await policy('signer', `    - name: release-key\n      signature:\n        signers:\n          - key: |\n${indent(keyA.pair.publicKeyPem, 14)}\n`);
  assert.equal((await decide(file, images.gcc122.ref)).outcome, 'allow');
  const denied = await decide(file, images.signedB.ref);
  assert.equal(denied.outcome, 'deny');
  assert.ok(denied.reasons.some((r) => r.startsWith('signer/release-key: ')), denied.reasons.join('\n'));
});

test('5. sandbox: an image built on an untrusted base is admitted with the sandbox changes; one built on a trusted base is allowed', async () => {
  const file = await policy(
    'isolate',
    [
      '    - name: trusted-dependencies',
      '      action: sandbox',
      '      sandbox: {runtimeClassName: gvisor, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, limits: {cpu: "500m", memory: "256Mi"}}',
      '      dependencies:',
      '        trustedSources: ["oci://registry.example.com/**", "git+https://github.com/acme/**"]',
      '',
    ].join('\n'),
  );
  assert.equal((await decide(file, images.ownBase.ref)).outcome, 'allow');
  const sandboxed = await decide(file, images.hubBase.ref);
  assert.equal(sandboxed.outcome, 'sandbox');
  assert.deepEqual(sandboxed.sandbox, { runtimeClassName: 'gvisor', readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, limits: { cpu: '500m', memory: '256Mi' } });
  assert.match(failed(sandboxed, 'isolate/trusted-dependencies').reason, /docker\.io\/library\/debian/);
});

test('the ClusterImagePolicy of a typical security programme works verbatim: key A admitted, key B denied', async () => {
  const path = ws.path('cip.yaml');
  await writeFile(
    path,
    `apiVersion: policy.sigstore.dev/v1beta1\nkind: ClusterImagePolicy\nmetadata:\n  name: image-policy\nspec:\n  images:\n  - glob: "registry.example.com/**"\n  authorities:\n  - key:\n      data: |\n${indent(keyA.pair.publicKeyPem, 8)}\n`,
  );
  assert.equal(succeeded<DecisionJson>(await cli(['policy', 'test', '-p', path, images.gcc122.ref, ...AS, '--facts', 'attachments', '--json', '-q'])).outcome, 'allow');
  assert.equal((await decide(path, images.signedB.ref)).outcome, 'deny');
});
