// `provenant sbom`, `provenant build` and `provenant scan` on real images made by real tools: a Debian bookworm root from
// debootstrap (minbase, cached; see test/helpers/debootstrap.ts) packed into an OCI layout by umoci, then two
// more layers made by umoci repack from edits of the same bundle. The SBOM is compared with dpkg-query on the
// same root, and the signed per-layer predicate with the edits each layer made. Needs root (umoci keeps
// ownership only as root), debootstrap, dpkg-query, umoci and skopeo; a missing one fails the test.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { errorCode, provenant, type CliResult } from '../helpers/cli.js';
import { bookwormRoot, dpkgQuery, run, tool } from '../helpers/debootstrap.js';

const LAYERS_V1 = 'https://provenant.dev/attestation/layers/v1';
const PASSWORD = 'build-debootstrap test key';
const ENV = { PROVENANT_PASSWORD: PASSWORD };
const DPKG_FORMAT = '${Package} ${Version} ${Architecture}\n';
const UPGRADED = 'gzip';
const REMOVED = 'util-linux-extra';
const BASE_HISTORY = 'debootstrap --variant=minbase bookworm';
const MID_HISTORY = `provenant test: upgrade ${UPGRADED}, add provenant-demo`;
const APP_HISTORY = `provenant test: remove ${REMOVED}, add left-pad and requests`;

interface PredicatePackage {
  ecosystem: string;
  name: string;
  version: string;
  purl: string;
}
interface PredicateLayer {
  index: number;
  digest: string;
  createdBy: string | null;
  fileTreeHash: string;
  packages: { added: PredicatePackage[]; upgraded: { from: PredicatePackage; to: PredicatePackage }[]; removed: PredicatePackage[] };
}
interface Statement {
  _type: string;
  subject: { name: string; digest: Record<string, string> }[];
  predicateType: string;
  predicate: { image: { digest: string }; layers: PredicateLayer[] };
}
interface BuildOutput {
  digest: string;
  layers: { digest: string; fileTreeHash: string }[];
  statements: { kind: string; predicateType: string; attTag?: string; referrer?: string }[];
}
interface Bom {
  metadata: { component: { version: string } };
  components: { name: string; group?: string; version: string; purl: string; properties?: { name: string; value: string }[] }[];
}

let work: string;
let umoci: string;
let skopeo: string;
let layout: string;
let key: string;
/** dpkg-query's "name version arch" lines for the debootstrapped root, and after layers 2 and 3. */
let baseDebs: string[];
let midDebs: string[];
let appDebs: string[];
let upgradedFrom: string;
let upgradedTo: string;

function ok(r: CliResult, what: string): unknown {
  assert.equal(r.code, 0, `${what} exited ${r.code}:\n${r.stderr}`);
  assert.equal(errorCode(r), undefined);
  return JSON.parse(r.stdout) as unknown;
}

/** The `arch` qualifier of a purl, as the dpkg cataloger writes it for deb packages. */
function purlArch(purl: string): string | undefined {
  const q = purl.indexOf('?');
  return q < 0 ? undefined : (new URLSearchParams(purl.slice(q + 1).split('#')[0]).get('arch') ?? undefined);
}

/** "name version arch" for deb packages, "ecosystem name version" for the others. */
function key3(p: { ecosystem: string; name: string; version: string; purl: string }): string {
  return p.ecosystem === 'deb' ? `${p.name} ${p.version} ${purlArch(p.purl)}` : `${p.ecosystem} ${p.name} ${p.version}`;
}

function layerIndex(c: Bom['components'][number]): string | undefined {
  return c.properties?.find((p) => p.name === 'provenant:layer:index')?.value;
}

/** Rewrites var/lib/dpkg/status in place (keeping its owner and mode), paragraph by paragraph. */
function editStatus(rootfs: string, edit: (paragraphs: string[]) => string[]): void {
  const path = join(rootfs, 'var/lib/dpkg/status');
  const paragraphs = readFileSync(path, 'utf8').split(/\n\n+/).map((p) => p.replace(/\n+$/, '')).filter((p) => p !== '');
  writeFileSync(path, edit(paragraphs).map((p) => `${p}\n`).join('\n'));
}

const isStanzaOf = (name: string) => (p: string) => p.startsWith(`Package: ${name}\n`);

function addFile(rootfs: string, path: string, text: string): void {
  mkdirSync(dirname(join(rootfs, path)), { recursive: true });
  writeFileSync(join(rootfs, path), text);
}

function repack(bundle: string, tag: string, createdBy: string): void {
  run(umoci, ['repack', '--refresh-bundle', '--history.created_by', createdBy, '--image', `${layout}:${tag}`, bundle]);
}

/** The manifest skopeo reads for the tag, and its digest (sha256 of the bytes, as `sha256sum` prints it). */
function rawManifest(tag: string): { digest: string; layers: string[] } {
  const raw = run(skopeo, ['inspect', '--raw', `oci:${layout}:${tag}`]);
  const manifest = JSON.parse(raw) as { layers: { digest: string }[] };
  return { digest: `sha256:${createHash('sha256').update(raw).digest('hex')}`, layers: manifest.layers.map((l) => l.digest) };
}

before(() => {
  assert.equal(process.getuid?.(), 0, 'this test runs umoci unpack/repack without --rootless and debootstrap: it must run as root');
  umoci = tool('umoci', ['/usr/bin/umoci', '/usr/sbin/umoci']);
  skopeo = tool('skopeo', ['/usr/bin/skopeo']);
  const cp = tool('cp', ['/usr/bin/cp', '/bin/cp']);
  const root = bookwormRoot();
  baseDebs = dpkgQuery(root, DPKG_FORMAT);

  work = mkdtempSync(join(tmpdir(), 'provenant-build-debootstrap-'));
  layout = join(work, 'layout');
  const bundle = join(work, 'bundle');
  const rootfs = join(bundle, 'rootfs');
  run(umoci, ['init', '--layout', layout]);
  run(umoci, ['new', '--image', `${layout}:base`]);
  run(umoci, ['unpack', '--image', `${layout}:base`, bundle]);
  run(cp, ['-a', `${root}/.`, `${rootfs}/`]);
  repack(bundle, 'base', BASE_HISTORY);

  // Layer 2: one package upgraded in place, one new package.
  const old = baseDebs.find((l) => l.startsWith(`${UPGRADED} `));
  assert.ok(old !== undefined, `${UPGRADED} is not in the minbase root`);
  upgradedFrom = old.split(' ')[1]!;
  upgradedTo = `${upgradedFrom}+provenant1`;
  editStatus(rootfs, (ps) => {
    const i = ps.findIndex(isStanzaOf(UPGRADED));
    ps[i] = ps[i]!.replace(/^Version: .*$/m, `Version: ${upgradedTo}`);
    return [
      ...ps,
      [
        'Package: provenant-demo',
        'Status: install ok installed',
        'Priority: optional',
        'Section: misc',
        'Installed-Size: 1',
        'Maintainer: Provenant tests <tests@provenant.invalid>',
        'Architecture: all',
        'Version: 1.0',
        'Description: a package only this test installs',
      ].join('\n'),
    ];
  });
  repack(bundle, 'mid', MID_HISTORY);
  midDebs = dpkgQuery(rootfs, DPKG_FORMAT);

  // Layer 3: one package removed, an npm and a Python package added.
  assert.ok(baseDebs.some((l) => l.startsWith(`${REMOVED} `)), `${REMOVED} is not in the minbase root`);
  editStatus(rootfs, (ps) => ps.filter((p) => !isStanzaOf(REMOVED)(p)));
  addFile(rootfs, 'app/node_modules/left-pad/package.json', `${JSON.stringify({ name: 'left-pad', version: '1.3.0', license: 'WTFPL' }, null, 2)}\n`);
  addFile(
    rootfs,
    'usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA',
    'Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\nSummary: Python HTTP for Humans.\nLicense: Apache 2.0\nRequires-Dist: idna (<4,>=2.5)\n\nThe description.\n',
  );
  repack(bundle, 'app', APP_HISTORY);
  appDebs = dpkgQuery(rootfs, DPKG_FORMAT);
});

before(async () => {
  key = join(work, 'K');
  ok(await provenant(['keygen', '--output-key-prefix', key], ENV), 'provenant keygen');
});

after(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

test('the layer edits are what dpkg-query itself reads from the bundle', () => {
  const gzip = (v: string) => baseDebs.find((l) => l.startsWith(`${UPGRADED} `))!.replace(` ${upgradedFrom} `, ` ${v} `);
  const expectedMid = [...baseDebs.filter((l) => !l.startsWith(`${UPGRADED} `)), gzip(upgradedTo), 'provenant-demo 1.0 all'].sort();
  assert.deepEqual(midDebs, expectedMid);
  assert.deepEqual(appDebs, expectedMid.filter((l) => !l.startsWith(`${REMOVED} `)));
});

test('sbom of the debootstrapped image lists exactly the packages dpkg-query reports', { timeout: 120_000 }, async () => {
  const bom = ok(await provenant(['sbom', '--format', 'cyclonedx-json', '-q', `oci:${layout}:base`]), 'provenant sbom') as Bom;
  assert.ok(baseDebs.length > 50, `only ${baseDebs.length} packages in the minbase root`);
  assert.equal(bom.metadata.component.version, rawManifest('base').digest);
  for (const c of bom.components) assert.ok(c.purl.startsWith(`pkg:deb/debian/${encodeURIComponent(c.name)}@`), c.purl);
  assert.deepEqual(bom.components.map((c) => `${c.name} ${c.version} ${purlArch(c.purl)}`).sort(), baseDebs);
  for (const c of bom.components) assert.equal(layerIndex(c), '0', c.name);
});

test('sbom of the three-layer image agrees with dpkg-query on the final bundle and names the layer of each package', { timeout: 120_000 }, async () => {
  const bom = ok(await provenant(['sbom', '--format', 'cyclonedx-json', '-q', `oci:${layout}:app`]), 'provenant sbom') as Bom;
  assert.equal(bom.metadata.component.version, rawManifest('app').digest);
  const debs = bom.components.filter((c) => c.purl.startsWith('pkg:deb/'));
  assert.deepEqual(debs.map((c) => `${c.name} ${c.version} ${purlArch(c.purl)}`).sort(), appDebs);
  const others = bom.components.filter((c) => !c.purl.startsWith('pkg:deb/'));
  assert.deepEqual(others.map((c) => `${c.purl} ${layerIndex(c)}`).sort(), ['pkg:npm/left-pad@1.3.0 2', 'pkg:pypi/requests@2.31.0 2']);
  const introducedIn1 = debs.filter((c) => layerIndex(c) === '1').map((c) => `${c.name} ${c.version}`).sort();
  assert.deepEqual(introducedIn1, [`${UPGRADED} ${upgradedTo}`, 'provenant-demo 1.0']);
  assert.ok(debs.every((c) => ['0', '1'].includes(layerIndex(c) ?? '')));
});

test("the base layer's file-tree hash is the same in two builds of the image", { timeout: 120_000 }, async () => {
  const hashes: string[] = [];
  for (const out of ['out-1', 'out-2']) {
    const built = ok(await provenant(['build', '--key', `${key}.key`, '--out', join(work, out), '-q', `oci:${layout}:base`], ENV), 'provenant build') as BuildOutput;
    assert.equal(built.digest, rawManifest('base').digest);
    assert.equal(built.layers.length, 1);
    assert.match(built.layers[0]!.fileTreeHash, /^sha256:[0-9a-f]{64}$/);
    const envelope = JSON.parse(readFileSync(join(work, out, 'layers.dsse.json'), 'utf8')) as { payload: string };
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as Statement;
    assert.equal(statement.predicate.layers[0]!.fileTreeHash, built.layers[0]!.fileTreeHash);
    hashes.push(built.layers[0]!.fileTreeHash);
  }
  assert.equal(hashes[0], hashes[1]);
});

test('build --push on a three-layer image attests what each layer installed, upgraded and removed', { timeout: 180_000 }, async () => {
  const manifest = rawManifest('app');
  assert.equal(manifest.layers.length, 3);
  assert.deepEqual(rawManifest('mid').layers, manifest.layers.slice(0, 2));
  const built = ok(await provenant(['build', '--key', `${key}.key`, '--out', join(work, 'out-app'), '--push', '-q', `oci:${layout}:app`], ENV), 'provenant build --push') as BuildOutput;
  assert.equal(built.digest, manifest.digest);
  // Attached both ways; verify-attestation reports the same envelope found in both places once.
  const pushed = built.statements.find((st) => st.predicateType === LAYERS_V1);
  assert.equal(pushed?.attTag, `sha256-${manifest.digest.slice('sha256:'.length)}.att`);
  assert.match(pushed?.referrer ?? '', /^sha256:[0-9a-f]{64}$/);

  const verified = ok(await provenant(['verify-attestation', '--key', `${key}.pub`, '--type', LAYERS_V1, `oci:${layout}:app`]), 'provenant verify-attestation') as {
    predicateType: string;
    statement: Statement;
  }[];
  assert.ok(verified.length >= 1);
  const hex = manifest.digest.slice('sha256:'.length);
  for (const { predicateType, statement } of verified) {
    assert.equal(predicateType, LAYERS_V1);
    assert.equal(statement.predicateType, LAYERS_V1);
    assert.equal(statement.subject.length, 1);
    assert.deepEqual(statement.subject[0]!.digest, { sha256: hex });
    assert.equal(statement.predicate.image.digest, manifest.digest);

    const layers = statement.predicate.layers;
    assert.deepEqual(layers.map((l) => l.index), [0, 1, 2]);
    assert.deepEqual(layers.map((l) => l.digest), manifest.layers);
    assert.deepEqual(layers.map((l) => l.createdBy), [BASE_HISTORY, MID_HISTORY, APP_HISTORY]);
    assert.deepEqual(layers.map((l) => l.fileTreeHash), built.layers.map((l) => l.fileTreeHash));
    const changes = layers.map((l) => ({
      added: l.packages.added.map(key3).sort(),
      upgraded: l.packages.upgraded.map((u) => `${key3(u.from)} -> ${key3(u.to)}`).sort(),
      removed: l.packages.removed.map(key3).sort(),
    }));
    const arch = (name: string) => baseDebs.find((l) => l.startsWith(`${name} `))!.split(' ')[2]!;
    assert.deepEqual(changes[0], { added: baseDebs, upgraded: [], removed: [] });
    assert.deepEqual(changes[1], {
      added: ['provenant-demo 1.0 all'],
      upgraded: [`${UPGRADED} ${upgradedFrom} ${arch(UPGRADED)} -> ${UPGRADED} ${upgradedTo} ${arch(UPGRADED)}`],
      removed: [],
    });
    const removed = baseDebs.find((l) => l.startsWith(`${REMOVED} `))!;
    assert.deepEqual(changes[2], { added: ['npm left-pad 1.3.0', 'pypi requests 2.31.0'], upgraded: [], removed: [removed] });
  }

  // Another key verifies nothing; the image below the attested one has no attestation.
  const other = join(work, 'other');
  ok(await provenant(['keygen', '--output-key-prefix', other], ENV), 'provenant keygen');
  const wrongKey = await provenant(['verify-attestation', '--key', `${other}.pub`, '--type', LAYERS_V1, `oci:${layout}:app`]);
  assert.equal(wrongKey.code, 1);
  assert.equal(errorCode(wrongKey), 'SIGNATURE_INVALID');
  const unattested = await provenant(['verify-attestation', '--key', `${key}.pub`, '--type', LAYERS_V1, `oci:${layout}:mid`]);
  assert.equal(unattested.code, 1);
  assert.equal(errorCode(unattested), 'ATTESTATION_MISSING');
});

// `provenant scan` on the minbase image with the real Debian 12 advisories of test/fixtures/osv/debian-12/:
// exactly the findings its EXPECTED.md lists, and Trivy's exit status rule.
const DEBIAN_12 = new URL('../fixtures/osv/debian-12/', import.meta.url).pathname;
const MINBASE_FINDINGS = [
  'apt DEBIAN-CVE-2011-3374',
  'coreutils DEBIAN-CVE-2016-2781',
  'coreutils DEBIAN-CVE-2025-5278',
  'libapt-pkg6.0 DEBIAN-CVE-2011-3374',
  'libc-bin DEBIAN-CVE-2010-4756',
  'libc-bin DEBIAN-CVE-2019-1010022',
  'libc6 DEBIAN-CVE-2010-4756',
  'libc6 DEBIAN-CVE-2019-1010022',
];
interface ScanJson {
  findings: { package: { name: string }; advisories: string[]; severity: { rating: string } }[];
}
const findingKeys = (report: ScanJson): string[] => report.findings.flatMap((f) => f.advisories.map((a) => `${f.package.name} ${a}`)).sort();

test('scan of the minbase image finds exactly the expected Debian 12 advisories', { timeout: 120_000 }, async () => {
  const report = ok(await provenant(['scan', `oci:${layout}:base`, '--db', DEBIAN_12, '--format', 'json', '-q']), 'provenant scan') as ScanJson;
  assert.deepEqual(findingKeys(report), MINBASE_FINDINGS);
  const critical = report.findings.filter((f) => f.severity.rating === 'HIGH' || f.severity.rating === 'CRITICAL');
  assert.deepEqual(findingKeys({ findings: critical }), ['libc-bin DEBIAN-CVE-2019-1010022', 'libc6 DEBIAN-CVE-2019-1010022']);
  const recent = ok(await provenant(['scan', `oci:${layout}:base`, '--db', DEBIAN_12, '--published-after', '2024-01-01', '--format', 'json', '-q']), 'scan --published-after') as ScanJson;
  assert.deepEqual(findingKeys(recent), ['coreutils DEBIAN-CVE-2025-5278']);
});

test('scan --exit-code 1 --severity HIGH,CRITICAL exits 1 on the minbase image only while a HIGH or CRITICAL finding exists', { timeout: 120_000 }, async () => {
  const gate = ['--exit-code', '1', '--severity', 'HIGH,CRITICAL', '--format', 'json', '-q'];
  const failing = await provenant(['scan', `oci:${layout}:base`, '--db', DEBIAN_12, ...gate]);
  assert.equal(failing.code, 1, failing.stderr);
  assert.deepEqual(findingKeys(JSON.parse(failing.stdout) as ScanJson), ['libc-bin DEBIAN-CVE-2019-1010022', 'libc6 DEBIAN-CVE-2019-1010022']);
  // The same data without the one CRITICAL record: the lower findings remain, but none passes the filter.
  const db = join(work, 'debian-12-without-critical');
  mkdirSync(db);
  for (const name of readdirSync(DEBIAN_12)) if (name.endsWith('.json') && name !== 'DEBIAN-CVE-2019-1010022.json') copyFileSync(join(DEBIAN_12, name), join(db, name));
  const passing = await provenant(['scan', `oci:${layout}:base`, '--db', db, ...gate]);
  assert.equal(passing.code, 0, passing.stderr);
  assert.deepEqual(findingKeys(JSON.parse(passing.stdout) as ScanJson), []);
});
