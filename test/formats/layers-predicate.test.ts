import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { sha256Digest } from '../../src/core/digest.js';
import { isProvenantError, type ErrorCode } from '../../src/core/errors.js';
import { canonicalJson, type JsonObject } from '../../src/core/json.js';
import { buildStatement, parseStatement, statementToBytes } from '../../src/formats/intoto.js';
import {
  LAYERS_PREDICATE_TYPE,
  buildLayersPredicate,
  layersPredicateFromJson,
  parseLayersPredicate,
  type LayersPredicateInput,
} from '../../src/formats/layers-predicate.js';
import { inventoryFromLayers, type BuildEnvironment, type ImageInfo, type LayerRecord, type Package } from '../../src/formats/sbom-package.js';

const sample = JSON.parse(readFileSync(new URL('../fixtures/sbom-schemas/sample-image.json', import.meta.url), 'utf8')) as {
  image: ImageInfo;
  buildEnvironment: BuildEnvironment;
  layers: LayerRecord[];
};
const INPUT: LayersPredicateInput = { image: sample.image, buildEnvironment: sample.buildEnvironment, layers: sample.layers };
const code = (c: ErrorCode) => (e: unknown) => isProvenantError(e, c);
type Mutable = JsonObject & { layers: (JsonObject & { packages: JsonObject & { added: JsonObject[]; upgraded: JsonObject[] } })[]; image: JsonObject & { platform: JsonObject } };

test('a built predicate parses back to the same content, with packages trimmed to their identity', () => {
  const predicate = buildLayersPredicate(INPUT);
  const parsed = layersPredicateFromJson(predicate);
  assert.deepEqual(parsePredicateBytes(predicate), parsed);
  assert.deepEqual(parsed.image, { digest: sample.image.digest, configDigest: sample.image.configDigest, platform: { os: 'linux', architecture: 'amd64' } });
  assert.deepEqual(parsed.buildEnvironment, sample.buildEnvironment);
  assert.equal(parsed.layers.length, 6);
  const [l1, l5] = [parsed.layers[1]!, parsed.layers[5]!];
  assert.equal(l1.createdBy, sample.layers[1]!.createdBy);
  assert.equal(l5.createdBy, null);
  assert.deepEqual(l5.packages, { added: [], upgraded: [], removed: [] });
  assert.deepEqual(l1.packages.upgraded[0]!.to, {
    ecosystem: 'deb',
    name: 'libssl3',
    version: '3.0.13-1~deb12u1',
    purl: 'pkg:deb/debian/libssl3@3.0.13-1~deb12u1?arch=amd64&distro=debian-12',
    source: { name: 'openssl', version: '3.0.13-1~deb12u1' },
  });
  assert.deepEqual(l1.packages.removed.map((p) => p.name), ['tzdata']);
  const musl = parsed.layers[4]!.packages.added.find((p) => p.name === 'musl')!;
  assert.deepEqual(musl.source, { name: 'musl' });
  const { size, entries, diffID, fileTreeHash, mediaType } = sample.layers[3]!;
  assert.deepEqual({ size, entries, diffID, fileTreeHash, mediaType }, pick(parsed.layers[3]!));
});

function parsePredicateBytes(predicate: JsonObject) {
  return parseLayersPredicate(Buffer.from(canonicalJson(predicate)));
}

function pick(l: { size: number; entries: number; diffID: string; fileTreeHash: string; mediaType: string }) {
  return { size: l.size, entries: l.entries, diffID: l.diffID, fileTreeHash: l.fileTreeHash, mediaType: l.mediaType };
}

test('the predicate travels in an in-toto statement and reads back from it', () => {
  const predicate = buildLayersPredicate(INPUT);
  const statement = buildStatement({ subjects: [{ name: sample.image.name, digest: sample.image.digest }], predicateType: LAYERS_PREDICATE_TYPE, predicate });
  const read = parseStatement(statementToBytes(statement));
  assert.equal(read.predicateType, LAYERS_PREDICATE_TYPE);
  assert.deepEqual(layersPredicateFromJson(read.predicate), layersPredicateFromJson(predicate));
});

test('building is deterministic and independent of later changes to the input', () => {
  const input = structuredClone(INPUT) as LayersPredicateInput & { buildEnvironment: JsonObject };
  const predicate = buildLayersPredicate(input);
  const bytes = canonicalJson(predicate);
  assert.equal(canonicalJson(buildLayersPredicate(structuredClone(INPUT))), bytes);
  input.buildEnvironment.reproducible = false;
  (input.layers[0]!.packages.added as Package[]).pop();
  assert.equal(canonicalJson(predicate), bytes);
  assert.ok(!bytes.includes('"locations"') && !bytes.includes('"dependsOn"') && !bytes.includes('"licenses"'));
});

test('strict reading refuses unknown fields at every level', () => {
  const edits: ((p: Mutable) => void)[] = [
    (p) => (p.extra = 1),
    (p) => (p.image.name = 'registry.example/app'),
    (p) => (p.image.platform['os.version'] = '10.0'),
    (p) => (p.layers[0]!.emptyLayer = false),
    (p) => (p.layers[0]!.packages.added[0]!.licenses = ['MIT']),
    (p) => (p.layers[0]!.packages.added[0]!.source = { name: 'x', version: '1', url: 'https://x' }),
    (p) => (p.layers[1]!.packages.upgraded[0]!.reason = 'security'),
    (p) => (p.layers[0]!.packages.changed = []),
  ];
  for (const edit of edits) expectMalformed(edit);
});

test('strict reading checks types, forms and presence', () => {
  const edits: ((p: Mutable) => void)[] = [
    (p) => delete p.buildEnvironment,
    (p) => (p.buildEnvironment = []),
    (p) => (p.image.digest = sample.image.digest.toUpperCase()),
    (p) => (p.image.configDigest = 'sha512:' + 'a'.repeat(128)),
    (p) => (p.image.platform.variant = null),
    (p) => (p.image.platform.architecture = ''),
    (p) => ((p as JsonObject).layers = {}),
    (p) => (p.layers[2]!.index = 3),
    (p) => (p.layers[0]!.size = '29150000'),
    (p) => (p.layers[0]!.entries = -1),
    (p) => (p.layers[0]!.size = 1.5),
    (p) => (p.layers[0]!.createdBy = 7),
    (p) => delete p.layers[5]!.createdBy,
    (p) => (p.layers[0]!.fileTreeHash = 'sha256:1234'),
    (p) => (p.layers[0]!.packages.added[0]!.ecosystem = 'cargo'),
    (p) => (p.layers[0]!.packages.added[0]!.purl = 'pkg:npm/base-files@1'),
    (p) => (p.layers[0]!.packages.added[0]!.version = ''),
    (p) => delete p.layers[0]!.packages.added[0]!.name,
    (p) => (p.layers[1]!.packages.upgraded[0] = { from: {} }),
    (p) => (p.layers[0]!.packages.removed = null),
  ];
  for (const edit of edits) expectMalformed(edit);
});

function expectMalformed(edit: (p: Mutable) => void): void {
  const p = structuredClone(buildLayersPredicate(INPUT)) as Mutable;
  edit(p);
  assert.throws(() => layersPredicateFromJson(p), code('PREDICATE_MALFORMED'), edit.toString());
  assert.throws(() => parsePredicateBytes(p), code('PREDICATE_MALFORMED'), edit.toString());
}

test('malformed bytes are PREDICATE_MALFORMED, oversized ones INPUT_TOO_LARGE', () => {
  const good = canonicalJson(buildLayersPredicate(INPUT));
  assert.throws(() => parseLayersPredicate('{"layers":[],"layers":[]}'), code('PREDICATE_MALFORMED'));
  assert.throws(() => parseLayersPredicate('[1]'), code('PREDICATE_MALFORMED'));
  assert.throws(() => parseLayersPredicate(good.slice(0, -1)), code('PREDICATE_MALFORMED'));
  assert.throws(() => parseLayersPredicate(good, 1024), code('INPUT_TOO_LARGE'));
});

test('building from inputs the format cannot carry is USAGE', () => {
  const layer = sample.layers[0]!;
  const bad: LayerRecord[][] = [
    [{ ...layer, digest: 'sha256:abc' as LayerRecord['digest'] }],
    [{ ...layer, index: 1 }],
    [{ ...layer, size: Number.NaN }],
    [{ ...layer, packages: { ...layer.packages, added: [{ ...layer.packages.added[0]!, purl: 'pkg:rpm/x@1' }] } }],
  ];
  for (const layers of bad) assert.throws(() => buildLayersPredicate({ ...INPUT, layers }), code('USAGE'));
  assert.throws(() => buildLayersPredicate({ ...INPUT, image: { ...INPUT.image, platform: { os: 'linux', architecture: '' } } }), code('USAGE'));
});

test('the inventory applies removals, upgrades and additions layer by layer', () => {
  const inventory = inventoryFromLayers(sample.layers);
  const names = inventory.map((a) => `${a.layer?.index}:${a.package.name}@${a.package.version}`);
  assert.equal(inventory.length, 37);
  assert.ok(!names.some((n) => n.includes('tzdata')));
  assert.ok(names.includes('1:libssl3@3.0.13-1~deb12u1') && !names.some((n) => n.includes('libssl3@3.0.11')));
  assert.deepEqual(names.filter((n) => n.includes('lodash')), ['2:lodash@4.17.21', '4:lodash@4.17.21']);

  // A later removal takes the copy at the same path; with no path match, the most recent copy.
  const pkg = (location: string): Package => ({ ecosystem: 'npm', name: 'a', version: '1', purl: 'pkg:npm/a@1', locations: [location] });
  const layer = (index: number, added: Package[], removed: Package[] = []): LayerRecord => ({
    ...sample.layers[0]!,
    index,
    digest: sha256Digest(`l${index}`),
    packages: { added, upgraded: [], removed },
  });
  const left = inventoryFromLayers([layer(0, [pkg('x'), pkg('y')]), layer(1, [], [pkg('x')])]);
  assert.deepEqual(left.map((a) => a.package.locations), [['y']]);
  const lastGone = inventoryFromLayers([layer(0, [pkg('x')]), layer(1, [pkg('y')]), layer(2, [], [pkg('z')])]);
  assert.deepEqual(lastGone.map((a) => a.package.locations), [['x']]);
  const reinstalled = inventoryFromLayers([layer(0, [pkg('x')]), layer(1, [pkg('x')], [pkg('x')])]);
  assert.deepEqual(reinstalled.map((a) => a.layer?.index), [1]);
});

test('the example in docs/layers-predicate.md is a valid predicate', () => {
  const doc = readFileSync(new URL('../../docs/layers-predicate.md', import.meta.url), 'utf8');
  const example = /```json\n([\s\S]*?)\n```/.exec(doc)?.[1];
  assert.ok(example !== undefined);
  const parsed = parseLayersPredicate(example);
  assert.deepEqual(parsed.layers.map((l) => l.packages.added.map((p) => p.name)), [['zlib1g'], ['@babel/core']]);
  assert.equal(parsed.layers[1]!.packages.upgraded[0]!.to.version, '3.0.13-1~deb12u1');
});
