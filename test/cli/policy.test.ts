// `provenant policy test` on an image built and signed by the real builder in an OCI layout, its facts read from
// the signatures and attestations attached to it; and `policy apply|list|history|delete` on an embedded log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { buildImage, writeOciLayout } from '../helpers/oci-image.js';
import { buildAndSign, toolchainBin } from '../policy/facts/facts-fixtures.js';
import { cli, cli as run, failedWith, keyFiles, PASSWORD, succeeded, workspace, type CliResult } from './cli-helpers.js';

const ws = await workspace('policy-cli');
const keyA = await keyFiles(ws.path('a'));
const keyB = await keyFiles(ws.path('b'));
const image = await buildImage();
await writeOciLayout(ws.path('img'), image.blobs, [{ manifest: image.manifest, name: 'v1' }]);
const ref = `oci:${ws.path('img')}:v1`;
await buildAndSign(ref, keyA.key, await toolchainBin(ws.dir), ws.path('out'));
const AS = ['--as', 'registry.example.com/acme/app:1.0'];

function indent(text: string, by: number): string {
  return text.trimEnd().split('\n').map((l) => `${' '.repeat(by)}${l}`).join('\n');
}

function policyFile(name: string, rules: string): Promise<string> {
  const path = ws.path(`${name}.yaml`);
  const yaml = `apiVersion: provenant.dev/v1
kind: ProvenancePolicy
metadata:
  name: ${name}
spec:
  match:
    images: ["registry.example.com/acme/**"]
  attestors:
    - key: |
${indent(keyA.pair.publicKeyPem, 8)}
  rules:
${rules}`;
  return writeFile(path, yaml).then(() => path);
}

interface DecisionJson {
  outcome: string;
  reasons: string[];
  rules: { policy: string; rule: string; passed: boolean; evidence: { kind: string; digest: string }[] }[];
}

function denied(result: CliResult): DecisionJson {
  assert.equal(result.exit, 1, result.stderr);
  assert.ok(result.stderr.startsWith('error[POLICY_DENIED]: '), result.stderr);
  return JSON.parse(result.stdout) as DecisionJson;
}

const testPolicy = (file: string, extra: string[] = []) => cli(['policy', 'test', '-p', file, ref, ...AS, '--facts', 'attachments', '--json', '-q', ...extra]);

test('policy test allows the image built with gcc 12.2.0 and denies it under a policy requiring 12.1.0, naming the rule and the provenance', async () => {
  const allow = await policyFile('gcc-12-2', '    - name: compiler\n      buildEnvironment:\n        compiler: {name: gcc, version: "12.2.0"}\n');
  const decision = succeeded<DecisionJson>(await testPolicy(allow));
  assert.equal(decision.outcome, 'allow');
  const rule = decision.rules.find((r) => r.rule === 'compiler')!;
  assert.equal(rule.passed, true);
  assert.ok(rule.evidence.some((e) => e.kind === 'attestation'), 'the SLSA attestation is the evidence');

  const deny = await policyFile('gcc-12-1', '    - name: compiler\n      buildEnvironment:\n        compiler: {name: gcc, version: "12.1.0"}\n');
  const refused = denied(await testPolicy(deny));
  assert.equal(refused.outcome, 'deny');
  assert.ok(refused.reasons.some((r) => r.startsWith('gcc-12-1/compiler')), refused.reasons.join('\n'));
  assert.ok(refused.reasons.some((r) => r.includes('12.2.0')), 'the reason says what was found');

  const text = await cli(['policy', 'test', '-p', deny, ref, ...AS, '--facts', 'attachments', '-q']);
  assert.equal(text.exit, 1);
  assert.match(text.stdout, /^DENY {2}registry\.example\.com\/acme\/app:1\.0/);
  assert.match(text.stdout, /^ {2}FAIL gcc-12-1\/compiler \[deny\]: /m);
});

test('policy test requires the signer the policy names', async () => {
  const signedByA = await policyFile('signed-a', `    - name: release-key\n      signature:\n        signers:\n          - key: |\n${indent(keyA.pair.publicKeyPem, 14)}\n`);
  assert.equal(succeeded<DecisionJson>(await testPolicy(signedByA)).outcome, 'allow');
  const signedByB = await policyFile('signed-b', `    - name: release-key\n      signature:\n        signers:\n          - key: |\n${indent(keyB.pair.publicKeyPem, 14)}\n`);
  assert.ok(denied(await testPolicy(signedByB)).reasons.some((r) => r.startsWith('signed-b/release-key')));
});

test('policy test refuses an invalid policy with its line and field, and a layout without --as', async () => {
  const bad = await policyFile('bad', '    - name: compiler\n      buildEnvironment:\n        compilr: {name: gcc, version: "12.2.0"}\n');
  const result = await testPolicy(bad);
  failedWith(result, 'POLICY_INVALID');
  assert.match(result.stderr, /compilr/);
  const noAs = await cli(['policy', 'test', '-p', bad.replace('bad', 'gcc-12-2'), ref, '--facts', 'attachments', '-q']);
  failedWith(noAs, 'USAGE');
  const noMatch = await policyFile('elsewhere', '    - name: compiler\n      buildEnvironment:\n        compiler: {name: gcc, version: "12.2.0"}\n');
  const unmatched = await cli(['policy', 'test', '-p', noMatch, ref, '--as', 'ghcr.io/other/app:1', '--facts', 'attachments', '--json', '-q']);
  assert.equal(denied(unmatched).outcome, 'deny');
  const allowed = await cli(['policy', 'test', '-p', noMatch, ref, '--as', 'ghcr.io/other/app:1', '--facts', 'attachments', '--json', '-q', '--unmatched', 'allow']);
  assert.equal(succeeded<DecisionJson>(allowed).outcome, 'allow');
});

test('policy apply appends a version only when a document changed; history chains the versions; delete ends the policy', async () => {
  const data = ['--data', ws.path('data')];
  const env = { PROVENANT_PASSWORD: PASSWORD, PROVENANT_LOG_PASSWORD: 'log password' };
  const cli = (argv: string[]) => run(argv, env);
  const trust = ['--policy-key', keyA.pub];
  const file = await policyFile('versioned', '    - name: compiler\n      buildEnvironment:\n        compiler: {name: gcc, version: "12.2.0"}\n');
  const first = succeeded<{ applied: { name: string; version: number }[] }>(await cli(['policy', 'apply', '-f', file, ...data, '--key', keyA.key]));
  assert.deepEqual(first.applied.map((a) => [a.name, a.version]), [['versioned', 1]]);
  const again = succeeded<{ applied: unknown[]; unchanged: unknown[] }>(await cli(['policy', 'apply', '-f', file, ...data, '--key', keyA.key]));
  assert.deepEqual([again.applied.length, again.unchanged.length], [0, 1]);
  await writeFile(file, (await readFile(file, 'utf8')).replace('12.2.0', '12.3.0'));
  succeeded(await cli(['policy', 'apply', '-f', file, ...data, '--key', keyA.key]));
  const history = succeeded<{ versions: { version: number; entryDigest: string; previous: string | null }[] }>(await cli(['policy', 'history', 'versioned', ...data, ...trust]));
  assert.deepEqual(history.versions.map((v) => v.version), [1, 2]);
  assert.equal(history.versions[1]!.previous, history.versions[0]!.entryDigest);
  const listed = succeeded<{ policies: { name: string; version: number }[] }>(await cli(['policy', 'list', ...data, ...trust]));
  assert.deepEqual(listed.policies.map((p) => [p.name, p.version]), [['versioned', 2]]);
  // Versions signed by a key nobody trusts are not in force.
  assert.deepEqual(succeeded<{ policies: unknown[] }>(await cli(['policy', 'list', ...data])).policies, []);
  succeeded(await cli(['policy', 'delete', 'versioned', ...data, '--key', keyA.key]));
  assert.deepEqual(succeeded<{ policies: unknown[] }>(await cli(['policy', 'list', ...data, ...trust])).policies, []);
  failedWith(await cli(['policy', 'delete', 'versioned', ...data, '--key', keyA.key]), 'POLICY_NOT_FOUND');
});
