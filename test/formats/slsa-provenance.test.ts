import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256Digest } from '../../src/core/digest.js';
import { isProvenantError, type ErrorCode } from '../../src/core/errors.js';
import { canonicalJson, type JsonObject } from '../../src/core/json.js';
import { buildStatement, parseStatement, statementToBytes } from '../../src/formats/intoto.js';
import { PREDICATE_TYPE_ALIASES } from '../../src/formats/predicate-types.js';
import {
  PROVENANT_BUILD_TYPE,
  SLSA_PROVENANCE_V1,
  buildSlsaProvenance,
  parseSlsaProvenance,
  slsaProvenanceFromJson,
  type SlsaBuildInput,
} from '../../src/formats/slsa-provenance.js';

const BASE = sha256Digest('debian:12 manifest');
const COMMIT = '7fd1a60b01f91b314f59955a4e4d4e80d8edf11d';
const INPUT: SlsaBuildInput = {
  image: 'registry.example/team/web-app:1.4.2',
  source: { uri: 'git+https://git.example/team/web-app@refs/heads/main', digest: { gitCommit: COMMIT } },
  config: 'Dockerfile',
  baseImages: [{ reference: 'Docker.io/library/debian:12', digest: BASE }],
  buildEnvironment: { host: { os: 'linux', architecture: 'amd64' }, tools: { buildkit: 'v0.13.1' } },
  builder: { id: 'https://provenant.dev/builders/local@v1', version: { provenant: '0.1.0' } },
  metadata: { invocationId: 'build-42', startedOn: '2024-03-14T09:20:00Z', finishedOn: '2024-03-14T09:26:53.5Z' },
  byproducts: [{ name: 'build.log', digest: { sha256: BASE.slice(7) }, mediaType: 'text/plain' }],
};
const code = (c: ErrorCode) => (e: unknown) => isProvenantError(e, c);

test('the predicate records parameters, resolved dependencies and run details as SLSA v1.0 lays them out', () => {
  assert.equal(SLSA_PROVENANCE_V1, PREDICATE_TYPE_ALIASES.slsaprovenance1);
  assert.deepEqual(buildSlsaProvenance(INPUT), {
    buildDefinition: {
      buildType: PROVENANT_BUILD_TYPE,
      externalParameters: { image: INPUT.image, source: 'git+https://git.example/team/web-app@refs/heads/main', config: 'Dockerfile' },
      internalParameters: { buildEnvironment: INPUT.buildEnvironment! },
      resolvedDependencies: [
        { uri: 'oci://docker.io/library/debian:12', digest: { sha256: BASE.slice(7) } },
        { uri: 'git+https://git.example/team/web-app@refs/heads/main', digest: { gitCommit: COMMIT } },
      ],
    },
    runDetails: {
      builder: { id: 'https://provenant.dev/builders/local@v1', version: { provenant: '0.1.0' } },
      metadata: { invocationId: 'build-42', startedOn: '2024-03-14T09:20:00Z', finishedOn: '2024-03-14T09:26:53.5Z' },
      byproducts: [{ name: 'build.log', digest: { sha256: BASE.slice(7) }, mediaType: 'text/plain' }],
    },
  });
});

test('short base image names are qualified as Docker qualifies them', () => {
  const uris = (reference: string): unknown => {
    const built = buildSlsaProvenance({ ...INPUT, source: undefined, baseImages: [{ reference, digest: BASE }] }) as { buildDefinition: { resolvedDependencies: { uri: string }[] } };
    return built.buildDefinition.resolvedDependencies[0]!.uri;
  };
  assert.equal(uris('debian:12'), 'oci://docker.io/library/debian:12');
  assert.equal(uris('team/app'), 'oci://docker.io/team/app');
  assert.equal(uris('localhost/app:dev'), 'oci://localhost/app:dev');
  assert.equal(uris('Registry.Example:5000/team/app:1'), 'oci://registry.example:5000/team/app:1');
});

test('a minimal build has only the required fields, and nothing is read from the clock', () => {
  const predicate = buildSlsaProvenance({ image: 'registry.example/app', builder: { id: 'https://provenant.dev/builders/local@v1' } });
  assert.equal(
    canonicalJson(predicate),
    `{"buildDefinition":{"buildType":"${PROVENANT_BUILD_TYPE}","externalParameters":{"image":"registry.example/app"}},"runDetails":{"builder":{"id":"https://provenant.dev/builders/local@v1"}}}`,
  );
  assert.equal(canonicalJson(buildSlsaProvenance(INPUT)), canonicalJson(buildSlsaProvenance(structuredClone(INPUT))));
});

test('built provenance reads back identically, also from inside a statement', () => {
  const predicate = buildSlsaProvenance(INPUT);
  const read = slsaProvenanceFromJson(predicate);
  assert.deepEqual(read, predicate);
  assert.deepEqual(parseSlsaProvenance(canonicalJson(predicate)), read);
  const statement = buildStatement({ subjects: [{ name: 'registry.example/team/web-app', digest: BASE }], predicateType: SLSA_PROVENANCE_V1, predicate });
  assert.deepEqual(slsaProvenanceFromJson(parseStatement(statementToBytes(statement)).predicate), read);
});

test('building without a required field or with a malformed one is USAGE', () => {
  const bad: Partial<SlsaBuildInput>[] = [
    { image: '' },
    { builder: { id: '' } },
    { builder: { id: 'local builder' } },
    { builder: { id: 'HTTPS://provenant.dev/b' } },
    { builder: { id: 'https://Provenant.dev/b' } },
    { builder: { id: 'https://provenant.dev/b', version: { provenant: 1 as unknown as string } } },
    { baseImages: [{ reference: 'debian :12', digest: BASE }] },
    { source: { uri: 'git+https://git.example/r', digest: { gitCommit: COMMIT.toUpperCase() } } },
    { source: { uri: 'git+https://git.example/r', digest: { sha1: COMMIT.slice(1) } } },
    { source: { uri: 'git+https://git.example/r', digest: {} } },
    { metadata: { startedOn: '2024-03-14T09:20:00+01:00' } },
    { metadata: { finishedOn: '2024-02-30T00:00:00Z' } },
    { byproducts: [{ name: 'log only' }] },
    { dependencies: [{ content: 'not base64!' }] },
  ];
  for (const change of bad) assert.throws(() => buildSlsaProvenance({ ...INPUT, ...change }), code('USAGE'), JSON.stringify(change));
});

test('reading refuses provenance that lacks a field SLSA v1.0 requires', () => {
  const edits: ((p: JsonObject & { buildDefinition: JsonObject; runDetails: JsonObject & { builder: JsonObject } }) => void)[] = [
    (p) => delete (p as JsonObject).buildDefinition,
    (p) => delete (p as JsonObject).runDetails,
    (p) => delete p.buildDefinition.buildType,
    (p) => delete p.buildDefinition.externalParameters,
    (p) => (p.buildDefinition.externalParameters = null),
    (p) => (p.buildDefinition.externalParameters = 'image=x'),
    (p) => delete (p.runDetails as JsonObject).builder,
    (p) => delete p.runDetails.builder.id,
    (p) => (p.runDetails.builder.id = null),
    (p) => (p.buildDefinition.buildType = 'provenant build'),
    (p) => (p.buildDefinition.resolvedDependencies = [{ name: 'only a name' }]),
    (p) => (p.buildDefinition.resolvedDependencies = [{ uri: 'oci://x/y', digest: { sha256: 'abc' } }]),
    (p) => (p.buildDefinition.resolvedDependencies = {}),
    (p) => (p.buildDefinition.internalParameters = []),
    (p) => (p.runDetails.builder.version = { provenant: 1 }),
    (p) => (p.runDetails.metadata = { startedOn: '14 March 2024' }),
    (p) => (p.runDetails.metadata = { invocationId: 42 }),
    (p) => (p.runDetails.byproducts = [{ uri: 'file:///log', annotations: 'x' }]),
  ];
  for (const edit of edits) {
    const p = structuredClone(buildSlsaProvenance(INPUT)) as Parameters<(typeof edits)[0]>[0];
    edit(p);
    assert.throws(() => slsaProvenanceFromJson(p), code('PREDICATE_MALFORMED'), edit.toString());
  }
  assert.throws(() => slsaProvenanceFromJson([]), code('PREDICATE_MALFORMED'));
  assert.throws(() => parseSlsaProvenance('{"buildDefinition":{},"buildDefinition":{}}'), code('PREDICATE_MALFORMED'));
  assert.throws(() => parseSlsaProvenance(canonicalJson(buildSlsaProvenance(INPUT)), 64), code('INPUT_TOO_LARGE'));
});

test('reading ignores unknown fields and treats null like an absent optional field, as the parsing rules say', () => {
  const predicate = structuredClone(buildSlsaProvenance(INPUT)) as JsonObject & { buildDefinition: JsonObject; runDetails: JsonObject };
  predicate['https://example.com/extension'] = { any: 'thing' };
  predicate.buildDefinition.internalParameters = null;
  predicate.buildDefinition.resolvedDependencies = null;
  predicate.runDetails.metadata = { invocationId: null, startedOn: '2024-03-14T09:20:00Z' };
  predicate.runDetails.byproducts = null;
  const read = slsaProvenanceFromJson(predicate);
  assert.equal(Object.hasOwn(read, 'https://example.com/extension'), false);
  assert.equal(read.buildDefinition.internalParameters, undefined);
  assert.equal(read.buildDefinition.resolvedDependencies, undefined);
  assert.deepEqual(read.runDetails.metadata, { startedOn: '2024-03-14T09:20:00Z' });
  assert.equal(read.runDetails.byproducts, undefined);
  assert.equal(read.runDetails.builder.id, INPUT.builder.id);
});
