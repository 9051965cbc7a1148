import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProvenantError } from '../../../src/core/errors.js';
import { versionSchemeFor } from '../../../src/vuln/versions/index.js';

test('OSV ecosystem names map to their version schemes, with or without a release suffix', () => {
  const cases: Array<[string, string]> = [
    ['npm', 'semver'],
    ['PyPI', 'pep440'],
    ['Go', 'go'],
    ['Maven', 'maven'],
    ['Debian', 'dpkg'],
    ['Debian:12', 'dpkg'],
    ['Ubuntu:22.04:LTS', 'dpkg'],
    ['Ubuntu:Pro:18.04:LTS', 'dpkg'],
    ['Alpine', 'apk'],
    ['Alpine:v3.19', 'apk'],
    ['Red Hat', 'rpm'],
    ['Red Hat:enterprise_linux:9::appstream', 'rpm'],
    ['Rocky Linux:9', 'rpm'],
    ['AlmaLinux:8', 'rpm'],
    ['openSUSE:Leap 15.5', 'rpm'],
    ['SUSE:Linux Enterprise Server 15 SP5', 'rpm'],
    ['Mageia:9', 'rpm'],
  ];
  for (const [ecosystem, name] of cases) assert.equal(versionSchemeFor(ecosystem).name, name, ecosystem);
});

test('the same version string orders differently in each ecosystem', () => {
  // A pre-release marker is older than the release in all three, each by its own rule.
  assert.ok(versionSchemeFor('Debian:12').compare('1.0~rc1', '1.0') < 0);
  assert.ok(versionSchemeFor('PyPI').compare('1.0rc1', '1.0') < 0);
  assert.ok(versionSchemeFor('npm').compare('1.0.0-rc1', '1.0.0') < 0);
  // 1.0 is a complete PEP 440 version but not a SemVer one.
  assert.equal(versionSchemeFor('PyPI').isValid('1.0'), true);
  assert.equal(versionSchemeFor('npm').isValid('1.0'), false);
});

test('an ecosystem without a version scheme is UNSUPPORTED', () => {
  for (const ecosystem of ['', 'crates.io', 'NuGet', 'RubyGems', 'pypi', 'NPM', 'Debian:', ':12', 'Alpine Linux']) {
    assert.throws(
      () => versionSchemeFor(ecosystem),
      (e: unknown) => e instanceof ProvenantError && e.code === 'UNSUPPORTED',
      ecosystem,
    );
  }
});
