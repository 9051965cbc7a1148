// The images of the five policy examples: one release image and four variants, each differing from it in exactly
// one input (compiler, openssl, signing key, base image), built, attested and signed by `provenant build --push`
// and `provenant sign` into one OCI layout, then recorded into the embedded SQLite log of a data directory the way
// the registry ingest records them. Their facts are gathered from that log once; the log is closed afterwards so
// that `provenant policy test --data DIR` can open it.
import { join } from 'node:path';
import { parseDigest } from '../../src/core/digest.js';
import { LOG_PASSWORD_ENV } from '../../src/cli/log-key.js';
import { openEmbeddedLog } from '../../src/cli/store-access.js';
import { loadVerifier } from '../../src/crypto/index.js';
import { LAYERS_PREDICATE_TYPE, PREDICATE_TYPE_ALIASES, SLSA_PROVENANCE_V1 } from '../../src/formats/index.js';
import { recordImage } from '../../src/ingest/record-image.js';
import { describeEntry } from '../../src/log/entries/index.js';
import type { EntryQuery, LogService } from '../../src/log/service.js';
import { OciLayout } from '../../src/oci/layout.js';
import type { Evidence, ImageFacts } from '../../src/policy/facts.js';
import { gatherFactsFromLog } from '../../src/policy/facts/from-log.js';
import { imageRefOf } from '../../src/policy/facts/image-ref.js';
import { buildImage, writeOciLayout, type LayerSpec } from '../helpers/oci-image.js';
import type { KeyFiles } from '../cli/cli-helpers.js';
import { LOG_PASSWORD, type StoreWorkspace } from '../cli/store-fixtures.js';
import { buildAndSign, toolchainBin } from './facts/facts-fixtures.js';

export const REPOSITORY = 'registry.example.com/acme/app';
export const BASE_DIGEST = `sha256:${'b'.repeat(64)}`;
export const TRUSTED_BASE = `registry.example.com/base/debian:12@${BASE_DIGEST}`;
export const UNTRUSTED_BASE = `docker.io/library/debian:12@${BASE_DIGEST}`;
export const OPENSSL_FIXED = '3.0.11-1~deb12u2';
export const OPENSSL_OLD = '3.0.2-0';
export const LODASH = '4.17.11';

const OS = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nID=debian\n';
const libssl3 = (version: string) =>
  `Package: libssl3\nStatus: install ok installed\nPriority: optional\nSection: libs\nArchitecture: amd64\nMulti-Arch: same\nSource: openssl\nVersion: ${version}\nDescription: Secure Sockets Layer toolkit - shared libraries\n`;

function layers(openssl: string): LayerSpec[] {
  return [
    { createdBy: '/bin/sh -c #(nop) ADD file:bookworm in /', files: { 'etc/os-release': OS, 'var/lib/dpkg/status': libssl3(openssl) } },
    { createdBy: 'RUN npm ci # buildkit', files: { 'app/node_modules/lodash/package.json': JSON.stringify({ name: 'lodash', version: LODASH, license: 'MIT' }) } },
  ];
}

interface Variant {
  readonly gcc: string;
  readonly openssl: string;
  readonly signer: 'A' | 'B';
  readonly base: string;
}

const RELEASE: Variant = { gcc: '12.2.0', openssl: OPENSSL_FIXED, signer: 'A', base: TRUSTED_BASE };

/** The release image and its variants, by tag: each variant changes one thing of the release. */
export const VARIANTS = {
  release: RELEASE,
  'gcc-12.1.0': { ...RELEASE, gcc: '12.1.0' },
  'openssl-3.0.2': { ...RELEASE, openssl: OPENSSL_OLD },
  'signed-by-b': { ...RELEASE, signer: 'B' },
  'docker-hub-base': { ...RELEASE, base: UNTRUSTED_BASE },
} satisfies Record<string, Variant>;

export type Tag = keyof typeof VARIANTS;

/** The statements the builder attests an image's package inventory in, one entry each. */
export const INVENTORY_TYPES = [LAYERS_PREDICATE_TYPE, PREDICATE_TYPE_ALIASES.cyclonedx, PREDICATE_TYPE_ALIASES.spdx] as const;

/** The log entries about one image, found by search (not through the gathered facts). */
export interface LoggedEvidence {
  readonly signature: Evidence;
  readonly slsa: Evidence;
  /** By predicate type. */
  readonly inventory: Readonly<Record<(typeof INVENTORY_TYPES)[number], Evidence>>;
  /**
   * The inventory statement a policy reads: the newest one (docs/policy-evaluation.md, "Trusted provenance"); the
   * three were recorded in one pass, so the newest is the one with the highest log index.
   */
  readonly newestInventory: Evidence;
}

export interface ExampleImage {
  readonly tag: Tag;
  /** `oci:DIR:TAG`, what the CLI is given. */
  readonly ref: string;
  /** The registry reference it runs as. */
  readonly reference: string;
  readonly digest: string;
  /** runDetails.metadata.finishedOn of its SLSA provenance. */
  readonly finishedOn: string;
  readonly facts: ImageFacts;
  readonly logged: LoggedEvidence;
}

async function evidenceOf(log: LogService, query: EntryQuery, kind: Evidence['kind']): Promise<Evidence> {
  const { indices } = await log.search(query, { limit: 10 });
  if (indices.length !== 1) throw new Error(`expected one ${kind} entry for ${JSON.stringify(query)}, found ${indices.length}`);
  const index = indices[0]!;
  return { kind, digest: describeEntry((await log.entry(index)).entryBytes).entryDigest, logIndex: index.toString() };
}

/**
 * Builds every variant with the real builder (keys A and B as given), records them into the log of `ws.data`, and
 * gathers each image's facts from it as `registry.example.com/acme/app:TAG`.
 */
export async function buildExampleImages(ws: StoreWorkspace, keys: { A: KeyFiles; B: KeyFiles }): Promise<Record<Tag, ExampleImage>> {
  const tags = Object.keys(VARIANTS) as Tag[];
  const images = await Promise.all(
    tags.map((tag) => buildImage({ layers: layers(VARIANTS[tag].openssl), annotations: { 'org.opencontainers.image.version': tag } })),
  );
  const layout = ws.path('images');
  await writeOciLayout(
    layout,
    new Map(images.flatMap((i) => [...i.blobs])),
    images.map((image, n) => ({ manifest: image.manifest, name: tags[n]! })),
  );

  const bins = new Map<string, string>();
  const built = new Map<Tag, { digest: string; finishedOn: string }>();
  for (const tag of tags) {
    const { gcc, signer, base } = VARIANTS[tag];
    if (!bins.has(gcc)) bins.set(gcc, await toolchainBin(ws.dir, gcc));
    const ref = `oci:${layout}:${tag}`;
    built.set(tag, await buildAndSign(ref, keys[signer].key, bins.get(gcc)!, ws.path(`out-${tag}`), ['--base-image', base]));
  }

  const { log, key } = await openEmbeddedLog({ location: { dataDir: ws.data }, keyPath: join(ws.data, 'log.key'), env: { [LOG_PASSWORD_ENV]: LOG_PASSWORD } });
  try {
    const repo = await OciLayout.open(layout);
    const trustedKeys = [loadVerifier(keys.A.pair.publicKeyPem), loadVerifier(keys.B.pair.publicKeyPem)];
    const result = {} as Record<Tag, ExampleImage>;
    for (const tag of tags) {
      const { digest, finishedOn } = built.get(tag)!;
      const image = parseDigest(digest);
      await recordImage({ log, repo, signer: key, trustedKeys, registry: 'registry.example.com', repository: 'acme/app', image, tag });
      const reference = `${REPOSITORY}:${tag}`;
      const inventory = {} as Record<(typeof INVENTORY_TYPES)[number], Evidence>;
      for (const type of INVENTORY_TYPES) inventory[type] = await evidenceOf(log, { subject: image, predicateType: type }, 'attestation');
      const logged: LoggedEvidence = {
        signature: await evidenceOf(log, { subject: image, kind: 'signature' }, 'signature'),
        slsa: await evidenceOf(log, { subject: image, predicateType: SLSA_PROVENANCE_V1 }, 'attestation'),
        inventory,
        newestInventory: Object.values(inventory).reduce((a, b) => (BigInt(a.logIndex!) > BigInt(b.logIndex!) ? a : b)),
      };
      const facts = await gatherFactsFromLog(log, imageRefOf(reference, digest));
      result[tag] = { tag, ref: `oci:${layout}:${tag}`, reference, digest, finishedOn, facts, logged };
    }
    return result;
  } finally {
    await log.close();
  }
}
