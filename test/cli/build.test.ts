// `provenant build` and `provenant sbom` end to end on an OCI layout: the statements verify, name the
// image's digest, attribute each package change to its layer, and leak no secret of the build environment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { sha256Digest } from '../../src/core/digest.js';
import { ATTRIBUTION_LAYERS } from '../helpers/attribution-layers.js';
import { errorCode, provenant } from '../helpers/cli.js';
import { buildImage, tarBytes, writeOciLayout } from '../helpers/oci-image.js';

const SECRETS = {
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  GITHUB_TOKEN: 'ghp_16C7e42F292c6912E7710c838347Ae178B4a',
  NPM_TOKEN: 'npm_abcdefghijklmnopqrstuvwxyz0123456789',
  DATABASE_URL: 'postgres://admin:hunter2hunter2@db.internal/prod',
};

async function setup(): Promise<{ dir: string; ref: string; digest: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'provenant-build-'));
  const image = await buildImage({ layers: ATTRIBUTION_LAYERS });
  await writeOciLayout(join(dir, 'img'), image.blobs, [{ manifest: image.manifest, name: 'v1' }]);
  const keygen = await provenant(['keygen', '--output-key-prefix', join(dir, 'cosign')], { PROVENANT_PASSWORD: 'pw' });
  assert.equal(keygen.code, 0, keygen.stderr);
  return { dir, ref: `oci:${join(dir, 'img')}:v1`, digest: image.manifest.digest };
}

test('build --out --push: four signed statements on the image digest, verified, per-layer attribution, no secrets', async () => {
  const { dir, ref, digest } = await setup();
  try {
    const env = { PROVENANT_PASSWORD: 'pw', ...SECRETS, GITHUB_ACTIONS: 'true', GITHUB_RUN_ID: '4242', GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/app', GITHUB_SHA: 'a'.repeat(40), PATH: process.env.PATH ?? '' };
    const built = await provenant(['build', '--key', join(dir, 'cosign.key'), '--out', join(dir, 'out'), '--push', '--env', 'GITHUB_RUN_ID', ref], env);
    assert.equal(built.code, 0, built.stderr);
    assert.equal(JSON.parse(built.stdout).digest, digest);

    const types = {
      slsaprovenance1: 'https://slsa.dev/provenance/v1',
      'https://provenant.dev/attestation/layers/v1': 'https://provenant.dev/attestation/layers/v1',
      cyclonedx: 'https://cyclonedx.org/bom',
      spdxjson: 'https://spdx.dev/Document',
    };
    for (const [alias, uri] of Object.entries(types)) {
      const verified = await provenant(['verify-attestation', '--key', join(dir, 'cosign.pub'), '--type', alias, ref]);
      assert.equal(verified.code, 0, `${alias}: ${verified.stderr}`);
      const [first] = JSON.parse(verified.stdout) as Array<{ predicateType: string; statement: { subject: Array<{ digest: { sha256: string } }> } }>;
      assert.equal(first!.predicateType, uri);
      assert.equal(`sha256:${first!.statement.subject[0]!.digest.sha256}`, digest);
    }

    const layersOut = await provenant(['verify-attestation', '--key', join(dir, 'cosign.pub'), '--type', 'https://provenant.dev/attestation/layers/v1', ref]);
    const predicate = (JSON.parse(layersOut.stdout) as Array<{ statement: { predicate: { layers: Array<{ createdBy: string; packages: { added: Array<{ name: string }>; upgraded: Array<{ from: { version: string }; to: { version: string } }>; removed: Array<{ name: string }> } }> } } }>)[0]!.statement.predicate;
    const [l1, l2, l3] = predicate.layers;
    assert.deepEqual(l1!.packages.added.map((p) => p.name).sort(), ['curl', 'openssl', 'zlib1g']);
    assert.deepEqual(l2!.packages.added.map((p) => p.name), ['ca-certificates']);
    assert.deepEqual(l2!.packages.upgraded.map((u) => `${u.from.version}->${u.to.version}`), ['3.0.11-1~deb12u1->3.0.13-1~deb12u1']);
    assert.deepEqual(l3!.packages.removed.map((p) => p.name), ['curl']);
    assert.deepEqual(l3!.packages.added.map((p) => p.name).sort(), ['left-pad', 'requests']);
    assert.equal(l3!.createdBy, ATTRIBUTION_LAYERS[2]!.createdBy);

    // Nothing written anywhere carries a secret value, in clear, base64 or hex.
    const outputs = [built.stdout, built.stderr];
    for (const name of await readdir(join(dir, 'out'))) outputs.push(await readFile(join(dir, 'out', name), 'utf8'));
    for (const name of await readdir(join(dir, 'img', 'blobs', 'sha256'))) outputs.push((await readFile(join(dir, 'img', 'blobs', 'sha256', name))).toString('latin1'));
    const haystack = outputs.join('\n');
    const decoded = haystack + [...haystack.matchAll(/"payload":\s*"([A-Za-z0-9+/=]+)"/g)].map((m) => Buffer.from(m[1]!, 'base64').toString('utf8')).join('\n');
    for (const [name, value] of Object.entries(SECRETS)) {
      for (const form of [value, Buffer.from(value).toString('base64'), Buffer.from(value).toString('hex'), 'hunter2']) {
        assert.equal(decoded.includes(form), false, `${name} leaked as ${form}`);
      }
      assert.ok(decoded.includes(name), `${name} is recorded by name`);
    }
    assert.ok(decoded.includes('"GITHUB_RUN_ID":"4242"') || decoded.includes('"GITHUB_RUN_ID": "4242"'), 'allow-listed value recorded in clear');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('sbom prints CycloneDX, SPDX and a table naming the introducing layer', async () => {
  const { dir, ref } = await setup();
  try {
    const cdx = await provenant(['sbom', '--format', 'cyclonedx-json', ref]);
    assert.equal(cdx.code, 0, cdx.stderr);
    const bom = JSON.parse(cdx.stdout) as { specVersion: string; components: Array<{ name: string }> };
    assert.equal(bom.specVersion, '1.6');
    assert.deepEqual(bom.components.map((c) => c.name).sort(), ['ca-certificates', 'left-pad', 'openssl', 'requests', 'zlib1g']);
    const spdx = JSON.parse((await provenant(['sbom', '--format', 'spdx-json', ref])).stdout) as { spdxVersion: string };
    assert.equal(spdx.spdxVersion, 'SPDX-2.3');
    const table = (await provenant(['sbom', ref])).stdout.split('\n');
    assert.match(table.find((l) => l.startsWith('openssl'))!, /3\.0\.13-1~deb12u1\s+deb\s+2$/);
    assert.match(table.find((l) => l.startsWith('zlib1g'))!, /deb\s+1$/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

// Limit breaches (entry counts, bombs past the 1 GiB grace) are covered with lowered limits in test/analyze.
test('hostile layers are refused with their own codes', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'provenant-hostile-'));
  try {
    const cases: Array<[string, Buffer, string]> = [
      ['traversal', gzipSync(await tarBytes([{ name: '../etc/passwd', data: 'x' }])), 'ARCHIVE_PATH_UNSAFE'],
      ['truncated', gzipSync(await tarBytes([{ name: 'a', data: randomBytes(20_000) }])).subarray(0, 8_000), 'ARCHIVE_TRUNCATED'],
      ['garbage', randomBytes(4096), 'ARCHIVE_MALFORMED'],
    ];
    for (const [name, layer, code] of cases) {
      const image = await buildImage({ layers: [{ createdBy: name, files: { placeholder: name } }] });
      // Replace the layer blob, keeping the manifest's digest honest so only the content is hostile.
      const doc = JSON.parse(image.manifest.bytes.toString()) as { layers: Array<{ digest: string; size: number }> };
      doc.layers[0] = { ...doc.layers[0]!, digest: sha256Digest(layer), size: layer.length };
      const bytes = Buffer.from(JSON.stringify(doc));
      const blobs = new Map(image.blobs);
      blobs.set(sha256Digest(layer), layer);
      await writeOciLayout(join(dir, name), blobs, [{ manifest: { mediaType: image.manifest.mediaType, digest: sha256Digest(bytes), bytes }, name: 'v1' }]);
      const result = await provenant(['sbom', `oci:${join(dir, name)}:v1`]);
      assert.equal(errorCode(result), code, `${name}: ${result.stderr}`);
      assert.notEqual(result.code, 0);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('build records the base image in the SLSA resolved dependencies, and refuses one without a digest', async () => {
  const { dir, ref } = await setup();
  try {
    const base = `debian:12@sha256:${'b'.repeat(64)}`;
    const built = await provenant(['build', '--key', join(dir, 'cosign.key'), '--out', join(dir, 'out'), '--base-image', base, ref], { PROVENANT_PASSWORD: 'pw' });
    assert.equal(built.code, 0, built.stderr);
    const envelope = JSON.parse(await readFile(join(dir, 'out', 'provenance.slsa.dsse.json'), 'utf8')) as { payload: string };
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as {
      predicate: { buildDefinition: { resolvedDependencies: Array<{ uri: string; digest: { sha256: string } }> } };
    };
    const deps = statement.predicate.buildDefinition.resolvedDependencies;
    assert.ok(deps.some((d) => d.uri.startsWith('oci://docker.io/library/debian') && d.digest.sha256 === 'b'.repeat(64)), JSON.stringify(deps));

    const unpinned = await provenant(['build', '--key', join(dir, 'cosign.key'), '--out', join(dir, 'out2'), '--base-image', 'debian:12', ref], { PROVENANT_PASSWORD: 'pw' });
    assert.equal(unpinned.code, 2);
    assert.equal(errorCode(unpinned), 'USAGE');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
