// Shared by the fact-gathering tests: an image built, attested and signed by the CLI (`provenant build --push`,
// `provenant sign`) with a known build environment, the package table `provenant sbom` prints for it, and the
// same table made from gathered package facts.
import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageFacts, PackageFact } from '../../../src/policy/facts.js';
import { provenant } from '../../helpers/cli.js';
import { PASSWORD } from '../../cli/cli-helpers.js';

export const BUILDER_ID = 'https://builder.example/provenant/v1';
export const SOURCE_URI = 'git+https://github.com/acme/app@refs/heads/main';
export const SOURCE_COMMIT = `c0ffee${'0'.repeat(34)}`;
export const CFLAGS = '-O2 -g -fstack-protector-strong';

/** A directory holding only a stand-in `gcc` that prints Debian's gcc banner (12.2.0 by default): the build's whole PATH. */
export async function toolchainBin(dir: string, gccVersion = '12.2.0'): Promise<string> {
  const bin = join(dir, `bin-gcc-${gccVersion}`);
  await mkdir(bin, { recursive: true });
  await writeFile(join(bin, 'gcc'), `#!/bin/sh\necho 'gcc (Debian ${gccVersion}-14) ${gccVersion}'\n`);
  await chmod(join(bin, 'gcc'), 0o755);
  return bin;
}

export interface BuiltImage {
  readonly digest: string;
  /** runDetails.metadata.finishedOn of the SLSA statement the build signed. */
  readonly finishedOn: string;
}

/** `provenant build --push` then `provenant sign` on `ref`, run as a GitHub Actions job would. */
export async function buildAndSign(ref: string, key: string, bin: string, out: string, buildArgs: readonly string[] = []): Promise<BuiltImage> {
  const env = {
    PROVENANT_PASSWORD: PASSWORD,
    PATH: bin,
    CFLAGS,
    GITHUB_ACTIONS: 'true',
    GITHUB_RUN_ID: '4242',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'acme/app',
    // The source comes from the CI variables, as on a GitHub Actions runner.
    GITHUB_SHA: SOURCE_COMMIT,
    GITHUB_REF: 'refs/heads/main',
  };
  const args = ['build', '--key', key, '--push', '--out', out, '--builder-id', BUILDER_ID, '-q', ...buildArgs, ref];
  const built = await provenant(args, env);
  assert.equal(built.code, 0, built.stderr);
  const signed = await provenant(['sign', '--key', key, ref], { PROVENANT_PASSWORD: PASSWORD });
  assert.equal(signed.code, 0, signed.stderr);
  const envelope = JSON.parse(await readFile(join(out, 'provenance.slsa.dsse.json'), 'utf8')) as { payload: string };
  const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as { predicate: { runDetails: { metadata: { finishedOn: string } } } };
  return { digest: (JSON.parse(built.stdout) as { digest: string }).digest, finishedOn: statement.predicate.runDetails.metadata.finishedOn };
}

/** The rows of `provenant sbom --format table` (name, version, type, 1-based layer), header dropped. */
export async function sbomTable(ref: string): Promise<string[][]> {
  const result = await provenant(['sbom', '--format', 'table', '-q', ref]);
  assert.equal(result.code, 0, result.stderr);
  const [header, ...rows] = result.stdout.trimEnd().split('\n');
  assert.match(header!, /^NAME\s+VERSION\s+TYPE\s+LAYER$/);
  return rows.map((r) => r.split(/\s+/));
}

/** Package facts as the table prints them, in its order. */
export function tableOf(packages: readonly PackageFact[]): string[][] {
  return [...packages]
    .sort((a, b) => a.ecosystem.localeCompare(b.ecosystem) || a.name.localeCompare(b.name))
    .map((p) => [p.name, p.version, p.ecosystem, String((p.layer ?? -1) + 1)]);
}

/** The facts without where they were read and when they were recorded, in a stable order, for comparing sources. */
export function withoutProvenance(facts: ImageFacts): unknown {
  const order = (items: unknown[]): unknown[] => items.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  return {
    image: facts.image,
    signatures: order(facts.signatures.map(({ evidence: _e, recordedAt: _r, ...rest }) => rest)),
    attestations: order(facts.attestations.map(({ evidence: _e, issuedAt: _i, ...rest }) => rest)),
    audits: order(facts.audits.map(({ evidence: _e, ...rest }) => rest)),
  };
}
