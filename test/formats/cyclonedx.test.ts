import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { isProvenantError } from '../../src/core/errors.js';
import { canonicalJson, type JsonObject } from '../../src/core/json.js';
import { CYCLONEDX_PROPERTIES, buildCycloneDx, type CycloneDxInput } from '../../src/formats/cyclonedx.js';
import { inventoryFromLayers, type ImageInfo, type LayerRecord } from '../../src/formats/sbom-package.js';
import { KNOWN_SPDX_IDS } from '../../src/formats/spdx.js';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/sbom-schemas/${name}`, import.meta.url), 'utf8'));
const sample = fixture('sample-image.json') as { image: ImageInfo; layers: LayerRecord[] };

function schemaValidator(): ValidateFunction {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  // bom-1.6 uses two formats ajv-formats lacks; neither appears in Provenant's output, but they must be defined.
  ajv.addFormat('iri-reference', /^[^\s\p{Cc}]*$/u);
  ajv.addFormat('idn-email', /^[^\s@]+@[^\s@]+$/u);
  ajv.addSchema(fixture('spdx.schema.json') as object);
  ajv.addSchema(fixture('jsf-0.82.schema.json') as object);
  return ajv.compile(fixture('bom-1.6.schema.json') as object);
}
const validate = schemaValidator();

const INPUT: CycloneDxInput = {
  serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
  timestamp: '2024-03-14T09:26:53Z',
  toolVersion: '0.1.0',
  image: sample.image,
  packages: inventoryFromLayers(sample.layers),
};
const IMAGE_PURL = `pkg:oci/web-app@${sample.image.digest}?arch=amd64&repository_url=registry.example%2Fteam%2Fweb-app&tag=1.4.2`;

type Component = { 'bom-ref': string; name: string; group?: string; version: string; purl: string; licenses?: JsonObject[]; properties?: { name: string; value: string }[] };
const components = (bom: JsonObject): Component[] => bom.components as unknown as Component[];
const byPurl = (bom: JsonObject, purl: string): Component[] => components(bom).filter((c) => c.purl === purl);

test('the BOM for a realistic image validates against the official CycloneDX 1.6 schema', () => {
  const bom = buildCycloneDx(INPUT);
  assert.equal(validate(bom), true, JSON.stringify(validate.errors, null, 2));
  assert.equal(INPUT.packages.length, 37);
  assert.equal(components(bom).length, 37);
  assert.deepEqual(bom.metadata, {
    timestamp: INPUT.timestamp,
    tools: { components: [{ type: 'application', name: 'provenant', version: '0.1.0' }] },
    component: { type: 'container', 'bom-ref': IMAGE_PURL, name: 'registry.example/team/web-app', version: sample.image.digest, purl: IMAGE_PURL },
  });
  assert.equal(bom.specVersion, '1.6');
  assert.equal(bom.version, 1);
});

test('a deliberately broken BOM fails the same schema, so the validation is real', () => {
  const broken = (edit: (bom: JsonObject & { components: JsonObject[] }) => void): boolean => {
    const bom = structuredClone(buildCycloneDx(INPUT)) as JsonObject & { components: JsonObject[] };
    edit(bom);
    return validate(bom);
  };
  assert.equal(broken(() => undefined), true);
  assert.equal(broken((b) => (b.components[0]!.type = 'librarie')), false);
  assert.equal(broken((b) => (b.components[0]!.licenses = [{ license: { id: 'Not-A-Real-Licence' } }])), false);
  assert.equal(broken((b) => (b.serialNumber = 'urn:uuid:not-a-uuid')), false);
  assert.equal(broken((b) => (b.components[1]!.licenses = [{ expression: 'MIT' }, { license: { id: 'MIT' } }])), false);
  assert.equal(broken((b) => delete b.bomFormat), false);
});

test('repeated purls get distinct bom-refs and every dependency names an existing component', () => {
  const bom = buildCycloneDx(INPUT);
  const refs = components(bom).map((c) => c['bom-ref']);
  assert.equal(new Set([...refs, IMAGE_PURL]).size, refs.length + 1);
  assert.deepEqual(byPurl(bom, 'pkg:npm/lodash@4.17.21').map((c) => c['bom-ref']), ['pkg:npm/lodash@4.17.21', 'pkg:npm/lodash@4.17.21|2']);

  const deps = bom.dependencies as { ref: string; dependsOn: string[] }[];
  for (const d of deps) {
    assert.ok(refs.includes(d.ref));
    for (const r of d.dependsOn) assert.ok(refs.includes(r), r);
  }
  const of = (ref: string): string[] | undefined => deps.find((d) => d.ref === ref)?.dependsOn;
  // express names debug (two versions in the image) and accepts, in that order; body-parser is not in the image.
  assert.deepEqual(of('pkg:npm/express@4.18.2'), ['pkg:npm/debug@2.6.9', 'pkg:npm/debug@4.3.4', 'pkg:npm/accepts@1.3.8']);
  // PEP 503: yamllint's "pyyaml" is the package named PyYAML.
  assert.deepEqual(of('pkg:pypi/yamllint@1.35.1'), ['pkg:pypi/pyyaml@6.0.1']);
  assert.equal(of('pkg:deb/debian/ca-certificates@20230311?arch=amd64&distro=debian-12'), undefined);
  assert.equal(of('pkg:npm/ms@2.0.0'), undefined);
});

test('licences become SPDX ids, one expression, or names', () => {
  const bom = buildCycloneDx(INPUT);
  const lic = (purl: string): JsonObject[] | undefined => byPurl(bom, purl)[0]!.licenses;
  assert.deepEqual(lic('pkg:npm/accepts@1.3.8'), [{ license: { id: 'MIT' } }]);
  assert.deepEqual(lic('pkg:npm/node-forge@1.3.1'), [{ expression: 'BSD-3-Clause OR GPL-2.0' }]);
  assert.deepEqual(lic('pkg:npm/%40acme/widget@0.1.0'), [{ license: { name: 'SEE LICENSE IN LICENSE.txt' } }]);
  const libcurl = 'pkg:deb/debian/libcurl4@7.88.1-10%2Bdeb12u5?arch=amd64&distro=debian-12';
  assert.deepEqual(lic(libcurl), [{ license: { id: 'curl' } }, { license: { id: 'BSD-3-Clause' } }, { license: { id: 'ISC' } }]);
  const gcc = 'pkg:deb/debian/gcc-12-base@12.2.0-14?arch=amd64&distro=debian-12';
  assert.deepEqual(lic(gcc), [{ expression: 'GPL-3.0-or-later WITH GCC-exception-3.1 AND LGPL-2.1-or-later' }]);
  const ca = 'pkg:deb/debian/ca-certificates@20230311?arch=amd64&distro=debian-12';
  assert.deepEqual(lic(ca), [{ license: { id: 'MPL-2.0' } }, { license: { name: 'GPL-2+' } }]);
  assert.equal(lic('pkg:deb/debian/libstdc%2B%2B6@12.2.0-14?arch=amd64&distro=debian-12'), undefined);
});

test('components carry the npm scope as group and the layer that installed them', () => {
  const bom = buildCycloneDx(INPUT);
  const babel = byPurl(bom, 'pkg:npm/%40babel/core@7.24.0')[0]!;
  assert.equal(babel.group, '@babel');
  assert.equal(babel.name, 'core');
  assert.deepEqual(babel.properties, [
    { name: CYCLONEDX_PROPERTIES.layerDigest, value: sample.layers[2]!.digest },
    { name: CYCLONEDX_PROPERTIES.layerIndex, value: '2' },
  ]);
  // The upgrade in layer 1 is attributed to layer 1; the version from layer 0 is gone, as is the purged tzdata.
  const ssl = components(bom).filter((c) => c.name === 'libssl3');
  assert.deepEqual(ssl.map((c) => [c.version, c.properties?.[1]?.value]), [['3.0.13-1~deb12u1', '1']]);
  assert.equal(components(bom).some((c) => c.name === 'tzdata'), false);
  const zlib = components(bom).find((c) => c.name === 'zlib1g')!;
  assert.equal(zlib.version, '1:1.2.13.dfsg-1');
});

test('the same input gives the same bytes, whatever the order of the packages', () => {
  const a = canonicalJson(buildCycloneDx(INPUT));
  assert.equal(canonicalJson(buildCycloneDx(structuredClone(INPUT))), a);
  assert.equal(canonicalJson(buildCycloneDx({ ...INPUT, packages: [...INPUT.packages].reverse() })), a);
  assert.notEqual(canonicalJson(buildCycloneDx({ ...INPUT, timestamp: '2024-03-14T09:26:54Z' })), a);
});

test('inputs the format cannot carry are refused with USAGE', () => {
  const bad: Partial<CycloneDxInput>[] = [
    { serialNumber: 'urn:uuid:3E671687-395B-41F5-A30F-A58921A69B79' },
    { serialNumber: '3e671687-395b-41f5-a30f-a58921a69b79' },
    { timestamp: '2024-03-14T09:26:53+01:00' },
    { timestamp: '2024-02-30T09:26:53Z' },
    { toolVersion: '' },
    { image: { ...sample.image, digest: 'sha256:ABC' as ImageInfo['digest'] } },
    { packages: [{ package: { ...INPUT.packages[0]!.package, purl: 'pkg:npm/wrong-type@1' } }] },
  ];
  for (const change of bad) {
    assert.throws(() => buildCycloneDx({ ...INPUT, ...change }), (e) => isProvenantError(e, 'USAGE'), JSON.stringify(change));
  }
});

test('every licence id Provenant recognises is in the SPDX list CycloneDX 1.6 ships', () => {
  const listed = new Set((fixture('spdx.schema.json') as { enum: string[] }).enum);
  for (const id of KNOWN_SPDX_IDS) assert.ok(listed.has(id), id);
});
