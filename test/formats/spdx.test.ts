import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { isProvenantError } from '../../src/core/errors.js';
import { canonicalJson, type JsonObject } from '../../src/core/json.js';
import { inventoryFromLayers, type ImageInfo, type LayerRecord } from '../../src/formats/sbom-package.js';
import { SPDX_IMAGE_ID, buildSpdx, interpretLicenses, type SpdxInput } from '../../src/formats/spdx.js';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/sbom-schemas/${name}`, import.meta.url), 'utf8'));
const sample = fixture('sample-image.json') as { image: ImageInfo; layers: LayerRecord[] };

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats.default(ajv);
const validate = ajv.compile(fixture('spdx-2.3-schema.json') as object);

const INPUT: SpdxInput = {
  name: 'registry.example/team/web-app:1.4.2',
  documentNamespace: 'https://provenant.dev/spdx/registry.example/team/web-app/3e671687-395b-41f5-a30f-a58921a69b79',
  created: '2024-03-14T09:26:53Z',
  toolVersion: '0.1.0',
  image: sample.image,
  packages: inventoryFromLayers(sample.layers),
};

type SpdxPackage = { SPDXID: string; name: string; versionInfo: string; licenseDeclared: string; licenseComments?: string; sourceInfo?: string; externalRefs: JsonObject[] };
type Relationship = { spdxElementId: string; relationshipType: string; relatedSpdxElement: string };
const packagesOf = (doc: JsonObject): SpdxPackage[] => doc.packages as unknown as SpdxPackage[];
const relationshipsOf = (doc: JsonObject): Relationship[] => doc.relationships as unknown as Relationship[];
const idOf = (doc: JsonObject, purl: string): string[] =>
  packagesOf(doc).filter((p) => p.externalRefs[0]!.referenceLocator === purl).map((p) => p.SPDXID);

test('the document for a realistic image validates against the official SPDX 2.3 schema', () => {
  const doc = buildSpdx(INPUT);
  assert.equal(validate(doc), true, JSON.stringify(validate.errors, null, 2));
  assert.equal(doc.spdxVersion, 'SPDX-2.3');
  assert.equal(doc.dataLicense, 'CC0-1.0');
  assert.equal(doc.SPDXID, 'SPDXRef-DOCUMENT');
  assert.deepEqual(doc.creationInfo, { created: '2024-03-14T09:26:53Z', creators: ['Tool: provenant-0.1.0'] });
  assert.equal(packagesOf(doc).length, 38);
});

test('a deliberately broken document fails the same schema, so the validation is real', () => {
  const broken = (edit: (doc: JsonObject & { packages: JsonObject[]; relationships: JsonObject[] }) => void): boolean => {
    const doc = structuredClone(buildSpdx(INPUT)) as JsonObject & { packages: JsonObject[]; relationships: JsonObject[] };
    edit(doc);
    return validate(doc);
  };
  assert.equal(broken(() => undefined), true);
  assert.equal(broken((d) => (d.packages[1]!.filesAnalyzed = 'false')), false);
  assert.equal(broken((d) => (d.relationships[0]!.relationshipType = 'CONTAINZ')), false);
  assert.equal(broken((d) => (d.packages[0]!.primaryPackagePurpose = 'IMAGE')), false);
  assert.equal(broken((d) => delete d.packages[2]!.downloadLocation), false);
  assert.equal(broken((d) => (d.documentNamespaces = 'extra')), false);
});

test('SPDXIDs are unique idstrings and every relationship joins existing elements', () => {
  const doc = buildSpdx(INPUT);
  const ids = packagesOf(doc).map((p) => p.SPDXID);
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ids) assert.match(id, /^SPDXRef-[A-Za-z0-9.-]+$/);
  assert.deepEqual(idOf(doc, 'pkg:npm/%40babel/core@7.24.0'), ['SPDXRef-Package-npm--babel-core-7.24.0']);
  assert.deepEqual(idOf(doc, 'pkg:npm/lodash@4.17.21'), ['SPDXRef-Package-npm-lodash-4.17.21', 'SPDXRef-Package-npm-lodash-4.17.21-2']);
  assert.deepEqual(idOf(doc, 'pkg:deb/debian/libstdc%2B%2B6@12.2.0-14?arch=amd64&distro=debian-12'), ['SPDXRef-Package-deb-libstdc-6-12.2.0-14']);
  assert.deepEqual(idOf(doc, 'pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12'), ['SPDXRef-Package-deb-zlib1g-1-1.2.13.dfsg-1']);

  const rels = relationshipsOf(doc);
  const known = new Set([...ids, 'SPDXRef-DOCUMENT']);
  for (const r of rels) assert.ok(known.has(r.spdxElementId) && known.has(r.relatedSpdxElement), JSON.stringify(r));
  assert.deepEqual(rels.filter((r) => r.relationshipType === 'DESCRIBES'), [{ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: SPDX_IMAGE_ID }]);
  const contained = rels.filter((r) => r.relationshipType === 'CONTAINS').map((r) => r.relatedSpdxElement);
  assert.deepEqual(contained, ids.filter((id) => id !== SPDX_IMAGE_ID));
  const dependsOn = (id: string): string[] => rels.filter((r) => r.relationshipType === 'DEPENDS_ON' && r.spdxElementId === id).map((r) => r.relatedSpdxElement);
  assert.deepEqual(dependsOn('SPDXRef-Package-npm-express-4.18.2'), ['SPDXRef-Package-npm-debug-2.6.9', 'SPDXRef-Package-npm-debug-4.3.4', 'SPDXRef-Package-npm-accepts-1.3.8']);
  assert.deepEqual(dependsOn('SPDXRef-Package-deb-libc6-2.36-9-deb12u4'), ['SPDXRef-Package-deb-libgcc-s1-12.2.0-14']);
  assert.deepEqual(dependsOn('SPDXRef-Package-pypi-yamllint-1.35.1'), ['SPDXRef-Package-pypi-PyYAML-6.0.1']);
});

test('the image is the CONTAINER package, and each package names its layer and source', () => {
  const doc = buildSpdx(INPUT);
  const [image] = packagesOf(doc) as (SpdxPackage & JsonObject)[];
  assert.equal(image!.SPDXID, SPDX_IMAGE_ID);
  assert.equal(image!.primaryPackagePurpose, 'CONTAINER');
  assert.equal(image!.versionInfo, sample.image.digest);
  assert.deepEqual(image!.checksums, [{ algorithm: 'SHA256', checksumValue: sample.image.digest.slice(7) }]);
  assert.equal(image!.externalRefs[0]!.referenceLocator, `pkg:oci/web-app@${sample.image.digest}?arch=amd64&repository_url=registry.example%2Fteam%2Fweb-app&tag=1.4.2`);
  const ssl = packagesOf(doc).find((p) => p.name === 'libssl3')!;
  assert.equal(ssl.sourceInfo, `installed by image layer 1 (${sample.layers[1]!.digest}); built from source package openssl 3.0.13-1~deb12u1`);
  const musl = packagesOf(doc).find((p) => p.name === 'musl')!;
  assert.equal(musl.sourceInfo, `installed by image layer 4 (${sample.layers[4]!.digest}); built from source package musl`);
});

test('licenseDeclared is a valid expression Provenant can read back, or NOASSERTION with the text in a comment', () => {
  const doc = buildSpdx(INPUT);
  const byName = (name: string): SpdxPackage => packagesOf(doc).find((p) => p.name === name)!;
  assert.equal(byName('accepts').licenseDeclared, 'MIT');
  assert.equal(byName('node-forge').licenseDeclared, 'BSD-3-Clause OR GPL-2.0');
  assert.equal(byName('libcurl4').licenseDeclared, 'curl AND BSD-3-Clause AND ISC');
  assert.equal(byName('ca-certificates').licenseDeclared, 'NOASSERTION');
  assert.equal(byName('ca-certificates').licenseComments, 'Declared by the package but not an SPDX license expression: "GPL-2+"');
  assert.equal(byName('libstdc++6').licenseDeclared, 'NOASSERTION');
  assert.equal(byName('libstdc++6').licenseComments, undefined);
  for (const p of packagesOf(doc)) {
    if (p.licenseDeclared !== 'NOASSERTION') assert.equal(interpretLicenses([p.licenseDeclared]).expression, p.licenseDeclared);
  }
});

test('licence declarations are read as SPDX license expressions (Annex D)', () => {
  const expr = (...declared: string[]): string | undefined => interpretLicenses(declared).expression;
  assert.equal(expr('mit'), 'MIT');
  assert.equal(expr('apache-2.0 OR mit'), 'Apache-2.0 OR MIT');
  assert.equal(expr('((MIT))'), 'MIT');
  assert.equal(expr('GPL-2.0+'), 'GPL-2.0+');
  assert.equal(expr('GPL-2.0-only WITH classpath-exception-2.0'), 'GPL-2.0-only WITH Classpath-exception-2.0');
  assert.equal(expr('MIT OR Apache-2.0 AND BSD-3-Clause'), 'MIT OR Apache-2.0 AND BSD-3-Clause');
  assert.equal(expr('(MIT OR Apache-2.0) AND BSD-3-Clause'), '(MIT OR Apache-2.0) AND BSD-3-Clause');
  assert.equal(expr('MIT OR Apache-2.0', 'ISC', 'ISC'), '(MIT OR Apache-2.0) AND ISC');
  assert.equal(expr('MIT', 'Zlib AND ISC'), 'MIT AND Zlib AND ISC');
  for (const text of ['MIT and ISC', 'MIT +', 'MIT WITH', 'MIT WITH MIT', '(MIT) WITH LLVM-exception', '(MIT', 'MIT)', 'AND', 'LicenseRef-acme', 'Apache 2.0', 'GPL-2+', '']) {
    assert.equal(expr(text), undefined, text);
  }
  assert.deepEqual(interpretLicenses(['MIT', 'mit', 'GPL-2.0+', 'Public Domain ']).terms, [
    { kind: 'id', id: 'MIT' },
    { kind: 'expression', expression: 'GPL-2.0+' },
    { kind: 'name', name: 'Public Domain' },
  ]);
  assert.deepEqual(interpretLicenses(undefined), { terms: [] });
});

test('the same input gives the same bytes, whatever the order of the packages', () => {
  const a = canonicalJson(buildSpdx(INPUT));
  assert.equal(canonicalJson(buildSpdx(structuredClone(INPUT))), a);
  assert.equal(canonicalJson(buildSpdx({ ...INPUT, packages: [...INPUT.packages].reverse() })), a);
  assert.notEqual(canonicalJson(buildSpdx({ ...INPUT, documentNamespace: `${INPUT.documentNamespace}x` })), a);
});

test('inputs the format cannot carry are refused with USAGE', () => {
  const bad: Partial<SpdxInput>[] = [
    { name: ' ' },
    { documentNamespace: 'https://provenant.dev/spdx/doc#1' },
    { documentNamespace: 'not a uri' },
    { created: '2024-03-14T09:26:53.120Z' },
    { created: '2024-03-14 09:26:53Z' },
    { toolVersion: '0.1 beta' },
    { image: { ...sample.image, name: '' } },
    { packages: [{ package: { ...INPUT.packages[0]!.package, version: '' } }] },
  ];
  for (const change of bad) {
    assert.throws(() => buildSpdx({ ...INPUT, ...change }), (e) => isProvenantError(e, 'USAGE'), JSON.stringify(change));
  }
});
