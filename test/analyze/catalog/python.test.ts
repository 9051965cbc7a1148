import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pythonCataloger } from '../../../src/analyze/catalog/python.js';
import type { Package } from '../../../src/analyze/catalog/package.js';
import { codeOf } from './support.js';

const parse = (text: string | Buffer, path = 'usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA'): Package[] =>
  pythonCataloger.parse(path, typeof text === 'string' ? Buffer.from(text) : text, {});

const REQUESTS = `Metadata-Version: 2.1
Name: requests
Version: 2.31.0
Summary: Python HTTP for Humans.
Home-page: https://requests.readthedocs.io
Author: Kenneth Reitz
Author-email: me@kennethreitz.org
License: Apache 2.0
Project-URL: Documentation, https://requests.readthedocs.io
Classifier: Development Status :: 5 - Production/Stable
Classifier: Intended Audience :: Developers
Classifier: License :: OSI Approved :: Apache Software License
Classifier: Programming Language :: Python :: 3
Requires-Python: >=3.7
Description-Content-Type: text/markdown
License-File: LICENSE
Requires-Dist: charset-normalizer (<4,>=2)
Requires-Dist: idna (<4,>=2.5)
Requires-Dist: urllib3 (<3,>=1.21.1)
Requires-Dist: certifi (>=2017.4.17)
Provides-Extra: socks
Requires-Dist: PySocks (!=1.5.7,>=1.5.6) ; extra == 'socks'
Provides-Extra: use_chardet_on_py3
Requires-Dist: chardet (<6,>=3.0.2) ; extra == 'use_chardet_on_py3'
Requires-Dist: typing_extensions>=4; python_version < "3.8"

# Requests

Name: not-a-header
**Requests** is a simple, yet elegant, HTTP library.
`;

test('reads a wheel METADATA: name, version, licences, requirements without extras', () => {
  assert.deepEqual(parse(REQUESTS), [
    {
      ecosystem: 'pypi',
      name: 'requests',
      version: '2.31.0',
      purl: 'pkg:pypi/requests@2.31.0',
      licenses: ['Apache 2.0', 'Apache Software License'],
      dependsOn: ['charset-normalizer', 'idna', 'urllib3', 'certifi', 'typing-extensions'],
      locations: ['usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA'],
    },
  ]);
});

test('License-Expression wins; pasted licence text and UNKNOWN are not licences', () => {
  const v24 = 'Metadata-Version: 2.4\nName: PyYAML\nVersion: 6.0.1\nLicense-Expression: MIT\nClassifier: License :: OSI Approved :: MIT License\n';
  const [yaml] = parse(v24);
  assert.deepEqual([yaml!.name, yaml!.purl, yaml!.licenses], ['PyYAML', 'pkg:pypi/pyyaml@6.0.1', ['MIT']]);
  const pasted = 'Metadata-Version: 1.1\nName: zope.interface\nVersion: 6.1\nLicense: Copyright (c) Zope\n        All rights reserved.\nClassifier: License :: OSI Approved :: Zope Public License\n';
  const [zope] = parse(pasted, 'usr/lib/python3.11/site-packages/zope.interface-6.1-py3.11.egg-info/PKG-INFO');
  assert.deepEqual([zope!.purl, zope!.licenses], ['pkg:pypi/zope-interface@6.1', ['Zope Public License']]);
  const unknown = parse('Metadata-Version: 1.0\nName: old\nVersion: 0.1\nLicense: UNKNOWN\nClassifier: License :: OSI Approved\n');
  assert.equal(unknown[0]!.licenses, undefined);
});

test('metadata paths: dist-info, egg-info directories and single-file egg-info', () => {
  for (const p of [
    'usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA',
    'opt/venv/lib/python3.12/site-packages/six-1.16.0.egg-info/PKG-INFO',
    'usr/lib/python3/dist-packages/distro_info-1.5.egg-info',
  ]) {
    assert.ok(pythonCataloger.matches(p), p);
  }
  for (const p of ['METADATA', 'x.dist-info/RECORD', 'x/PKG-INFO', 'x.egg-info/SOURCES.txt']) assert.ok(!pythonCataloger.matches(p), p);
});

test('no name or version gives no package; binary data and bad names are refused', () => {
  assert.deepEqual(parse('Metadata-Version: 2.1\nName: x\n'), []);
  assert.deepEqual(parse('Metadata-Version: 2.1\n\nName: x\nVersion: 1\n'), []); // after the header block
  assert.deepEqual(parse(''), []);
  assert.equal(codeOf(() => parse(Buffer.from([0x4e, 0x61, 0x6d, 0x65, 0x3a, 0x00]))), 'PACKAGE_METADATA_MALFORMED');
  assert.equal(codeOf(() => parse('Name: two words\nVersion: 1\n')), 'PACKAGE_METADATA_MALFORMED');
});

test('long hostile values are handled in bounded time', () => {
  const started = Date.now();
  const [pkg] = parse(`Name: x\nVersion: 1\nRequires-Dist: a${';'.repeat(1 << 20)}b\nLicense: MIT${' '.repeat(1 << 20)}x\n`);
  assert.deepEqual([pkg!.dependsOn, pkg!.licenses], [['a'], undefined]);
  assert.ok(!pythonCataloger.matches(`${'a.dist-info'.repeat(1 << 16)}/x`));
  assert.ok(Date.now() - started < 5000);
});

test('folded headers and CRLF line ends', () => {
  const [pkg] = parse('Name: folded\r\nVersion: 1.0\r\nRequires-Dist: a\r\n  ; python_version >= "3"\r\nRequires-Dist: b[x] ;\r\n extra == "y"\r\n');
  assert.deepEqual([pkg!.version, pkg!.dependsOn], ['1.0', ['a']]);
});
