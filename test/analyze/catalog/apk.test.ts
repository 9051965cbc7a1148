import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apkCataloger } from '../../../src/analyze/catalog/apk.js';
import type { Package } from '../../../src/analyze/catalog/package.js';
import { codeOf, fixture } from './support.js';

const installed = fixture('apk/installed');
const alpine = { osRelease: { id: 'alpine', versionId: '3.19.1' } };
const parse = (text: string | Buffer, ctx = {}): Package[] =>
  apkCataloger.parse('lib/apk/db/installed', typeof text === 'string' ? Buffer.from(text) : text, ctx);
const find = (pkgs: Package[], name: string) => pkgs.find((p) => p.name === name)!;

test('reads every record of an Alpine 3.19 installed database', () => {
  const pkgs = parse(installed, alpine);
  assert.deepEqual(
    pkgs.map((p) => `${p.name} ${p.version} ${p.arch}`),
    [
      'musl 1.2.4_git20230717-r4 x86_64',
      'busybox 1.36.1-r15 x86_64',
      'libcrypto3 3.1.4-r1 x86_64',
      'libssl3 3.1.4-r1 x86_64',
      'apk-tools 2.14.0-r5 x86_64',
      'ca-certificates-bundle 20230506-r0 x86_64',
      'zlib 1.3.1-r0 x86_64',
    ],
  );
  const ssl = find(pkgs, 'libssl3');
  assert.equal(ssl.purl, 'pkg:apk/alpine/libssl3@3.1.4-r1?arch=x86_64&distro=alpine-3.19.1');
  assert.deepEqual(ssl.source, { name: 'openssl', version: '3.1.4-r1' });
  assert.deepEqual(ssl.licenses, ['Apache-2.0']);
  assert.deepEqual(ssl.locations, ['lib/apk/db/installed']);
  assert.deepEqual(find(pkgs, 'ca-certificates-bundle').licenses, ['MPL-2.0 AND MIT']);
  assert.equal(find(pkgs, 'musl').purl, 'pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=alpine-3.19.1');
  assert.equal(parse(installed)[0]!.purl, 'pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64');
});

test('dependencies: versions stripped, conflicts dropped, so:/cmd: names resolved through provides', () => {
  const pkgs = parse(installed);
  assert.deepEqual(find(pkgs, 'apk-tools').dependsOn, ['musl', 'ca-certificates-bundle', 'libcrypto3', 'libssl3', 'zlib']);
  assert.deepEqual(find(pkgs, 'libssl3').dependsOn, ['musl', 'libcrypto3']);
  assert.deepEqual(find(pkgs, 'busybox').dependsOn, ['musl']);
  assert.equal(find(pkgs, 'musl').dependsOn, undefined);
  const [lone] = parse('P:a\nV:1-r0\nD:so:libmissing.so.1 cmd:nothing b@edge>2 c~1.2\n');
  assert.deepEqual(lone!.dependsOn, ['b', 'c']);
});

test('matches only the installed database', () => {
  assert.ok(apkCataloger.matches('lib/apk/db/installed'));
  assert.ok(apkCataloger.matches('/lib/apk/db/installed'));
  assert.ok(!apkCataloger.matches('lib/apk/db/installed.adb'));
  assert.ok(!apkCataloger.matches('x/lib/apk/db/installed'));
});

test('malformed databases are refused with PACKAGE_METADATA_MALFORMED', () => {
  const bad = [
    Buffer.from([0x50, 0x3a, 0x61, 0x00, 0x0a]),
    'P:a\nV:1\ngarbage\n',
    'P:a\nV:1\n:x\n',
    'V:1\nA:x86_64\n',
    'P:a\n',
    'P:a\nP:b\nV:1\n',
    'P:a b\nV:1\n',
  ];
  for (const input of bad) assert.equal(codeOf(() => parse(input)), 'PACKAGE_METADATA_MALFORMED', String(input));
  assert.deepEqual(parse(''), []);
  assert.deepEqual(parse('\n\n'), []);
});
