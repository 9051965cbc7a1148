import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ProvenantError } from '../../src/core/errors.js';
import { verifyCheckpointNote } from '../../src/formats/checkpoint.js';
import { parseVerifierKey } from '../../src/formats/signed-note.js';
import { auditLog, type AuditReader } from '../../src/log/audit.js';
import type { TransparencyLog } from '../../src/log/transparency-log.js';
import { openLogStore } from '../../src/store/open-log-store.js';
import { SQLITE_FILE } from '../../src/store/sqlite/sqlite-log-store.js';
import { ORIGIN, newNoteSigner, openLog, proposal, rejectsCode } from './transparency-log-contract.js';

const root = mkdtempSync(join(tmpdir(), 'provenant-audit-'));
after(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;

const signer = newNoteSigner();
const verifier = parseVerifierKey(signer.verifierKey);

/** A log of `size` entries on SQLite, and a way to edit its database behind its back. */
async function logOf(size: number): Promise<{ log: TransparencyLog; edit: (sql: string, ...params: unknown[]) => void; done: () => Promise<void> }> {
  const dataDir = join(root, `log-${counter++}`);
  const log = await openLog(await openLogStore({ dataDir }), signer);
  await Promise.all(Array.from({ length: size }, (_, i) => log.append(proposal('audit', i))));
  return {
    log,
    edit: (sql, ...params) => {
      const db = new Database(join(dataDir, SQLITE_FILE));
      try {
        db.pragma('ignore_check_constraints = ON');
        db.prepare(sql).run(...params);
      } finally {
        db.close();
      }
    },
    done: async () => {
      await log.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const codes = (problems: readonly { code: string; index?: bigint; tile?: string }[]) => problems.map((p) => [p.code, p.index, p.tile]);

describe('auditLog', () => {
  // 600 entries: level-0 tiles 000, 001 and 002.p/88; level-1 tile 000.p/2.
  let fixture: Awaited<ReturnType<typeof logOf>>;
  before(async () => {
    fixture = await logOf(600);
  });
  after(() => fixture.done());

  it('passes an untouched log and re-checks every entry with the describe callback', async () => {
    const described: bigint[] = [];
    const progress: bigint[] = [];
    const report = await auditLog(fixture.log, verifier, {
      origin: ORIGIN,
      describe: (index) => {
        described.push(index);
        if (index === 7n) throw new ProvenantError('SIGNATURE_INVALID', 'test: entry 7 no longer verifies');
      },
      onProgress: (checked) => progress.push(checked),
    });
    assert.deepEqual(codes(report.problems), [['SIGNATURE_INVALID', 7n, undefined]]);
    assert.equal(report.checked, 600n);
    assert.equal(report.recomputedRoot, report.checkpoint.rootHash.toString('hex'));
    assert.equal(described.length, 600);
    assert.deepEqual(progress, [256n, 512n, 600n]);
    const clean = await auditLog(fixture.log, verifier);
    assert.equal(clean.ok, true);
  });

  it('audits the tree of an older checkpoint whose partial tiles have filled up since', async () => {
    const small = await logOf(300);
    try {
      const old = verifyCheckpointNote(await small.log.checkpointNote(), verifier);
      await Promise.all(Array.from({ length: 300 }, (_, i) => small.log.append(proposal('later', i))));
      assert.equal(await small.log.tile(0, 1n, 44), null, 'the partial tile of size 300 is full by now');
      const report = await auditLog(small.log, verifier, { checkpoint: old });
      assert.deepEqual(report.problems, []);
      assert.equal(report.checked, 300n);
    } finally {
      await small.done();
    }
  });

  it('names the entry whose bytes were edited, and the root no longer matches', async () => {
    const tampered = await logOf(600);
    try {
      tampered.edit("UPDATE leaves SET entry = CAST('{\"edited\":true}' AS BLOB) WHERE idx = 300");
      const report = await auditLog(tampered.log, verifier);
      assert.deepEqual(codes(report.problems), [
        ['LOG_ENTRY_TAMPERED', 300n, '0/001'],
        ['LOG_ROOT_MISMATCH', undefined, undefined],
      ]);
      assert.equal(report.ok, false);
    } finally {
      await tampered.done();
    }
  });

  it('names the tile whose stored tree hashes disagree with the leaves below them', async () => {
    const tampered = await logOf(600);
    try {
      tampered.edit('UPDATE nodes SET hash = ? WHERE level = 8 AND idx = 1', Buffer.alloc(32, 0xee));
      const report = await auditLog(tampered.log, verifier);
      assert.deepEqual(codes(report.problems), [['LOG_ENTRY_TAMPERED', 256n, '1/000']]);
    } finally {
      await tampered.done();
    }
  });

  it('reports missing and malformed bundles and tiles, and caps the list of problems', async () => {
    const reader = (change: Partial<AuditReader>): AuditReader => ({
      checkpointNote: () => fixture.log.checkpointNote(),
      tile: (level, index, width) => fixture.log.tile(level, index, width),
      entryBundle: (index, width) => fixture.log.entryBundle(index, width),
      ...change,
    });
    const missing = await auditLog(reader({ entryBundle: async (index, width) => (index === 1n ? null : fixture.log.entryBundle(index, width)) }), verifier);
    assert.deepEqual(codes(missing.problems), [['TILE_NOT_FOUND', 256n, 'entries/001']]);
    assert.equal(missing.checked, 344n);
    assert.equal(missing.recomputedRoot, missing.checkpoint.rootHash.toString('hex'), 'the stored leaf hashes stand in for the missing entries');
    const cut = await auditLog(reader({ tile: async (level, index, width) => (await fixture.log.tile(level, index, width))?.subarray(1) ?? null }), verifier);
    assert.deepEqual(codes(cut.problems).map((p) => p[0]), ['TILE_MALFORMED', 'TILE_MALFORMED', 'TILE_MALFORMED', 'TILE_MALFORMED']);
    const capped = await auditLog(reader({ entryBundle: async () => null, tile: async () => null }), verifier, { maxProblems: 2 });
    assert.equal(capped.problems.length, 2);
    assert.equal(capped.problemCount, 6, 'three bundles and three level-0 tiles');
    assert.equal(capped.recomputedRoot, null);
  });

  it('refuses to start without a checkpoint signed by the log key', async () => {
    await rejectsCode(auditLog(fixture.log, parseVerifierKey(newNoteSigner().verifierKey)), 'NOTE_UNVERIFIED');
    await rejectsCode(auditLog(fixture.log, verifier, { origin: 'other.example/log' }), 'CHECKPOINT_ORIGIN_MISMATCH');
  });
});
