// buildEnvironment and dependencies rules over the trusted provenance of a policy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Rule } from '../../../../src/policy/policy.js';
import {
  BUILDER,
  KEY_A,
  buildFact,
  bookwormPackages,
  decide,
  globs,
  imageFacts,
  keyMatcher,
  layersAttestation,
  pkg,
  range,
  rule,
  slsaAttestation,
} from '../policy-fixtures.js';

const environment = (change: Partial<Extract<Rule, { kind: 'buildEnvironment' }>> = {}) =>
  rule({ kind: 'buildEnvironment', compilers: [], builderIds: [], sourceRepositories: [], ciSystems: [], ...change });
const dependencies = (change: Partial<Extract<Rule, { kind: 'dependencies' }>> = {}) =>
  rule({ kind: 'dependencies', blocked: [], trustedSources: [], allowedLicenses: [], ...change });

test('buildEnvironment: compilers at exactly their recorded version, builder id, source repository, CI system', () => {
  const all = environment({
    compilers: [
      { name: 'gcc', version: '12.2.0' },
      { name: 'node', version: 'v20.11.1' },
      { name: 'go', version: 'go1.22.1' },
    ],
    builderIds: ['https://provenant.dev/builder/v1'],
    sourceRepositories: globs('git+https://github.com/acme/**'),
    ciSystems: ['github-actions'],
  });
  const pass = decide(all);
  assert.equal(pass.result.passed, true);
  assert.deepEqual(pass.result.facts, [
    { name: 'build.builderId', value: 'https://provenant.dev/builder/v1' },
    { name: 'build.ci.system', value: 'github-actions' },
    { name: 'build.source.uri', value: 'git+https://github.com/acme/payments@refs/heads/main' },
    { name: 'build.toolchains.gcc', value: '12.2.0' },
    { name: 'build.toolchains.go', value: 'go1.22.1' },
    { name: 'build.toolchains.node', value: 'v20.11.1' },
  ]);
  assert.equal(decide(environment({ compilers: [{ name: 'go', version: '1.22.1' }] })).result.passed, false, 'go reports "go1.22.1"');
  const elsewhere = imageFacts({
    attestations: [slsaAttestation('elsewhere', buildFact({ builderId: 'https://ci.example/builder', source: { uri: 'git+https://gitlab.com/acme/payments' }, ci: {} }))],
  });
  const fail = decide(all, elsewhere);
  assert.equal(fail.result.passed, false);
  assert.match(fail.result.reason, /^builder: requires one of https:\/\/provenant\.dev\/builder\/v1, found https:\/\/ci\.example\/builder; source repository: requires one of git\+https:\/\/github\.com\/acme\/\*\*, found git\+https:\/\/gitlab\.com\/acme\/payments; CI system: requires one of github-actions, found none \(provenance sha256:[0-9a-f]{64}\)$/);
});

test('buildEnvironment: the newest trusted SLSA attestation supplies the build; none trusted fails', () => {
  const old = slsaAttestation('old', buildFact({ toolchains: [{ name: 'gcc', version: '12.1.0' }] }), BUILDER, { issuedAt: '2024-04-01T00:00:00Z' });
  const recent = slsaAttestation('recent', buildFact(), BUILDER, { issuedAt: '2024-05-01T00:00:00Z' });
  const gcc = environment({ compilers: [{ name: 'gcc', version: '12.2.0' }] });
  const newest = decide(gcc, imageFacts({ attestations: [recent, old] }));
  assert.equal(newest.result.passed, true);
  assert.deepEqual(newest.result.evidence, [recent.evidence]);
  // Same issue time: the higher log index is the newer.
  const tie = slsaAttestation('same time, later in the log', buildFact({ toolchains: [{ name: 'gcc', version: '12.1.0' }] }), BUILDER, { issuedAt: '2024-05-01T00:00:00Z' });
  assert.equal(decide(gcc, imageFacts({ attestations: [tie, recent] })).result.passed, false);

  const untrusted = decide(gcc, imageFacts(), undefined, { attestors: [keyMatcher(KEY_A, 'release key A')] });
  assert.equal(untrusted.result.passed, false);
  assert.equal(untrusted.result.reason, 'no trusted build provenance (SLSA attestation by release key A)');
});

test('dependencies: blocked by binary or source name, catalog or OSV ecosystem, PEP 503 names, any version', () => {
  const packages = [
    ...bookwormPackages(),
    pkg('pypi', 'requests', '2.30.0', { purl: 'pkg:pypi/requests@2.30.0' }),
    pkg('npm', 'left-pad', '1.3.0'),
    pkg('deb', 'libssl3', '3.0.2-1', { source: { name: 'openssl', version: '3.0.2-1' } }),
  ];
  const facts = imageFacts({ attestations: [slsaAttestation('b'), layersAttestation('b', packages)] });
  const blocks = (selector: Extract<Rule, { kind: 'dependencies' }>['blocked'][number]) => decide(dependencies({ blocked: [selector] }), facts).result;
  assert.equal(blocks({ ecosystem: 'Debian', name: 'openssl', versions: range('<3.0.7', 'Debian') }).passed, false);
  assert.equal(blocks({ ecosystem: 'deb', name: 'libssl3', versions: range('<3.0.7', 'deb') }).passed, false);
  assert.equal(blocks({ ecosystem: 'deb', name: 'openssl', versions: range('<3.0.0', 'deb') }).passed, true);
  assert.equal(blocks({ ecosystem: 'PyPI', name: 'Requests', versions: range('<2.31.0', 'PyPI') }).passed, false);
  assert.equal(blocks({ ecosystem: 'npm', name: 'left-pad' }).passed, false);
  assert.equal(blocks({ name: 'left-pad' }).passed, false);
  assert.equal(blocks({ ecosystem: 'Maven', name: 'left-pad' }).passed, true);
  assert.equal(blocks({ ecosystem: 'npm', name: 'openssl' }).passed, true, 'source names count for deb and apk only');
});

test('dependencies: a version the range cannot order fails the rule and says so', () => {
  const facts = imageFacts({ attestations: [slsaAttestation('n'), layersAttestation('n', [pkg('npm', 'lodash', 'latest-and-greatest')])] });
  const { result } = decide(dependencies({ blocked: [{ ecosystem: 'npm', name: 'lodash', versions: range('<4.17.21', 'npm') }] }), facts);
  assert.equal(result.passed, false);
  assert.match(result.reason, /^npm\/lodash <4\.17\.21: cannot order lodash latest-and-greatest \(.+\); failing closed/);
  assert.deepEqual(result.facts.find((f) => f.name === 'dependencies.notComparable')?.value, 'pkg:npm/lodash@latest-and-greatest');
});

test('dependencies: blocked packages and licences need an inventory, trusted sources a build', () => {
  const noInventory = imageFacts({ attestations: [slsaAttestation('only build')] });
  assert.match(decide(dependencies({ blocked: [{ name: 'openssl' }] }), noInventory).result.reason, /^no trusted package inventory/);
  assert.equal(decide(dependencies({ allowedLicenses: ['MIT'] }), noInventory).result.passed, false);
  const noBuild = imageFacts({ attestations: [layersAttestation('only packages')] });
  assert.match(decide(dependencies({ trustedSources: globs('oci://**') }), noBuild).result.reason, /^no trusted build provenance/);
  assert.equal(decide(dependencies(), noBuild).result.passed, true, 'no condition given');
});

test('dependencies: trusted sources cover every resolved dependency and purl repository_url', () => {
  const trusted = globs('oci://registry.example.com/base/**', 'git+https://github.com/acme/**', 'pkg:npm/**', 'https://registry.npmjs.org/**');
  const build = buildFact({
    resolvedDependencies: [
      ...buildFact().resolvedDependencies,
      { uri: 'pkg:npm/left-pad@1.3.0?repository_url=https://registry.npmjs.org/left-pad' },
      { name: 'vendored.tar.gz', digest: { sha256: 'c'.repeat(64) } },
    ],
  });
  const mirror = pkg('npm', 'express', '4.19.2', { purl: 'pkg:npm/express@4.19.2?repository_url=https%3A%2F%2Fnpm.mirror.example%2F' });
  const facts = imageFacts({ attestations: [slsaAttestation('s', build), layersAttestation('s', [mirror])] });
  const { result } = decide(dependencies({ trustedSources: trusted }), facts);
  assert.equal(result.passed, false);
  assert.deepEqual(
    result.facts.filter((f) => f.name === 'dependencies.untrustedSource').map((f) => f.value),
    ['https://npm.mirror.example/ (repository of pkg:npm/express@4.19.2?repository_url=https%3A%2F%2Fnpm.mirror.example%2F)', 'resolved dependency vendored.tar.gz without a URI'],
  );
  const clean = imageFacts({ attestations: [slsaAttestation('c'), layersAttestation('c')] });
  const ok = decide(dependencies({ trustedSources: trusted }), clean).result;
  assert.equal(ok.passed, true);
  assert.match(ok.reason, /^2 sources trusted/);
});

test('dependencies: every package declares only allowed licences; none declared fails', () => {
  const packages = [pkg('npm', 'express', '4.19.2'), pkg('npm', 'gpl-thing', '1.0.0', { licenses: ['GPL-3.0-only', 'MIT'] }), pkg('deb', 'tzdata', '2024a-0+deb12u1', { licenses: [] })];
  const facts = imageFacts({ attestations: [slsaAttestation('l'), layersAttestation('l', packages)] });
  const { result } = decide(dependencies({ allowedLicenses: ['MIT', 'Apache-2.0'] }), facts);
  assert.equal(result.passed, false);
  assert.match(result.reason, /^licences \(allowed: MIT, Apache-2\.0\): tzdata 2024a-0\+deb12u1: no licence declared; gpl-thing 1\.0\.0: GPL-3\.0-only not allowed \(inventory sha256:[0-9a-f]{64}\)$/);
  const allowed = decide(dependencies({ allowedLicenses: ['MIT', 'GPL-3.0-only', 'Apache-2.0'] }), imageFacts({ attestations: [layersAttestation('m', packages.slice(0, 2))] }));
  assert.equal(allowed.result.passed, true);
});
