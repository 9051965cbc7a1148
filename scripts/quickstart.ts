// The README's main job on the embedded default: no registry or other service. It makes a small two-layer
// image as an OCI layout under ./data/quickstart, then runs the built CLI on it as a user would: keygen,
// sign, verify, attest (SLSA provenance), verify-attestation, inspect, and a verification that must fail.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildImage, writeOciLayout } from '../test/helpers/oci-image.js';

const root = resolve(process.argv[2] ?? 'data/quickstart');
const cli = resolve('dist/cli/main.js');
const env = {
  ...process.env,
  PROVENANT_PASSWORD: process.env.PROVENANT_PASSWORD ?? 'quickstart',
  PROVENANT_LOG_PASSWORD: process.env.PROVENANT_LOG_PASSWORD ?? 'quickstart-log',
};

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

// The transparency log, embedded in a data directory: a lineage of two versions of a VM disk image, proven and
// audited. The log's own key is encrypted with PROVENANT_LOG_PASSWORD.
const store = ['--data', join(root, 'store'), '--trust-dir', join(root, 'trust')];
const disk = join(root, 'base-vm.raw');
writeFileSync(disk, Buffer.alloc(4 * 1024 * 1024, 1));
provenant(['record', disk, '--line', 'acme/base-vm', '--key', join(root, 'cosign.key'), '--note', 'first build', ...store]);
writeFileSync(disk, Buffer.alloc(4 * 1024 * 1024, 2));
provenant(['record', disk, '--line', 'acme/base-vm', '--key', join(root, 'cosign.key'), '--note', 'security update', ...store]);
provenant(['record', ref, '--line', 'acme/app', '--key', join(root, 'cosign.key'), ...store]);
provenant(['history', 'acme/base-vm', '--trusted-key', join(root, 'cosign.pub'), ...store]);
provenant(['history', 'acme/base-vm', '--trusted-key', join(root, 'stranger.pub'), ...store], 'fail');
provenant(['log', 'prove', '1', ...store]);
provenant(['log', 'verify', '--full', ...store]);
console.log('\nquickstart: every step behaved as expected.');
