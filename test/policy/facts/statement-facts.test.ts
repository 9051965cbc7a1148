// The statement -> fact mapping both gatherers share, on hand-made statements: what other builders and SBOM
// producers write, and predicates the readers must refuse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256Digest } from '../../../src/core/digest.js';
import { isProvenantError, type ErrorCode } from '../../../src/core/errors.js';
import type { JsonObject, JsonValue } from '../../../src/core/json.js';
import { buildSlsaProvenance, SLSA_PROVENANCE_V1, STATEMENT_TYPE_V01, STATEMENT_TYPE_V1, type Statement } from '../../../src/formats/index.js';
import { attestationFact, statementContent } from '../../../src/policy/facts/statement-facts.js';

const IMAGE = sha256Digest('image manifest');
const COMMIT = '7fd1a60b01f91b314f59955a4e4d4e80d8edf11d';
const SOURCE = 'git+https://git.example/team/app@refs/heads/main';
const code = (c: ErrorCode) => (e: unknown) => isProvenantError(e, c);

function statement(predicateType: string, predicate: JsonValue, type: Statement['_type'] = STATEMENT_TYPE_V1): Statement {
  return { _type: type, subject: [{ name: 'registry.example/team/app', digest: { sha256: IMAGE.slice(7) } }], predicateType, predicate };
}

function slsa(buildEnvironment?: JsonObject): JsonObject {
  return buildSlsaProvenance({
    image: 'registry.example/team/app:1.0',
    source: { uri: SOURCE, digest: { gitCommit: COMMIT } },
    ...(buildEnvironment === undefined ? {} : { buildEnvironment }),
    builder: { id: 'https://ci.example/builder@v2' },
    metadata: { startedOn: '2024-03-14T09:20:00Z', finishedOn: '2024-03-14T09:26:53Z' },
  });
}

const signer = { keyId: sha256Digest('key'), publicKey: '-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n' };
const source = { signer, evidence: { kind: 'attestation' as const, digest: sha256Digest('envelope') }, revocations: [] };

test('SLSA from another builder: source with its resolved digest, an empty environment, and the statement time as issuedAt', () => {
  const fact = attestationFact(statement(SLSA_PROVENANCE_V1, slsa()), IMAGE, source);
  assert.equal(fact.issuedAt, '2024-03-14T09:26:53Z');
  assert.deepEqual(fact.build, {
    builderId: 'https://ci.example/builder@v2',
    buildType: 'https://provenant.dev/build/v1',
    source: { uri: SOURCE, digest: { gitCommit: COMMIT } },
    toolchains: [],
    compilerFlags: {},
    resolvedDependencies: [{ uri: SOURCE, digest: { gitCommit: COMMIT } }],
    startedOn: '2024-03-14T09:20:00Z',
    finishedOn: '2024-03-14T09:26:53Z',
  });
  // In the log, the time the log integrated the entry is what counts.
  assert.equal(attestationFact(statement(SLSA_PROVENANCE_V1, slsa()), IMAGE, { ...source, recordedAt: '2025-01-01T00:00:00.000Z' }).issuedAt, '2025-01-01T00:00:00.000Z');
});

test('a build environment of the wrong shape is refused rather than read in part', () => {
  const bad: JsonObject[] = [
    { toolchains: [{ name: 'gcc' }] },
    { toolchains: { gcc: '12.2.0' } },
    { compilerFlags: { CFLAGS: ['-O2'] } },
    { os: 'debian' },
    { ci: { system: 42 } },
  ];
  for (const environment of bad) {
    assert.throws(() => statementContent(statement(SLSA_PROVENANCE_V1, slsa(environment))), code('PREDICATE_MALFORMED'), JSON.stringify(environment));
  }
  const ok = statementContent(statement(SLSA_PROVENANCE_V1, slsa({ toolchains: [{ name: 'gcc', version: '12.2.0', path: '/usr/bin/gcc' }], os: { id: 'debian', versionId: '12' }, kernel: { release: 'x' } })));
  assert.deepEqual(ok.build?.toolchains, [{ name: 'gcc', version: '12.2.0' }]);
  assert.deepEqual(ok.build?.os, { id: 'debian', versionId: '12' });
});

test('an SPDX document as text in a v0.1 statement, under a versioned type, gives its packages and release', () => {
  const spdx = {
    spdxVersion: 'SPDX-2.3',
    SPDXID: 'SPDXRef-DOCUMENT',
    creationInfo: { created: '2024-05-01T10:00:00Z', creators: ['Tool: other-scanner'] },
    packages: [
      { SPDXID: 'SPDXRef-os', name: 'alpine', versionInfo: '3.19.1', primaryPackagePurpose: 'OPERATING-SYSTEM' },
      {
        SPDXID: 'SPDXRef-musl',
        name: 'musl',
        versionInfo: '1.2.4_git20230717-r4',
        externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: 'pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&upstream=musl' }],
      },
    ],
  };
  const fact = attestationFact(statement('https://spdx.dev/Document/v2.3', JSON.stringify(spdx), STATEMENT_TYPE_V01), IMAGE, source);
  assert.deepEqual(fact.packages, [
    { ecosystem: 'apk', name: 'musl', version: '1.2.4_git20230717-r4', purl: 'pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&upstream=musl', source: { name: 'musl' } },
  ]);
  assert.deepEqual(fact.osRelease, { distro: 'alpine', versionId: '3.19.1' });
  assert.equal(fact.issuedAt, '2024-05-01T10:00:00Z');
  assert.throws(() => statementContent(statement('https://cyclonedx.org/bom', { bomFormat: 'SPDX' })), code('SBOM_MALFORMED'));
});

test('other predicate types are facts by type alone; a statement about another image is refused', () => {
  const vex = attestationFact(statement('https://openvex.dev/ns', { statements: [] }), IMAGE, source);
  assert.deepEqual(Object.keys(vex).sort(), ['evidence', 'predicateType', 'revocations', 'signer']);
  assert.throws(() => attestationFact(statement('https://openvex.dev/ns', {}), sha256Digest('another image'), source), code('SIGNATURE_DIGEST_MISMATCH'));
  assert.throws(() => statementContent(statement('https://provenant.dev/attestation/layers/v1', { image: {} })), code('PREDICATE_MALFORMED'));
});
