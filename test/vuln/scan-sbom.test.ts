// Reading SBOMs back for `provenant scan` (src/vuln/sbom-read.ts, sbom-read-purl.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ProvenantError, type ErrorCode } from '../../src/core/errors.js';
import { buildCycloneDx } from '../../src/formats/cyclonedx.js';
import { inventoryFromLayers, type AttributedPackage, type ImageInfo, type LayerRecord } from '../../src/formats/sbom-package.js';
import { buildSpdx } from '../../src/formats/spdx.js';
import { readSbom } from '../../src/vuln/sbom-read.js';
import { packageOfPurl, parsePurl } from '../../src/vuln/sbom-read-purl.js';

// The realistic six-layer image of the SBOM tests (test/fixtures/sbom-schemas/SOURCE.md).
const sample = JSON.parse(readFileSync(new URL('../fixtures/sbom-schemas/sample-image.json', import.meta.url), 'utf8')) as { image: ImageInfo; layers: LayerRecord[] };
const inventory = inventoryFromLayers(sample.layers);
const cyclonedx = buildCycloneDx({ serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79', timestamp: '2024-03-14T09:26:53Z', toolVersion: '0.1.0', image: sample.image, packages: inventory });
const spdx = buildSpdx({
  name: 'registry.example/team/web-app:1.4.2',
  documentNamespace: 'https://provenant.dev/spdx/registry.example/team/web-app/3e671687-395b-41f5-a30f-a58921a69b79',
  created: '2024-03-14T09:26:53Z',
  toolVersion: '0.1.0',
  image: sample.image,
  packages: inventory,
});

/** What a scan needs of a package; PyPI names compare in PEP 503 form, the form purls carry. */
function essentials(p: AttributedPackage, withLocations: boolean, withSource: boolean): unknown {
  const { ecosystem, name, version, purl, arch, source, locations } = p.package;
  return {
    ecosystem,
    name: ecosystem === 'pypi' ? name.toLowerCase() : name,
    version,
    purl,
    arch,
    source: withSource && (ecosystem === 'deb' || ecosystem === 'apk') ? source : undefined,
    locations: withLocations ? [...new Set(locations)] : [],
    layer: p.layer,
  };
}

test("Provenant's CycloneDX BOM reads back to the packages it was written from, with layers, locations and source packages", () => {
  const read = readSbom(JSON.stringify(cyclonedx));
  assert.equal(read.format, 'cyclonedx');
  assert.equal(read.specVersion, '1.6');
  assert.equal(read.created, '2024-03-14T09:26:53Z');
  assert.deepEqual(read.subject, { name: 'registry.example/team/web-app', version: sample.image.digest });
  assert.deepEqual(read.release, { distro: 'debian', versionId: '12' });
  assert.equal(read.releaseFrom, 'purl');
  assert.deepEqual(read.notScanned, []);
  assert.equal(read.packages.length, inventory.length);
  assert.deepEqual(
    read.packages.map((p) => essentials(p, true, true)),
    inventory.map((p) => essentials(p, true, true)),
  );
  assert.ok(inventory.some((p) => p.package.source !== undefined && p.package.source.name !== p.package.name), 'the sample has a binary package built from a differently named source');
});

test("Provenant's SPDX document reads back with layers and the source packages of deb and apk packages", () => {
  const read = readSbom(JSON.stringify(spdx));
  assert.equal(read.format, 'spdx');
  assert.equal(read.specVersion, 'SPDX-2.3');
  assert.equal(read.created, '2024-03-14T09:26:53Z');
  assert.deepEqual(read.subject, { name: 'registry.example/team/web-app', version: sample.image.digest });
  assert.deepEqual(
    read.packages.map((p) => essentials(p, false, true)),
    inventory.map((p) => essentials(p, false, true)),
  );
  const libssl = read.packages.find((p) => p.package.name === 'libssl3')!.package;
  assert.deepEqual(libssl.source, { name: 'openssl', version: libssl.version });
});

test('other tools: an operating-system component names the release; upstream qualifiers name source packages', () => {
  // Written for this test in the shape Syft and Trivy give their CycloneDX output.
  const bom = {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    metadata: { timestamp: '2024-05-01T12:00:00+02:00', component: { type: 'container', name: 'alpine:3.19' } },
    components: [
      { type: 'operating-system', name: 'alpine', version: '3.19.1' },
      { type: 'library', name: 'libcrypto3', purl: 'pkg:apk/alpine/libcrypto3@3.1.4-r5?arch=x86_64&upstream=openssl&distro=alpine-3.19.1' },
      { type: 'library', name: 'log4j-core', purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1' },
      { type: 'application', name: 'bundle', components: [{ type: 'library', purl: 'pkg:npm/%40babel/core@7.24.0' }] },
      { type: 'file', name: 'no-purl' },
    ],
  };
  const read = readSbom(JSON.stringify(bom));
  assert.deepEqual(read.release, { distro: 'alpine', versionId: '3.19.1' });
  assert.equal(read.releaseFrom, 'operating-system');
  assert.equal(read.created, '2024-05-01T12:00:00+02:00');
  assert.deepEqual(
    read.packages.map((p) => [p.package.ecosystem, p.package.name, p.package.version, p.package.source]),
    [
      ['apk', 'libcrypto3', '3.1.4-r5', { name: 'openssl' }],
      ['npm', '@babel/core', '7.24.0', undefined],
    ],
  );
  assert.deepEqual(read.notScanned.map((n) => n.purl), ['pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1']);
});

test('purls: percent-decoding, namespaces, rpm epochs, Go module paths, distro qualifiers', () => {
  assert.deepEqual(parsePurl('pkg:deb/debian/libstdc%2B%2B6@12.2.0-14?arch=amd64&distro=debian-12#sub/path'), {
    type: 'deb',
    namespace: 'debian',
    name: 'libstdc++6',
    version: '12.2.0-14',
    qualifiers: { arch: 'amd64', distro: 'debian-12' },
  });
  assert.equal(packageOfPurl('pkg:rpm/rhel/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=rhel-9.4&epoch=1', []).package!.version, '1:3.0.7-27.el9');
  assert.deepEqual(packageOfPurl('pkg:rpm/rhel/openssl-libs@3.0.7-27.el9?distro=rhel-9.4', []).release, { distro: 'rhel', versionId: '9.4' });
  assert.equal(packageOfPurl('pkg:golang/github.com/spf13/cobra@v1.8.0', []).package!.name, 'github.com/spf13/cobra');
  assert.deepEqual(packageOfPurl('pkg:deb/debian/libc6@2.36-9?upstream=glibc%402.36-9', []).package!.source, { name: 'glibc', version: '2.36-9' });
  assert.deepEqual(packageOfPurl('pkg:deb/debian/base-files@13?distro=debian-trixie', []).release, { distro: 'debian' });
  assert.equal(packageOfPurl('pkg:npm/left-pad', []).unsupported, 'the purl has no version');
});

const refused = (input: string, code: ErrorCode): void => {
  assert.throws(() => readSbom(input), (e) => e instanceof ProvenantError && e.code === code, input.slice(0, 60));
};

test('hostile or foreign input is refused with its code', () => {
  refused('this is not JSON', 'JSON_MALFORMED');
  refused('[1, 2]', 'JSON_MALFORMED');
  refused('{"bomFormat": "CycloneDX", "bomFormat": "SPDX"}', 'JSON_DUPLICATE_KEY');
  refused('{"spdxVersion": "SPDX-3.0", "packages": []}', 'SBOM_MALFORMED');
  refused('{"name": "just some JSON"}', 'SBOM_MALFORMED');
  refused('{"bomFormat": "CycloneDX"}', 'SBOM_MALFORMED');
  refused('{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": {"purl": "pkg:npm/a@1"}}', 'SBOM_MALFORMED');
  refused('{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"purl": 7}]}', 'SBOM_MALFORMED');
  refused('{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"purl": "pkg:npm/a%ZZ@1"}]}', 'SBOM_MALFORMED');
  refused('{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"purl": "npm/a@1"}]}', 'SBOM_MALFORMED');
  refused(`{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": ${'['.repeat(100)}${']'.repeat(100)}}`, 'JSON_TOO_DEEP');
  refused('{"spdxVersion": "SPDX-2.3", "packages": [{"externalRefs": [{"referenceType": "purl"}]}]}', 'SBOM_MALFORMED');
});
