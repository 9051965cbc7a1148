// Shared by the runtime tests: a real transparency log over the real SQLite store (which also holds the decision
// log and the advisory set), and an image whose provenance the builder's own code produced (analysis of an OCI
// layout, SLSA provenance and the layers predicate), signed with a generated key and appended to the log.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEnvironment } from '../../../src/analyze/environment/build-environment.js';
import { analyzeImage } from '../../../src/analyze/image-analysis.js';
import { provenanceDocuments } from '../../../src/attest/provenance.js';
import type { Digest } from '../../../src/core/digest.js';
import { parseJson, type JsonValue } from '../../../src/core/json.js';
import { SigningKey } from '../../../src/crypto/index.js';
import { buildStatement, IN_TOTO_PAYLOAD_TYPE, signEnvelope, statementToBytes } from '../../../src/formats/index.js';
import { noteSignerFromKey } from '../../../src/formats/signed-note.js';
import { prepareEntry, proposeAttestation } from '../../../src/log/entries/index.js';
import type { AppendResult } from '../../../src/log/service.js';
import { TransparencyLog } from '../../../src/log/transparency-log.js';
import { OciLayout } from '../../../src/oci/layout.js';
import { resolveImage } from '../../../src/oci/resolve.js';
import { openLogStore } from '../../../src/store/open-log-store.js';
import type { ProvenantStore } from '../../../src/store/policy-ports.js';
import { buildImage, writeOciLayout, type LayerSpec } from '../../helpers/oci-image.js';

export interface RuntimeWorld {
  readonly log: TransparencyLog;
  readonly store: ProvenantStore;
  readonly dir: string;
}

/** A log and its store in a fresh temp dir; closed and removed after `fn`. */
export async function withWorld<T>(fn: (world: RuntimeWorld) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'provenant-runtime-'));
  const store = await openLogStore({ dataDir: dir });
  const origin = 'runtime.example/log';
  const log = await TransparencyLog.open({ store, origin, signer: noteSignerFromKey(origin, SigningKey.generate('ed25519')), prepare: prepareEntry, maxDelayMs: 0 });
  try {
    return await fn({ log, store, dir });
  } finally {
    await log.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n';

function stanza(name: string, version: string, extra = ''): string {
  return `Package: ${name}\nStatus: install ok installed\nPriority: optional\nArchitecture: amd64\nVersion: ${version}\n${extra}Description: ${name}\n`;
}

/** A bookworm image with the glibc of bookworm's first point releases (2.36-9+deb12u1, before the CVE-2023-4911 fix). */
export const GLIBC_LAYERS: LayerSpec[] = [
  {
    createdBy: 'RUN debootstrap --variant=minbase bookworm /',
    files: {
      'etc/os-release': OS_RELEASE,
      'var/lib/dpkg/status': [stanza('libc6', '2.36-9+deb12u1', 'Source: glibc\n'), stanza('libc-bin', '2.36-9+deb12u1', 'Source: glibc\n'), stanza('zlib1g', '1:1.2.13.dfsg-1', 'Source: zlib\n')].join('\n'),
    },
  },
  { createdBy: 'COPY app /app', files: { 'app/main.sh': '#!/bin/sh\necho hello\n' } },
];

/** When the image's build finished, as its SLSA provenance says: before DEBIAN-CVE-2023-4911 was published. */
export const BUILD_FINISHED = '2023-09-01T10:00:00.000Z';
export const IMAGE_NAME = 'registry.example/acme/app';
export const IMAGE_REFERENCE = `${IMAGE_NAME}:1.0`;

export interface BuiltProvenance {
  readonly digest: Digest;
  readonly slsa: AppendResult;
  readonly layers: AppendResult;
}

/** Analyses the image as `provenant build` does, signs its SLSA and layers statements with `builder` and appends them. */
export async function recordBuiltImage(log: TransparencyLog, dir: string, builder: SigningKey): Promise<BuiltProvenance> {
  const image = await buildImage({ layers: GLIBC_LAYERS });
  const layout = join(dir, 'layout');
  await writeOciLayout(layout, image.blobs, [{ manifest: image.manifest, name: '1.0' }]);
  const source = await OciLayout.open(layout, '1.0');
  const analysis = await analyzeImage(source, await resolveImage(source));
  const digest = image.manifest.digest;
  const environment = buildEnvironment({ kernel: { release: '6.1.0-13-amd64', machine: 'x86_64' }, env: new Map(), toolchains: [] }, { salt: randomBytes(32), allowInClear: [], builderId: 'https://builder.example/v1' });
  const documents = provenanceDocuments({
    analysis,
    imageName: IMAGE_NAME,
    imageReference: IMAGE_REFERENCE,
    digest,
    tag: '1.0',
    buildEnvironment: environment,
    builderId: 'https://builder.example/v1',
    toolVersion: '0.1.0',
    startedOn: new Date('2023-09-01T09:55:00.000Z'),
    finishedOn: new Date(BUILD_FINISHED),
    uuid: randomUUID(),
  });
  const append = async (kind: 'slsa' | 'layers'): Promise<AppendResult> => {
    const doc = documents.find((d) => d.kind === kind);
    assert.ok(doc, `the builder emits a ${kind} statement`);
    const statement = buildStatement({ subjects: [{ name: IMAGE_NAME, digest }], predicateType: doc.predicateType, predicate: doc.predicate });
    const envelope = await signEnvelope(IN_TOTO_PAYLOAD_TYPE, statementToBytes(statement), [builder]);
    return log.append(proposeAttestation(envelope, builder.publicKeyPem()));
  };
  return { digest, slsa: await append('slsa'), layers: await append('layers') };
}

/** A real advisory from test/fixtures/osv (see SOURCE.md there), as parsed JSON. */
export async function osvFixture(path: string): Promise<JsonValue> {
  return parseJson(await readFile(new URL(`../../fixtures/osv/${path}`, import.meta.url), 'utf8'));
}

/** Polls `probe` until it returns a value, failing after `ms`. */
export async function eventually<T>(probe: () => T | undefined, what: string, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
