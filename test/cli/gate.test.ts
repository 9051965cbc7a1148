// `provenant gate` on an image built, attested and signed by the real builder: with a local policy file, and
// through a running service that recorded the image's attachments; exit 0 lets the release go, 1 (POLICY_DENIED)
// stops it, and a service that cannot be reached never opens the gate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openEmbeddedLog } from '../../src/cli/store-access.js';
import { LOG_PASSWORD_ENV } from '../../src/cli/log-key.js';
import { loadVerifier } from '../../src/crypto/index.js';
import { recordImage } from '../../src/ingest/record-image.js';
import { OciLayout } from '../../src/oci/layout.js';
import { buildImage, writeOciLayout } from '../helpers/oci-image.js';
import { buildAndSign, toolchainBin } from '../policy/facts/facts-fixtures.js';
import { failedWith, keyFiles, succeeded } from './cli-helpers.js';
import { LOG_PASSWORD, serveData, storeWorkspace } from './store-fixtures.js';

const ws = await storeWorkspace('gate');
const other = await keyFiles(ws.path('other'));
const image = await buildImage();
await writeOciLayout(ws.path('img'), image.blobs, [{ manifest: image.manifest, name: 'v1' }]);
const ref = `oci:${ws.path('img')}:v1`;
await buildAndSign(ref, ws.key.key, await toolchainBin(ws.dir), ws.path('out'));
const AS = ['--as', 'registry.example.com/acme/app:1.0'];

async function signerPolicy(name: string, pem: string): Promise<string> {
  const body = pem.trimEnd().split('\n').map((l) => `              ${l}`).join('\n');
  const path = ws.path(`${name}.yaml`);
  await writeFile(path, `apiVersion: provenant.dev/v1\nkind: ProvenancePolicy\nmetadata:\n  name: ${name}\nspec:\n  rules:\n    - name: release-key\n      signature:\n        signers:\n          - key: |\n${body}\n`);
  return path;
}

test('gate with a local policy: the release signed with the required key goes ahead, another key stops it', async () => {
  const ours = await signerPolicy('ours', ws.key.pair.publicKeyPem);
  assert.equal(succeeded<{ outcome: string }>(await ws.run(['gate', ref, ...AS, '--policy', ours, '--json', '-q'])).outcome, 'allow');
  const theirs = await signerPolicy('theirs', other.pair.publicKeyPem);
  const stopped = await ws.run(['gate', ref, ...AS, '--policy', theirs, '--json', '-q']);
  assert.equal(stopped.exit, 1, stopped.stderr);
  assert.ok(stopped.stderr.startsWith('error[POLICY_DENIED]: '));
  assert.equal((JSON.parse(stopped.stdout) as { outcome: string }).outcome, 'deny');
});

test('gate through a running service decides from the log and records the decision as a gate decision', async () => {
  const { log, key } = await openEmbeddedLog({ location: { dataDir: ws.data }, keyPath: join(ws.data, 'log.key'), env: { [LOG_PASSWORD_ENV]: LOG_PASSWORD } });
  try {
    await recordImage({ log, repo: await OciLayout.open(ws.path('img')), signer: key, trustedKeys: [loadVerifier(ws.key.pair.publicKeyPem)], registry: 'registry.example.com', repository: 'acme/app', image: image.manifest.digest });
  } finally {
    await log.close();
  }
  const service = await serveData(ws.data);
  try {
    const applied = await fetch(`${service.url}/api/v1/policies`, {
      method: 'POST',
      headers: { authorization: `Bearer ${service.writeToken}`, 'content-type': 'application/yaml' },
      body: await readFile(await signerPolicy('served', ws.key.pair.publicKeyPem), 'utf8'),
    });
    assert.equal(applied.status, 200, await applied.text());
    const remote = ['--server', service.url, '--token', service.writeToken];
    assert.equal(succeeded<{ outcome: string }>(await ws.run(['gate', ref, ...AS, ...remote, '--json', '-q'])).outcome, 'allow');
    const recorded = await fetch(`${service.url}/api/v1/decisions?digest=${encodeURIComponent(image.manifest.digest)}`);
    const rows = (await recorded.json()) as { decisions: { source: string }[] };
    assert.deepEqual(rows.decisions.map((d) => d.source), ['gate']);
  } finally {
    await service.stop();
  }
  const down = await ws.run(['gate', ref, ...AS, '--server', 'http://127.0.0.1:9', '--token', 'x', '-q']);
  assert.notEqual(down.exit, 0, 'a service that cannot be reached never opens the gate');
  failedWith(await ws.run(['gate', ref, ...AS, '-q']), 'USAGE');
});
