// The README's main job on the embedded default: no registry or other service. It makes a small two-layer
// image as an OCI layout under ./data/quickstart, then runs the built CLI on it as a user would: keygen,
// sign, verify, attest (SLSA provenance), verify-attestation, inspect, and a verification that must fail.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildImage, writeOciLayout } from '../test/helpers/oci-image.js';

const root = resolve(process.argv[2] ?? 'data/quickstart');
const cli = resolve('dist/cli/main.js');
const env = { ...process.env, PROVENANT_PASSWORD: process.env.PROVENANT_PASSWORD ?? 'quickstart' };

function provenant(args: string[], expect: 'pass' | 'fail' = 'pass'): string {
  console.log(`\n$ provenant ${args.map((a) => a.replace(root, '$DATA')).join(' ')}`);
  const run = spawnSync(process.execPath, [cli, ...args], { env, encoding: 'utf8' });
  process.stdout.write(run.stdout);
  process.stdout.write(run.stderr);
  const ok = run.status === 0;
  if (ok !== (expect === 'pass')) {
    console.error(`quickstart: expected the command to ${expect}, it exited ${run.status}`);
    process.exit(1);
  }
  return run.stdout;
}

rmSync(root, { recursive: true, force: true });
mkdirSync(root, { recursive: true });
const image = await buildImage();
const layout = join(root, 'image');
await writeOciLayout(layout, image.blobs, [{ manifest: image.manifest, name: 'v1' }]);
const ref = `oci:${layout}:v1`;
console.log(`Made a two-layer image ${image.manifest.digest} as an OCI layout in ${layout}.`);
console.log(`Keys are encrypted with the password in PROVENANT_PASSWORD (here "${env.PROVENANT_PASSWORD}").`);

provenant(['keygen', '--output-key-prefix', join(root, 'cosign')]);
provenant(['keygen', '--output-key-prefix', join(root, 'stranger')]);
provenant(['sign', '--key', join(root, 'cosign.key'), ref]);
provenant(['verify', '--key', join(root, 'cosign.pub'), ref]);
provenant(['verify', '--key', join(root, 'stranger.pub'), ref], 'fail');

const predicate = join(root, 'provenance.json');
writeFileSync(
  predicate,
  JSON.stringify({
    buildDefinition: { buildType: 'https://provenant.dev/quickstart/v1', externalParameters: { source: 'quickstart' } },
    runDetails: { builder: { id: 'https://provenant.dev/quickstart' } },
  }),
);
provenant(['attest', '--key', join(root, 'cosign.key'), '--type', 'slsaprovenance1', '--predicate', predicate, ref]);
provenant(['verify-attestation', '--key', join(root, 'cosign.pub'), '--type', 'slsaprovenance1', ref]);
provenant(['inspect', ref]);
console.log('\nquickstart: every step behaved as expected.');
