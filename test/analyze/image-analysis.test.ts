import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeImage, type AnalyzeOptions } from '../../src/analyze/image-analysis.js';
import { isProvenantError } from '../../src/core/errors.js';
import { readRpmDatabase } from '../../src/host/rpmdb.js';
import { OciLayout } from '../../src/oci/layout.js';
import { resolveImage } from '../../src/oci/resolve.js';
import { buildImage, writeOciLayout, type LayerSpec } from '../helpers/oci-image.js';
import { ATTRIBUTION_LAYERS } from '../helpers/attribution-layers.js';
import { rpmdbSqlite, rpmPackage } from '../helpers/rpmdb-sqlite.js';
import { goElf, modinfoOf } from './catalog/go-elf.js';

async function analyzeLayers(layers: LayerSpec[], options: AnalyzeOptions = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'provenant-analysis-'));
  try {
    const image = await buildImage({ layers });
    await writeOciLayout(dir, image.blobs, [{ manifest: image.manifest, name: 'v1' }]);
    const source = await OciLayout.open(dir, 'v1');
    return { image, analysis: await analyzeImage(source, await resolveImage(source), options) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const names = (ps: Array<{ name: string; version: string }>): string[] => ps.map((p) => `${p.name}@${p.version}`).sort();

test('each package change is attributed to the layer that made it', async () => {
  const { image, analysis } = await analyzeLayers(ATTRIBUTION_LAYERS);
  const [l1, l2, l3] = analysis.layers;
  assert.deepEqual(names(l1!.packages.added), ['curl@7.88.1-10+deb12u4', 'openssl@3.0.11-1~deb12u1', 'zlib1g@1:1.2.13.dfsg-1']);
  assert.deepEqual([l1!.packages.upgraded.length, l1!.packages.removed.length], [0, 0]);

  assert.deepEqual(names(l2!.packages.added), ['ca-certificates@20230311']);
  assert.deepEqual(l2!.packages.upgraded.map((u) => `${u.from.version}->${u.to.version}`), ['3.0.11-1~deb12u1->3.0.13-1~deb12u1']);
  assert.deepEqual(l2!.packages.removed, []);

  assert.deepEqual(names(l3!.packages.added), ['left-pad@1.3.0', 'requests@2.31.0']);
  assert.deepEqual(names(l3!.packages.removed), ['curl@7.88.1-10+deb12u4']);
  assert.deepEqual(l3!.packages.upgraded, []);

  assert.deepEqual(analysis.layers.map((l) => l.createdBy), ATTRIBUTION_LAYERS.map((l) => l.createdBy));
  assert.deepEqual(analysis.layers.map((l) => l.diffID), image.layers.map((l) => l.diffId));
  assert.equal(analysis.osRelease?.id, 'debian');
  assert.deepEqual(names(analysis.packages), ['ca-certificates@20230311', 'left-pad@1.3.0', 'openssl@3.0.13-1~deb12u1', 'requests@2.31.0', 'zlib1g@1:1.2.13.dfsg-1']);
  const zlib = analysis.packages.find((p) => p.name === 'zlib1g');
  assert.equal(zlib?.source?.name, 'zlib');
  assert.equal(analysis.introducedBy.get(zlib!.purl), 0);
  assert.ok(new Set(analysis.layers.map((l) => l.fileTreeHash)).size === 3);
});

test('a whiteout of the package database removes its packages in that layer', async () => {
  const { analysis } = await analyzeLayers([
    ATTRIBUTION_LAYERS[0]!,
    { createdBy: 'RUN rm -rf /var/lib/dpkg', files: { 'var/lib/.wh.dpkg': '' } },
  ]);
  assert.deepEqual(names(analysis.layers[1]!.packages.removed), ['curl@7.88.1-10+deb12u4', 'openssl@3.0.11-1~deb12u1', 'zlib1g@1:1.2.13.dfsg-1']);
  assert.deepEqual(analysis.packages, []);
});

test('a layer whose content does not match the config diff ID is refused', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'provenant-analysis-'));
  try {
    const image = await buildImage({ layers: ATTRIBUTION_LAYERS.slice(0, 1) });
    const other = await buildImage({ layers: ATTRIBUTION_LAYERS.slice(1, 2) });
    // Same config, but the manifest points at the other image's layer blob.
    const doc = JSON.parse(image.manifest.bytes.toString()) as { layers: unknown[] };
    doc.layers = [other.layers[0]!.desc];
    const bytes = Buffer.from(JSON.stringify(doc));
    const { sha256Digest } = await import('../../src/core/digest.js');
    const manifest = { mediaType: image.manifest.mediaType, digest: sha256Digest(bytes), bytes };
    const blobs = new Map([...image.blobs, ...other.blobs]);
    await writeOciLayout(dir, blobs, [{ manifest, name: 'v1' }]);
    const source = await OciLayout.open(dir, 'v1');
    await assert.rejects(analyzeImage(source, await resolveImage(source)), (e: unknown) => isProvenantError(e, 'DIGEST_MISMATCH'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

// An ELF binary goes into the layer as bytes, never through UTF-8.
const binary = (bytes: Buffer): Buffer => bytes;
const goApp = (toml: string, net: string): Buffer =>
  binary(
    goElf({
      modinfo: modinfoOf([
        'path\tgithub.com/acme/app',
        'mod\tgithub.com/acme/app\t(devel)\t',
        `dep\tgithub.com/BurntSushi/toml\t${toml}\th1:x=`,
        `dep\tgolang.org/x/net\t${net}\th1:y=`,
      ]),
    }),
  );

test('a Go binary streamed through the analysis: added, upgraded when rebuilt, removed by a whiteout', async () => {
  const { analysis } = await analyzeLayers([
    { createdBy: 'COPY app /usr/local/bin/app', files: { 'usr/local/bin/app': goApp('v1.3.2', 'v0.17.0'), 'usr/local/bin/tiny': '\x7fELF' } },
    { createdBy: 'COPY app /usr/local/bin/app # rebuilt', files: { 'usr/local/bin/app': goApp('v1.4.0', 'v0.17.0') } },
    { createdBy: 'RUN rm /usr/local/bin/app', files: { 'usr/local/bin/.wh.app': '' } },
  ]);
  const [l1, l2, l3] = analysis.layers;
  assert.deepEqual(names(l1!.packages.added), ['github.com/BurntSushi/toml@v1.3.2', 'github.com/acme/app@(devel)', 'golang.org/x/net@v0.17.0']);
  assert.ok(l1!.packages.added.every((p) => p.ecosystem === 'golang' && p.locations.join() === 'usr/local/bin/app'));
  assert.deepEqual(l2!.packages.upgraded.map((u) => `${u.from.name} ${u.from.version}->${u.to.version}`), ['github.com/BurntSushi/toml v1.3.2->v1.4.0']);
  assert.deepEqual([l2!.packages.added, l2!.packages.removed], [[], []]);
  assert.deepEqual(names(l3!.packages.removed), ['github.com/BurntSushi/toml@v1.4.0', 'github.com/acme/app@(devel)', 'golang.org/x/net@v0.17.0']);
  assert.deepEqual([l3!.packages.added, l3!.packages.upgraded], [[], []]);
  assert.deepEqual([analysis.packages, analysis.problems], [[], []]);
});

test('Go binaries: modules shared by two binaries are one package; a pre-1.18 binary is a problem', async () => {
  const old = binary(goElf({ format: 'pointer', goVersion: 'go1.16.15', modinfo: modinfoOf(['mod\texample.com/old\tv1.0.0\th1:z=']) }));
  const { analysis } = await analyzeLayers([
    { createdBy: 'COPY bins /', files: { 'usr/local/bin/app': goApp('v1.3.2', 'v0.17.0'), 'usr/bin/other': goApp('v1.3.2', 'v0.18.0'), 'opt/old': old } },
  ]);
  const toml = analysis.packages.filter((p) => p.name === 'github.com/BurntSushi/toml');
  assert.deepEqual(toml.map((p) => p.locations), [['usr/bin/other', 'usr/local/bin/app']]);
  assert.deepEqual(names(analysis.packages.filter((p) => p.name === 'golang.org/x/net')), ['golang.org/x/net@v0.17.0', 'golang.org/x/net@v0.18.0']);
  assert.deepEqual(analysis.problems.map((p) => [p.path, p.cataloger, p.code]), [['opt/old', 'go-binary', 'UNSUPPORTED']]);
  assert.equal(analysis.introducedBy.get(toml[0]!.purl), 0);
});

test('rpmdb.sqlite read through the reader port: added, upgraded and removed per layer', async () => {
  const fedora = { 'etc/os-release': 'ID=fedora\nVERSION_ID=38\n' };
  const { analysis } = await analyzeLayers(
    [
      { createdBy: 'RUN dnf install bash zlib', files: { ...fedora, 'var/lib/rpm/rpmdb.sqlite': await rpmdbSqlite([rpmPackage('bash', '5.2.15', '3.fc38'), rpmPackage('zlib', '1.2.13', '3.fc38')]) } },
      { createdBy: 'RUN dnf upgrade bash && dnf remove zlib', files: { 'var/lib/rpm/rpmdb.sqlite': await rpmdbSqlite([rpmPackage('bash', '5.2.21', '1.fc38')]) } },
    ],
    { rpmDatabase: readRpmDatabase },
  );
  const [l1, l2] = analysis.layers;
  assert.deepEqual(names(l1!.packages.added), ['bash@5.2.15-3.fc38', 'zlib@1.2.13-3.fc38']);
  assert.ok(l1!.packages.added.every((p) => p.ecosystem === 'rpm' && p.purl.startsWith('pkg:rpm/fedora/') && p.locations.join() === 'var/lib/rpm/rpmdb.sqlite'));
  assert.deepEqual(l2!.packages.upgraded.map((u) => `${u.from.name} ${u.from.version}->${u.to.version}`), ['bash 5.2.15-3.fc38->5.2.21-1.fc38']);
  assert.deepEqual(names(l2!.packages.removed), ['zlib@1.2.13-3.fc38']);
  assert.deepEqual(l2!.packages.added, []);
  assert.deepEqual([names(analysis.packages), analysis.problems], [['bash@5.2.21-1.fc38'], []]);
  assert.equal(analysis.introducedBy.get(analysis.packages[0]!.purl), 1);
});

test('rpmdb.sqlite: without a reader it is not read; garbage at its path is a problem, not a crash', async () => {
  const db = await rpmdbSqlite([rpmPackage('bash', '5.2.15', '3.fc38')]);
  const unread = await analyzeLayers([{ createdBy: 'RUN dnf install bash', files: { 'usr/lib/sysimage/rpm/rpmdb.sqlite': db } }]);
  assert.deepEqual([unread.analysis.packages, unread.analysis.problems], [[], []]);

  const { analysis } = await analyzeLayers(
    [
      { createdBy: 'RUN dnf install bash', files: { 'usr/lib/sysimage/rpm/rpmdb.sqlite': db } },
      { createdBy: 'RUN damage', files: { 'usr/lib/sysimage/rpm/rpmdb.sqlite': Buffer.from('not a database\n'.repeat(20)) } },
    ],
    { rpmDatabase: readRpmDatabase },
  );
  assert.deepEqual(names(analysis.layers[0]!.packages.added), ['bash@5.2.15-3.fc38']);
  assert.deepEqual(names(analysis.layers[1]!.packages.removed), ['bash@5.2.15-3.fc38']);
  assert.deepEqual(analysis.problems.map((p) => [p.path, p.cataloger, p.code]), [['usr/lib/sysimage/rpm/rpmdb.sqlite', 'rpm', 'PACKAGE_METADATA_MALFORMED']]);
});
