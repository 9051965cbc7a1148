// Lineage lines end to end through the CLI on the embedded log: versions of a VM disk image recorded in turn form a
// verified chain, an auditor's verdict shows up under its record, and a record edited in the SQLite file makes both
// `history` and `log verify --full` fail, naming where.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sha256Digest } from '../../src/core/digest.js';
import { ERROR_CODES, ExitCode } from '../../src/core/errors.js';
import { buildImage } from '../helpers/oci-image.js';
import { failedWith, keyFiles, layoutWith, succeeded, type CliResult } from './cli-helpers.js';
import { diskImage, storeWorkspace } from './store-fixtures.js';

interface RecordOut {
  index: string;
  entryDigest: string;
  sequence: number;
  previous: string | null;
  artifact: { kind: string; name: string; digest: string; size: number };
}

interface HistoryOut {
  verified: boolean;
  records: { index: string; sequence: number; entryDigest: string; previous: string | null; digest: string; note: string | null; audits: { auditor: string; result: string; score: number | null; verified: boolean }[] }[];
  problems: { code: string; index: string; sequence: number | null }[];
}

const ws = await storeWorkspace('lineage');
const image = ws.path('vm.qcow2');
const seed = randomBytes(3 * 1024 * 1024);
const recorded: RecordOut[] = [];
const store = ['--data', ws.data];

for (const version of [1, 2, 3]) {
  await diskImage(image, seed, version);
  recorded.push(succeeded<RecordOut>(await ws.run(['record', image, '--line', 'acme/vm-base', '--key', ws.key.key, '--note', `v${version}`, '--json', ...store])));
}

test('three versions of a disk image recorded with --previous auto form a linked chain', async () => {
  assert.deepEqual(recorded.map((r) => r.sequence), [1, 2, 3]);
  assert.deepEqual(recorded.map((r) => r.previous), [null, recorded[0]?.entryDigest, recorded[1]?.entryDigest]);
  for (const r of recorded) {
    assert.equal(r.artifact.kind, 'file');
    assert.equal(r.artifact.name, 'vm.qcow2');
    assert.equal(r.artifact.size, seed.length);
  }
  assert.equal(new Set(recorded.map((r) => r.artifact.digest)).size, 3);
  const history = succeeded<HistoryOut>(await ws.run(['history', 'acme/vm-base', '--json', ...store]));
  assert.equal(history.verified, true);
  assert.deepEqual(history.records.map((r) => r.sequence), [1, 2, 3]);
  assert.deepEqual(history.records.map((r) => r.entryDigest), recorded.map((r) => r.entryDigest));
  assert.deepEqual(history.records.map((r) => r.note), ['v1', 'v2', 'v3']);
  assert.deepEqual(history.problems, []);
});

test('the recorded digest is the SHA-256 of the file as it was', async () => {
  await diskImage(image, seed, 2);
  assert.equal(recorded[1]?.artifact.digest, sha256Digest(await readFile(image)));
});

test("an auditor's verdict appended with attest-record shows up under its record", async () => {
  const auditor = await keyFiles(ws.path('auditor'));
  const out = succeeded<{ record: string; recordIndex: string }>(
    await ws.run(['attest-record', recorded[1]?.entryDigest as string, '--auditor', 'scanner.example', '--type', 'vuln-scan', '--result', 'pass', '--score', '7.5', '--key', auditor.key, '--json', ...store]),
  );
  assert.equal(out.record, recorded[1]?.entryDigest);
  assert.equal(out.recordIndex, recorded[1]?.index);
  const history = succeeded<HistoryOut>(await ws.run(['history', 'acme/vm-base', '--json', ...store]));
  assert.deepEqual(history.records.map((r) => r.audits.length), [0, 1, 0]);
  assert.deepEqual(history.records[1]?.audits[0], { ...history.records[1]?.audits[0], auditor: 'scanner.example', result: 'pass', score: 7.5, verified: true });
});

test('history with --trusted-key of another key reports every record as untrusted and exits 1', async () => {
  const other = await keyFiles(ws.path('other'));
  const result = await ws.run(['history', 'acme/vm-base', '--trusted-key', other.pub, '--json', ...store]);
  assert.equal(result.exit, ExitCode.verification);
  const history = JSON.parse(result.stdout) as HistoryOut;
  assert.deepEqual([...new Set(history.problems.map((p) => p.code))], ['LINEAGE_UNTRUSTED_SIGNER']);
});

test('a record with --previous naming an entry that is not in the line is refused', async () => {
  await diskImage(image, seed, 9);
  const result = await ws.run(['record', image, '--line', 'acme/vm-base', '--key', ws.key.key, '--previous', sha256Digest('nothing'), ...store]);
  failedWith(result, 'LOG_ENTRY_NOT_FOUND');
});

test('an image in an OCI layout is recorded by the digest of its manifest, a missing file path is FILE_NOT_FOUND', async () => {
  const v1 = await buildImage();
  const v2 = await buildImage({ layers: [{ files: { 'etc/release': 'v2\n' }, createdBy: 'COPY release /etc/' }] });
  await layoutWith(ws.path('layout'), { v1, v2 });
  const first = succeeded<RecordOut>(await ws.run(['record', `oci:${ws.path('layout')}:v1`, '--line', 'acme/app', '--key', ws.key.key, '--json', ...store]));
  const second = succeeded<RecordOut>(await ws.run(['record', `oci:${ws.path('layout')}:v2`, '--line', 'acme/app', '--key', ws.key.key, '--json', ...store]));
  assert.deepEqual(first.artifact, { ...first.artifact, kind: 'oci-image', digest: v1.manifest.digest, size: v1.manifest.bytes.length });
  // The permanent record names the layout by its last path element, never by where it sits on this machine.
  assert.equal((first.artifact as { name?: string }).name, 'oci:layout');
  assert.equal(second.artifact.digest, v2.manifest.digest);
  assert.equal(second.previous, first.entryDigest);
  failedWith(await ws.run(['record', ws.path('missing.qcow2'), '--line', 'acme/app', '--key', ws.key.key, ...store]), 'FILE_NOT_FOUND');
  failedWith(await ws.run(['record', 'no-such-disk.vmdk', '--line', 'acme/app', '--key', ws.key.key, ...store]), 'FILE_NOT_FOUND');
});

test('revoke appends a revocation naming the entry, by index or by entry digest; history shows which revocations count', async () => {
  const third = recorded[2] as RecordOut;
  const byIndex = succeeded<{ target: string; targetIndex: string; index: string }>(await ws.run(['revoke', third.index, '--reason', 'built from a tainted base', '--key', ws.key.key, '--json', ...store]));
  assert.deepEqual([byIndex.target, byIndex.targetIndex], [third.entryDigest, third.index]);
  const byDigest = succeeded<{ target: string; targetIndex: string }>(await ws.run(['revoke', third.entryDigest, '--reason', 'second notice', '--key', ws.key.key, '--json', ...store]));
  assert.deepEqual([byDigest.target, byDigest.targetIndex], [third.entryDigest, third.index]);
  const entry = succeeded<{ kind: string }>(await ws.run(['log', 'get', byIndex.index, '--json', ...store]));
  assert.equal(entry.kind, 'revocation');
  failedWith(await ws.run(['revoke', sha256Digest('no such entry'), '--reason', 'x', '--key', ws.key.key, ...store]), 'LOG_ENTRY_NOT_FOUND');

  // Anyone may append a revocation; history honours only the record signer's (or a trusted key's).
  succeeded(await ws.run(['keygen', '--output-key-prefix', ws.path('stranger')]));
  const first = recorded[0] as RecordOut;
  succeeded(await ws.run(['revoke', first.index, '--reason', 'not mine to revoke', '--key', ws.path('stranger.key'), '--json', ...store]));
  type Revocations = { revoked: boolean; revocations: { reason: string; honoured: boolean }[] };
  const history = JSON.parse((await ws.run(['history', 'acme/vm-base', '--json', ...store])).stdout) as { records: (Revocations & { index: string })[] };
  const recordAt = (index: string) => history.records.find((r) => r.index === index) as Revocations;
  assert.equal(recordAt(third.index).revoked, true);
  assert.deepEqual(recordAt(third.index).revocations.map((r) => [r.reason, r.honoured]), [['built from a tainted base', true], ['second notice', true]]);
  assert.equal(recordAt(first.index).revoked, false);
  assert.deepEqual(recordAt(first.index).revocations.map((r) => [r.reason, r.honoured]), [['not mine to revoke', false]]);
  assert.equal(recordAt((recorded[1] as RecordOut).index).revocations.length, 0);
});

test('a record edited in the SQLite file fails history and log verify --full, which name its index and sequence', async () => {
  const db = new Database(join(ws.data, 'provenant.db'));
  try {
    const row = db.prepare('SELECT entry FROM leaves WHERE idx = ?').get(BigInt(recorded[1]?.index as string)) as { entry: Buffer };
    const entry = JSON.parse(row.entry.toString('utf8')) as { spec: { envelope: { payload: string } } };
    const statement = JSON.parse(Buffer.from(entry.spec.envelope.payload, 'base64').toString('utf8')) as { predicate: { note: string } };
    statement.predicate.note = 'v2, rebuilt';
    entry.spec.envelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
    db.prepare('UPDATE leaves SET entry = ? WHERE idx = ?').run(Buffer.from(JSON.stringify(entry)), BigInt(recorded[1]?.index as string));
  } finally {
    db.close();
  }

  const history = await ws.run(['history', 'acme/vm-base', '--json', ...store]);
  assertVerificationFailure(history);
  const shown = JSON.parse(history.stdout) as HistoryOut;
  assert.equal(shown.verified, false);
  assert.deepEqual(shown.records.map((r) => r.sequence), [1, 3]);
  assert.ok(shown.problems.some((p) => p.code === 'LINEAGE_RECORD_INVALID' && p.index === recorded[1]?.index), history.stdout);
  assert.ok(shown.problems.some((p) => p.code === 'LINEAGE_GAP' && p.sequence === 2), history.stdout);

  const audit = await ws.run(['log', 'verify', '--full', '--json', ...store]);
  assertVerificationFailure(audit);
  const report = JSON.parse(audit.stdout) as { audit: { ok: boolean; problems: { index: string | null; kind: string | null; code: string }[] } };
  assert.equal(report.audit.ok, false);
  assert.deepEqual(report.audit.problems[0], { ...report.audit.problems[0], index: recorded[1]?.index, kind: 'lineage', code: 'LOG_ENTRY_TAMPERED' });
  assert.ok(report.audit.problems.some((p) => p.code === 'LOG_ROOT_MISMATCH'));
  assert.match(audit.stderr, /^error\[LOG_ENTRY_TAMPERED\]: .*index 1 \(lineage\)/m);

  // Appending to a line with a broken chain is refused rather than hiding the damage.
  failedWith(await ws.run(['record', image, '--line', 'acme/vm-base', '--key', ws.key.key, ...store]), 'LINEAGE_RECORD_INVALID');
});

function assertVerificationFailure(result: CliResult): void {
  assert.equal(result.exit, ExitCode[ERROR_CODES.LINEAGE_RECORD_INVALID.exit], result.stderr);
  assert.equal(result.exit, 1);
}
