import { test } from 'node:test';
import assert from 'node:assert/strict';
import { npmPackageCataloger } from '../../../src/analyze/catalog/npm.js';
import { npmLockCataloger } from '../../../src/analyze/catalog/npm-lock.js';
import type { Package } from '../../../src/analyze/catalog/package.js';
import { codeOf } from './support.js';

const manifest = (path: string, doc: unknown): Package[] => npmPackageCataloger.parse(path, Buffer.from(JSON.stringify(doc)), {});
const lock = (doc: unknown, path = 'app/package-lock.json'): Package[] => npmLockCataloger.parse(path, Buffer.from(JSON.stringify(doc)), {});
const summary = (pkgs: Package[]) => pkgs.map((p) => `${p.name}@${p.version}${p.dependsOn ? ` -> ${p.dependsOn.join(',')}` : ''}`);

test('installed package.json files are matched at any nesting depth, scoped or not', () => {
  for (const p of [
    'node_modules/lodash/package.json',
    'usr/lib/node_modules/npm/node_modules/@npmcli/arborist/package.json',
    '/app/node_modules/a/node_modules/b/package.json',
  ]) {
    assert.ok(npmPackageCataloger.matches(p), p);
  }
  for (const p of ['package.json', 'node_modules/@babel/package.json', 'node_modules/a/lib/package.json', 'node_modules/.cache/package.json']) {
    assert.ok(!npmPackageCataloger.matches(p), p);
  }
});

test('reads name, version, licences and runtime dependencies of an installed package', () => {
  const [pkg] = manifest('node_modules/@babel/core/package.json', {
    name: '@babel/core',
    version: '7.23.2',
    license: 'MIT',
    dependencies: { '@babel/generator': '^7.23.0', debug: '^4.1.0' },
    optionalDependencies: { fsevents: '*' },
    devDependencies: { jest: '*' },
    peerDependencies: { typescript: '*' },
  });
  assert.deepEqual(pkg, {
    ecosystem: 'npm',
    name: '@babel/core',
    version: '7.23.2',
    purl: 'pkg:npm/%40babel/core@7.23.2',
    licenses: ['MIT'],
    dependsOn: ['@babel/generator', 'debug', 'fsevents'],
    locations: ['node_modules/@babel/core/package.json'],
  });
  assert.deepEqual(manifest('node_modules/x/package.json', { name: 'x', version: '1.0.0', license: { type: 'BSD-3-Clause', url: 'u' } })[0]!.licenses, ['BSD-3-Clause']);
  assert.deepEqual(
    manifest('node_modules/y/package.json', { name: 'y', version: '1.0.0', licenses: [{ type: 'MIT' }, { type: 'Apache-2.0' }, 'MIT'] })[0]!.licenses,
    ['MIT', 'Apache-2.0'],
  );
});

test('a package.json without a string name and version gives no package; bad JSON is an error', () => {
  assert.deepEqual(manifest('node_modules/x/package.json', { name: 'x' }), []);
  assert.deepEqual(manifest('node_modules/x/package.json', { name: 'x', version: 1 }), []);
  assert.deepEqual(manifest('node_modules/x/package.json', { version: '1.0.0' }), []);
  const parse = (text: string) => () => npmPackageCataloger.parse('node_modules/x/package.json', Buffer.from(text), {});
  assert.equal(codeOf(parse('{"name":"x",')), 'JSON_MALFORMED');
  assert.equal(codeOf(parse('{"name":"x","name":"y","version":"1"}')), 'JSON_DUPLICATE_KEY');
  assert.equal(codeOf(parse('[]')), 'JSON_MALFORMED');
  assert.equal(codeOf(parse(`${'['.repeat(1000)}${']'.repeat(1000)}`)), 'JSON_TOO_DEEP');
});

test('lockfile v3: packages keyed by folder; root, workspaces, links and dev entries skipped; aliases', () => {
  const pkgs = lock({
    name: 'app',
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'app', version: '1.0.0', workspaces: ['packages/*'], dependencies: { express: '^4.18.2' } },
      'node_modules/express': { version: '4.18.2', license: 'MIT', dependencies: { debug: '2.6.9', 'body-parser': '1.20.1' } },
      'node_modules/express/node_modules/debug': { version: '2.6.9', dependencies: { ms: '2.0.0' } },
      'node_modules/@types/node': { version: '20.8.10', dev: true, license: 'MIT' },
      'node_modules/fsevents': { version: '2.3.3', optional: true, license: 'MIT' },
      'node_modules/string-width-cjs': { name: 'string-width', version: '4.2.3' },
      'node_modules/@app/util': { resolved: 'packages/util', link: true },
      'packages/util': { name: '@app/util', version: '0.1.0' },
      'node_modules/no-version': {},
    },
  });
  assert.deepEqual(summary(pkgs), [
    'express@4.18.2 -> debug,body-parser',
    'debug@2.6.9 -> ms',
    'fsevents@2.3.3',
    'string-width@4.2.3',
  ]);
  assert.deepEqual(pkgs[0]!.licenses, ['MIT']);
  assert.equal(pkgs[3]!.purl, 'pkg:npm/string-width@4.2.3');
});

test('lockfile v2 is read from "packages", v1 from the nested "dependencies" tree', () => {
  const v2 = lock({
    lockfileVersion: 2,
    packages: { '': {}, 'node_modules/ms': { version: '2.1.3' } },
    dependencies: { ignored: { version: '9.9.9' } },
  });
  assert.deepEqual(summary(v2), ['ms@2.1.3']);
  const v1 = lock({
    name: 'app',
    lockfileVersion: 1,
    dependencies: {
      express: {
        version: '4.17.1',
        requires: { debug: '2.6.9' },
        dependencies: { debug: { version: '2.6.9', requires: { ms: '2.0.0' } } },
      },
      ms: { version: '2.1.3' },
      jest: { version: '29.7.0', dev: true, dependencies: { 'jest-cli': { version: '29.7.0', dev: true } } },
      'strip-ansi-cjs': { version: 'npm:strip-ansi@6.0.1' },
      local: { version: 'file:../local' },
      '@scope/git': { version: 'git+https://github.com/scope/git.git#0a1b2c3' },
    },
  });
  assert.deepEqual(summary(v1), ['express@4.17.1 -> debug', 'debug@2.6.9 -> ms', 'ms@2.1.3', 'strip-ansi@6.0.1', '@scope/git@git+https://github.com/scope/git.git#0a1b2c3']);
  assert.equal(v1[4]!.purl, 'pkg:npm/%40scope/git@git%2Bhttps:%2F%2Fgithub.com%2Fscope%2Fgit.git%230a1b2c3');
  assert.deepEqual(lock({ dependencies: { a: { version: '1.0.0' } } }).map((p) => p.name), ['a']); // no lockfileVersion: v1
});

test('lockfile paths and versions', () => {
  assert.ok(npmLockCataloger.matches('srv/app/package-lock.json'));
  assert.ok(npmLockCataloger.matches('npm-shrinkwrap.json'));
  assert.ok(!npmLockCataloger.matches('node_modules/x/package-lock.json'));
  assert.ok(!npmLockCataloger.matches('yarn.lock'));
  assert.equal(codeOf(() => lock({ lockfileVersion: 4, packages: {} })), 'UNSUPPORTED');
  assert.equal(codeOf(() => lock({ lockfileVersion: '3', packages: {} })), 'UNSUPPORTED');
  assert.equal(codeOf(() => npmLockCataloger.parse('package-lock.json', Buffer.from([0xff, 0xfe]), {})), 'JSON_MALFORMED');
});
