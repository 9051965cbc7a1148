// `provenant gate` on an image built, attested and signed by the real builder: with a local policy file, and
// through a running service that recorded the image's attachments; exit 0 lets the release go, GATE_DENIED stops
// it, and a service that cannot be reached (or answers nonsense) never opens the gate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ERROR_CODES, ExitCode } from '../../src/core/errors.js';
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

const DENIED_EXIT = ExitCode[ERROR_CODES.GATE_DENIED.exit];

/** A policy requiring a signature by `pem`; `mode: warn` turns its failure into warn, `action` the rule's effect. */
async function signerPolicy(name: string, pem: string, extra: { mode?: 'warn'; sandbox?: boolean } = {}): Promise<string> {
  const body = pem.trimEnd().split('\n').map((l) => `              ${l}`).join('\n');
  const path = ws.path(`${name}.yaml`);
  const mode = extra.mode === undefined ? '' : `  mode: ${extra.mode}\n`;
  const action = extra.sandbox === true ? '      action: sandbox\n      sandbox:\n        readOnlyRootFilesystem: true\n' : '';
  await writeFile(path, `apiVersion: provenant.dev/v1\nkind: ProvenancePolicy\nmetadata:\n  name: ${name}\nspec:\n${mode}  rules:\n    - name: release-key\n${action}      signature:\n        signers:\n          - key: |\n${body}\n`);
  return path;
}

function stoppedBy(result: { exit: number; stderr: string }): void {
  assert.equal(result.exit, DENIED_EXIT, result.stderr);
  assert.ok(result.stderr.startsWith('error[GATE_DENIED]: '), result.stderr);
}

test('gate with a local policy: the release signed with the required key goes ahead, another key stops it', async () => {
  const ours = await signerPolicy('ours', ws.key.pair.publicKeyPem);
  assert.equal(succeeded<{ outcome: string }>(await ws.run(['gate', ref, ...AS, '--policy', ours, '--json', '-q'])).outcome, 'allow');
  const theirs = await signerPolicy('theirs', other.pair.publicKeyPem);
  const stopped = await ws.run(['gate', ref, ...AS, '--policy', theirs, '--json', '-q']);
  stoppedBy(stopped);
  const printed = JSON.parse(stopped.stdout) as { outcome: string; reasons: string[] };
  assert.equal(printed.outcome, 'deny');
  assert.ok(printed.reasons.some((r) => r.startsWith('theirs/release-key')), printed.reasons.join('\n'));
  const text = await ws.run(['gate', ref, ...AS, '--policy', theirs, '-q']);
  stoppedBy(text);
  assert.match(text.stdout, /^DENY {2}registry\.example\.com\/acme\/app:1\.0 \(sha256:[0-9a-f]{64}\)/);
});

test('gate: warn goes ahead unless --fail-on warn; sandbox goes ahead with a note, since a gate cannot apply its changes', async () => {
  const warned = await signerPolicy('warned', other.pair.publicKeyPem, { mode: 'warn' });
  assert.equal(succeeded<{ outcome: string }>(await ws.run(['gate', ref, ...AS, '--policy', warned, '--json', '-q'])).outcome, 'warn');
  stoppedBy(await ws.run(['gate', ref, ...AS, '--policy', warned, '--fail-on', 'warn', '--json', '-q']));
  const sandboxed = await signerPolicy('sandboxed', other.pair.publicKeyPem, { sandbox: true });
  const result = await ws.run(['gate', ref, ...AS, '--policy', sandboxed, '--json', '-q']);
  assert.equal(succeeded<{ outcome: string }>(result).outcome, 'sandbox');
  assert.match(result.stderr, /sandbox/);
  failedWith(await ws.run(['gate', ref, ...AS, '--policy', warned, '--fail-on', 'allow', '-q']), 'USAGE');
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
    const apply = async (name: string, pem: string): Promise<void> => {
      const applied = await fetch(`${service.url}/api/v1/policies`, {
        method: 'POST',
        headers: { authorization: `Bearer ${service.writeToken}`, 'content-type': 'application/yaml' },
        body: await readFile(await signerPolicy(name, pem), 'utf8'),
      });
      assert.equal(applied.status, 200, await applied.text());
    };
    await apply('served', ws.key.pair.publicKeyPem);
    const remote = ['--server', service.url, '--token', service.writeToken];
    assert.equal(succeeded<{ outcome: string }>(await ws.run(['gate', ref, ...AS, ...remote, '--json', '-q'])).outcome, 'allow');
    await apply('served-other', other.pair.publicKeyPem);
    const stopped = await ws.run(['gate', ref, ...AS, ...remote, '--json', '-q']);
    stoppedBy(stopped);
    assert.ok((JSON.parse(stopped.stdout) as { reasons: string[] }).reasons.some((r) => r.startsWith('served-other/release-key')));
    const recorded = await fetch(`${service.url}/api/v1/decisions?digest=${encodeURIComponent(image.manifest.digest)}`);
    // Newest first; applying the second policy re-evaluated the admitted image in between.
    const rows = (await recorded.json()) as { decisions: { source: string; decision: { outcome: string } }[] };
    const gated = rows.decisions.filter((d) => d.source === 'gate').map((d) => d.decision.outcome);
    assert.deepEqual(gated, ['deny', 'allow']);
  } finally {
    await service.stop();
  }
  // Port 9 (discard) on loopback: nothing listens there.
  const down = await ws.run(['gate', ref, ...AS, '--server', 'http://127.0.0.1:9', '--token', 'x', '-q']);
  failedWith(down, 'SERVICE_UNREACHABLE');
  assert.notEqual(down.exit, DENIED_EXIT, 'a gate that could not decide is told apart from one that denied');
  failedWith(await ws.run(['gate', ref, ...AS, '-q']), 'USAGE');
});

test('gate never opens on an answer that is not a decision about the image it resolved', async (t) => {
  const answers = [
    { decision: { outcome: 'allow' } },
    { decision: { outcome: 'allow', image: { reference: 'x', digest: `sha256:${'0'.repeat(64)}` }, policyVersion: 'v', dataVersion: 'd', decidedAt: 'now', policies: [], rules: [], reasons: [], warnings: [] } },
    { allowed: true },
  ];
  let next = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answers[next++])));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (let i = 0; i < answers.length; i++) failedWith(await ws.run(['gate', ref, ...AS, '--server', url, '--token', 'x', '-q']), 'SERVICE_PROTOCOL');
});
