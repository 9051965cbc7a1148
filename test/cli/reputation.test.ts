// `provenant reputation add | show` on the embedded log and through a running service: events signed by a trusted
// key move the score by the amounts docs/reputation.md gives, others are listed as ignored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failedWith, keyFiles, succeeded } from './cli-helpers.js';
import { serveData, storeWorkspace } from './store-fixtures.js';

interface AddOut {
  index: string;
  entryDigest: string;
  provider: string;
  type: string;
  signer: string;
  duplicate: boolean;
}

interface ShowOut {
  provider: string;
  at: string;
  score: number;
  positive: number;
  negative: number;
  events: { logIndex: string; entryDigest: string; type: string; r: number; s: number; weight: number; contribution: number }[];
  ignored: { logIndex: string }[];
  trustedSigners: string[];
}

const P = 'registry.example.com/acme';
const AT = '2025-07-01';
const ws = await storeWorkspace('reputation');
const store = ['--data', ws.data];
const other = await keyFiles(ws.path('other'));

const audit = succeeded<AddOut>(
  await ws.run(['reputation', 'add', '--provider', P, '--type', 'audit', '--reporter', 'audits.example', '--auditor', 'audits.example', '--result', 'pass', '--occurred-at', AT, '--key', ws.key.key, '--json', ...store]),
);
const incident = succeeded<AddOut>(
  await ws.run(['reputation', 'add', '--provider', P, '--type', 'incident', '--reporter', 'secteam', '--severity', 'HIGH', '--title', 'key exposed', '--occurred-at', '2025-01-02T00:00:00Z', '--key', ws.key.key, '--json', ...store]),
);
const untrusted = succeeded<AddOut>(
  await ws.run(['reputation', 'add', '--provider', P, '--type', 'feedback', '--reporter', 'someone', '--rating', '1', '--occurred-at', AT, '--key', other.key, '--json', ...store]),
);

test('add appends signed events and reports where', () => {
  assert.deepEqual([audit.index, incident.index, untrusted.index], ['0', '1', '2']);
  assert.deepEqual([audit.type, incident.type, untrusted.type], ['audit', 'incident', 'feedback']);
  assert.equal(audit.provider, P);
  assert.equal(audit.signer, ws.key.pair.signer.keyId);
  assert.equal(untrusted.signer, other.pair.signer.keyId);
});

test('show counts the trusted events: R = 2, S = 4 * 0.5 after one half-life, score 50', async () => {
  const out = succeeded<ShowOut>(await ws.run(['reputation', 'show', P, '--at', AT, '--trust-key', ws.key.pub, '--json', ...store]));
  assert.equal(out.at, '2025-07-01T00:00:00.000Z');
  assert.deepEqual([out.positive, out.negative, out.score], [2, 2, 50]);
  assert.deepEqual(out.events.map((e) => [e.logIndex, e.type, e.weight, e.contribution]), [['0', 'audit', 1, 2], ['1', 'incident', 0.5, -2]]);
  assert.deepEqual(out.ignored.map((i) => i.logIndex), ['2']);
  assert.deepEqual(out.trustedSigners, [ws.key.pair.signer.keyId]);

  const both = succeeded<ShowOut>(await ws.run(['reputation', 'show', P, '--at', AT, '--trust-key', ws.key.pub, '--trust-key', other.pub, '--json', ...store]));
  assert.deepEqual([both.positive, both.negative], [2, 3]);
  assert.equal(both.score, 300 / 7);
  const halfLife = succeeded<ShowOut>(await ws.run(['reputation', 'show', P, '--at', AT, '--half-life', '90', '--trust-key', ws.key.pub, '--json', ...store]));
  assert.deepEqual(halfLife.events.map((e) => e.weight), [1, 0.25]);
});

test('the table shows the score and one line per event with its contribution', async () => {
  const result = await ws.run(['reputation', 'show', P, '--at', AT, '--trust-key', ws.key.pub, ...store]);
  assert.equal(result.exit, 0, result.stderr);
  const lines = result.stdout.split('\n');
  assert.ok(lines.some((l) => l.startsWith('score:') && l.includes('50.0')), result.stdout);
  assert.ok(lines.some((l) => /^0\s+audit\s.*\+2\.000/.test(l)), result.stdout);
  assert.ok(lines.some((l) => /^1\s+incident\s.*-2\.000/.test(l)), result.stdout);
  assert.ok(lines.some((l) => l.startsWith('2  ')), result.stdout);
});

test('without --trust-key nothing counts, and the command says so', async () => {
  const result = await ws.run(['reputation', 'show', P, '--at', AT, '--json', ...store]);
  const out = succeeded<ShowOut>(result);
  assert.equal(out.score, 50);
  assert.equal(out.ignored.length, 3);
  assert.match(result.stderr, /^warning: /);
});

test('options of another event type, bad values and bad dates are refused', async () => {
  const base = ['reputation', 'add', '--provider', P, '--reporter', 'r', '--key', ws.key.key, ...store];
  failedWith(await ws.run([...base, '--type', 'feedback', '--rating', '3', '--title', 'x']), 'USAGE');
  failedWith(await ws.run([...base, '--type', 'praise']), 'USAGE');
  failedWith(await ws.run([...base, '--type', 'feedback', '--rating', '7']), 'REPUTATION_EVENT_INVALID');
  failedWith(await ws.run([...base, '--type', 'feedback', '--rating', 'five']), 'REPUTATION_EVENT_INVALID');
  failedWith(await ws.run([...base, '--type', 'incident', '--severity', 'HIGH']), 'REPUTATION_EVENT_INVALID');
  failedWith(await ws.run([...base, '--type', 'feedback', '--rating', '3', '--occurred-at', 'last week']), 'USAGE');
  failedWith(await ws.run(['reputation', 'add', '--provider', 'acme', '--reporter', 'r', '--type', 'feedback', '--rating', '3', '--key', ws.key.key, ...store]), 'REPUTATION_EVENT_INVALID');
  failedWith(await ws.run(['reputation', 'show', P, '--at', '01/07/2025', ...store]), 'USAGE');
  failedWith(await ws.run(['reputation', 'show', P, '--half-life', '0', ...store]), 'USAGE');
  const out = succeeded<ShowOut>(await ws.run(['reputation', 'show', P, '--at', AT, '--trust-key', ws.key.pub, '--json', ...store]));
  assert.equal(out.events.length + out.ignored.length, 3);
});

test('add and show work the same through a running service', async () => {
  const service = await serveData(ws.data);
  try {
    const remote = ['--server', service.url, '--token', service.writeToken];
    const cert = succeeded<AddOut>(
      await ws.run(['reputation', 'add', '--provider', P, '--type', 'certification', '--reporter', 'r', '--name', 'SOC 2', '--issuer', 'cpa.example', '--expires-at', '2026-01-01', '--occurred-at', '2025-06-01', '--key', ws.key.key, '--json', ...remote]),
    );
    assert.equal(cert.index, '3');
    const out = succeeded<ShowOut>(await ws.run(['reputation', 'show', P, '--at', AT, '--trust-key', ws.key.pub, '--json', ...remote]));
    assert.deepEqual([out.positive, out.negative], [5, 2]);
    assert.equal(out.score, 600 / 9);
  } finally {
    await service.stop();
  }
});
