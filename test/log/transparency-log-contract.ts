// The TransparencyLog contract, run over each LogStore backend. Proofs and tiles are compared with an RFC 6962
// reference written here from the RFC's definitions (not src/merkle), over the leaf hashes of what was appended.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { sha256Digest } from '../../src/core/digest.js';
import { ProvenantError, type ErrorCode } from '../../src/core/errors.js';
import { canonicalJsonBytes, type JsonObject } from '../../src/core/json.js';
import { SigningKey, generateKeyPair } from '../../src/crypto/index.js';
import { verifyCheckpointNote } from '../../src/formats/checkpoint.js';
import { noteSignerFromKey, parseVerifierKey, type NoteSigner } from '../../src/formats/signed-note.js';
import { buildSimpleSigningPayload } from '../../src/formats/simple-signing.js';
import { decodeEntryBundle, decodeHashTile } from '../../src/formats/tlog-tiles.js';
import { auditLog } from '../../src/log/audit.js';
import { prepareEntry, proposeSignature } from '../../src/log/entries/index.js';
import type { EntryPreparer } from '../../src/log/entries/prepared.js';
import { TransparencyLog, type TransparencyLogOptions } from '../../src/log/transparency-log.js';
import type { LogStore } from '../../src/store/ports.js';

export const ORIGIN = 'log.test.example/provenant';

/** A database for one test: a store on it, further handles on the same database, and its removal. */
export interface LogStoreFixture {
  readonly store: LogStore;
  readonly reopen: () => Promise<LogStore>;
  readonly cleanup: () => Promise<void>;
}

/**
 * TEST-ONLY preparer: verifies nothing. It wraps the proposal in a canonical JSON entry, indexes it under its
 * `tag` (as a line) and keeps `blob` text as a blob; `termBytes` makes an index term of that many bytes.
 */
export const testOnlyPreparer: EntryPreparer = async (proposed) => {
  const p = proposed as { tag: string; n: number; blob?: string; termBytes?: number };
  const blobs = p.blob === undefined ? [] : [{ digest: sha256Digest(p.blob), mediaType: 'text/plain', data: Buffer.from(p.blob) }];
  const terms = [
    { name: 'kind' as const, value: 'test-only' },
    { name: 'line' as const, value: p.termBytes === undefined ? p.tag : 'x'.repeat(p.termBytes) },
  ];
  return { entry: canonicalJsonBytes({ apiVersion: 'test.invalid/v0', kind: 'test-only', spec: proposed }), terms, blobs };
};

export function proposal(tag: string, n: number, extra: JsonObject = {}): JsonObject {
  return { tag, n, ...extra };
}

const sha256 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** RFC 6962 §2.1 as written: MTH, PATH (§2.1.1) and PROOF/SUBPROOF (§2.1.2) over leaf hashes, memoised. */
export class ReferenceTree {
  private readonly memo = new Map<string, Buffer>();

  constructor(readonly leaves: readonly Buffer[]) {}

  static leafHash(entry: Uint8Array): Buffer {
    return sha256(Buffer.from([0]), entry);
  }

  /** MTH(D[lo:hi]). */
  mth(lo: number, hi: number): Buffer {
    const n = hi - lo;
    if (n === 0) return sha256();
    if (n === 1) return this.leaves[lo] as Buffer;
    const key = `${lo}:${hi}`;
    let h = this.memo.get(key);
    if (h === undefined) {
      const k = split(n);
      h = sha256(Buffer.from([1]), this.mth(lo, lo + k), this.mth(lo + k, hi));
      this.memo.set(key, h);
    }
    return h;
  }

  /** PATH(m, D[0:n]). */
  path(m: number, n: number, lo = 0): Buffer[] {
    if (n === 1) return [];
    const k = split(n);
    return m < k ? [...this.path(m, k, lo), this.mth(lo + k, lo + n)] : [...this.path(m - k, n - k, lo + k), this.mth(lo, lo + k)];
  }

  /** PROOF(m, D[0:n]). */
  proof(m: number, n: number): Buffer[] {
    return this.subproof(m, n, 0, true);
  }

  private subproof(m: number, n: number, lo: number, whole: boolean): Buffer[] {
    if (m === n) return whole ? [] : [this.mth(lo, lo + n)];
    const k = split(n);
    return m <= k
      ? [...this.subproof(m, k, lo, whole), this.mth(lo + k, lo + n)]
      : [...this.subproof(m - k, n - k, lo + k, false), this.mth(lo, lo + k)];
  }
}

/** RFC 9162 §2.1.3.2 as written: the root an inclusion proof leads to (plain numbers, not src/merkle). */
export function independentInclusionRoot(leaf: Buffer, index: number, size: number, path: readonly Buffer[]): Buffer {
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) throw new Error('proof too long');
    if (fn % 2 === 1 || fn === sn) {
      r = sha256(Buffer.from([1]), p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = sha256(Buffer.from([1]), r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new Error('proof too short');
  return r;
}

/** RFC 9162 §2.1.4.2 as written: the two roots a consistency proof from size1 < size2 leads to. */
export function independentConsistencyRoots(size1: number, size2: number, root1: Buffer, proof: readonly Buffer[]): { first: Buffer; second: Buffer } {
  const path = (size1 & (size1 - 1)) === 0 ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0] as Buffer;
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) throw new Error('proof too long');
    if (fn % 2 === 1 || fn === sn) {
      fr = sha256(Buffer.from([1]), c, fr);
      sr = sha256(Buffer.from([1]), c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = sha256(Buffer.from([1]), sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new Error('proof too short');
  return { first: fr, second: sr };
}

/** The largest power of two smaller than n (n > 1). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export const hex = (hashes: readonly Buffer[]): string[] => hashes.map((h) => h.toString('hex'));

export function rejectsCode(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  return assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof ProvenantError, `expected a ProvenantError, got ${String(e)}`);
    assert.equal(e.code, code);
    return true;
  });
}

export function newNoteSigner(origin = ORIGIN): NoteSigner {
  return noteSignerFromKey(origin, SigningKey.generate('ed25519'));
}

type LogOptions = Partial<Omit<TransparencyLogOptions, 'store'>>;

export function openLog(store: LogStore, signer: NoteSigner, options: LogOptions = {}): Promise<TransparencyLog> {
  return TransparencyLog.open({ origin: ORIGIN, signer, prepare: testOnlyPreparer, ...options, store });
}

/** Appends in groups, each group concurrently (so several batches form), and returns the leaf hashes in order. */
async function appendGroups(log: TransparencyLog, tag: string, groups: readonly number[]): Promise<{ leaves: Buffer[]; sizes: number[] }> {
  const leaves: Buffer[] = [];
  const sizes: number[] = [];
  let n = 0;
  for (const count of groups) {
    const results = await Promise.all(Array.from({ length: count }, () => log.append(proposal(tag, n++))));
    for (const r of results) {
      assert.equal(r.index, BigInt(leaves.length));
      assert.equal(r.duplicate, false);
      leaves.push(Buffer.from(r.leafHash, 'hex'));
    }
    sizes.push(leaves.length);
  }
  return { leaves, sizes };
}

/** The same store, counting the batches it refuses as built on a stale size. */
function countingConflicts(store: LogStore, counter: { conflicts: number }): LogStore {
  return {
    backend: store.backend,
    integrate: async (batch) => {
      try {
        await store.integrate(batch);
      } catch (e) {
        if (e instanceof ProvenantError && e.code === 'LOG_SEQUENCE_CONFLICT') counter.conflicts++;
        throw e;
      }
    },
    latestCheckpoint: () => store.latestCheckpoint(),
    checkpointAt: (size) => store.checkpointAt(size),
    checkpoints: (from, to, limit) => store.checkpoints(from, to, limit),
    nodeHashes: (ids) => store.nodeHashes(ids),
    nodeRange: (level, begin, end) => store.nodeRange(level, begin, end),
    leaves: (begin, end) => store.leaves(begin, end),
    findLeaves: (hashes) => store.findLeaves(hashes),
    search: (query) => store.search(query),
    blob: (digest) => store.blob(digest),
    claimSetting: (name, value) => store.claimSetting(name, value),
    ping: () => store.ping(),
    close: () => store.close(),
  };
}

export function describeTransparencyLogContract(name: string, openStore: () => Promise<LogStoreFixture>): void {
  describe(`TransparencyLog on ${name}`, () => {
    const signer = newNoteSigner();
    const verifier = parseVerifierKey(signer.verifierKey);

    async function withLog(f: (log: TransparencyLog, fixture: LogStoreFixture) => Promise<void>, options: LogOptions = {}): Promise<void> {
      const fixture = await openStore();
      const log = await openLog(fixture.store, signer, options);
      try {
        await f(log, fixture);
      } finally {
        await log.close();
        await fixture.cleanup();
      }
    }

    it('starts with the signed checkpoint of the empty tree and binds the store to its origin and key', async () => {
      const fixture = await openStore();
      try {
        const log = await openLog(fixture.store, signer);
        const info = await log.info();
        assert.equal(info.size, 0n);
        assert.equal(info.rootHash, sha256().toString('hex'));
        assert.equal(info.origin, ORIGIN);
        assert.equal(info.verifierKey, signer.verifierKey);
        const cp = verifyCheckpointNote(info.checkpoint, verifier, ORIGIN);
        assert.equal(cp.size, 0n);
        assert.equal(await log.checkpointNote(), info.checkpoint);
        await log.close();
        assert.equal(await fixture.store.ping(), false);

        const again = await openLog(await fixture.reopen(), signer);
        assert.equal((await again.info()).checkpoint, info.checkpoint);
        await again.close();
        const otherKey = await fixture.reopen();
        await rejectsCode(openLog(otherKey, newNoteSigner()), 'LOG_KEY_MISMATCH');
        await otherKey.close();
        const otherOrigin = await fixture.reopen();
        await rejectsCode(openLog(otherOrigin, newNoteSigner('other.example/log'), { origin: 'other.example/log' }), 'LOG_KEY_MISMATCH');
        await otherOrigin.close();
      } finally {
        await fixture.cleanup();
      }
    });

    describe('a log of 2,000 entries appended in several batches', () => {
      let fixture: LogStoreFixture;
      let log: TransparencyLog;
      let tree: ReferenceTree;
      let sizes: number[];
      const SIZE = 2000;

      before(async () => {
        fixture = await openStore();
        log = await openLog(fixture.store, signer, { maxBatch: 300 });
        const built = await appendGroups(log, 'big', [1, 255, 256, 1, 487, 700, 300]);
        assert.equal(built.leaves.length, SIZE);
        tree = new ReferenceTree(built.leaves);
        sizes = built.sizes;
      });
      after(async () => {
        await log.close();
        await fixture.cleanup();
      });

      it('signs a checkpoint of the reference root and serves every inclusion proof as RFC 6962 defines it', async () => {
        const info = await log.info();
        assert.equal(info.size, BigInt(SIZE));
        assert.equal(info.rootHash, tree.mth(0, SIZE).toString('hex'));
        assert.ok(verifyCheckpointNote(info.checkpoint, verifier, ORIGIN).rootHash.equals(tree.mth(0, SIZE)));
        for (let i = 0; i < SIZE; i++) {
          const proof = await log.inclusionProof(BigInt(i));
          assert.equal(proof.size, BigInt(SIZE));
          assert.equal(proof.leafHash, (tree.leaves[i] as Buffer).toString('hex'));
          assert.deepEqual(proof.hashes, hex(tree.path(i, SIZE)), `inclusion proof of ${i}`);
          const path = proof.hashes.map((h) => Buffer.from(h, 'hex'));
          assert.ok(independentInclusionRoot(tree.leaves[i] as Buffer, i, SIZE, path).equals(tree.mth(0, SIZE)), `inclusion proof of ${i} verifies`);
          assert.equal(proof.checkpoint, info.checkpoint);
        }
      });

      it('proves inclusion in the tree of every checkpoint it issued, and in no other size', async () => {
        const stats = await log.stats();
        assert.equal(stats.appends, SIZE);
        assert.ok(stats.batches >= sizes.length, `${stats.batches} batches`);
        for (const size of sizes) {
          for (const i of [0, Math.floor(size / 2), size - 1]) {
            const proof = await log.inclusionProof(BigInt(i), BigInt(size));
            assert.deepEqual(proof.hashes, hex(tree.path(i, size)));
            const cp = verifyCheckpointNote(proof.checkpoint, verifier, ORIGIN);
            assert.equal(cp.size, BigInt(size));
            assert.ok(cp.rootHash.equals(tree.mth(0, size)));
          }
        }
        await rejectsCode(log.inclusionProof(0n, 3n), 'LOG_SIZE_UNKNOWN');
        await rejectsCode(log.inclusionProof(0n, BigInt(SIZE + 1)), 'LOG_SIZE_UNKNOWN');
        await rejectsCode(log.inclusionProof(5n, 5n), 'USAGE');
        await rejectsCode(log.inclusionProof(BigInt(SIZE)), 'LOG_ENTRY_NOT_FOUND');
        await rejectsCode(log.inclusionProof(-1n), 'USAGE');
      });

      it('serves consistency proofs between sizes as RFC 6962 defines them', async () => {
        let seed = 7;
        const random = (n: number) => {
          seed = (seed * 1103515245 + 12345) % 2 ** 31;
          return 1 + (seed % n);
        };
        const pairs: [number, number][] = [[1, 1], [1, 2], [256, 512], [255, 257], [SIZE - 1, SIZE], [1, SIZE]];
        for (let k = 0; k < 150; k++) {
          const a = random(SIZE);
          const b = random(SIZE);
          pairs.push([Math.min(a, b), Math.max(a, b)]);
        }
        for (const [m, n] of pairs) {
          const proof = await log.consistencyProof(BigInt(m), BigInt(n));
          assert.deepEqual(proof.hashes, hex(tree.proof(m, n)), `consistency ${m} -> ${n}`);
          if (m < n) {
            const roots = independentConsistencyRoots(m, n, tree.mth(0, m), proof.hashes.map((h) => Buffer.from(h, 'hex')));
            assert.ok(roots.first.equals(tree.mth(0, m)) && roots.second.equals(tree.mth(0, n)), `consistency ${m} -> ${n} verifies`);
          }
        }
        await rejectsCode(log.consistencyProof(0n, 5n), 'USAGE');
        await rejectsCode(log.consistencyProof(6n, 5n), 'USAGE');
        await rejectsCode(log.consistencyProof(5n, BigInt(SIZE + 1)), 'LOG_SIZE_UNKNOWN');
      });

      it('reads entries by index and by leaf hash', async () => {
        for (const i of [0, 1, 999, SIZE - 1]) {
          const view = await log.entry(BigInt(i));
          assert.ok(ReferenceTree.leafHash(view.entryBytes).equals(tree.leaves[i] as Buffer));
          assert.equal(view.entryDigest, sha256Digest(view.entryBytes));
          assert.deepEqual(view.entry, { apiVersion: 'test.invalid/v0', kind: 'test-only', spec: proposal('big', i) });
          assert.ok(!Number.isNaN(Date.parse(view.integratedAt)));
          assert.equal((await log.entryByLeafHash(view.leafHash)).index, BigInt(i));
        }
        await rejectsCode(log.entry(BigInt(SIZE)), 'LOG_ENTRY_NOT_FOUND');
        await rejectsCode(log.entryByLeafHash('00'.repeat(32)), 'LOG_ENTRY_NOT_FOUND');
        await rejectsCode(log.entryByLeafHash('XYZ'), 'USAGE');
      });

      it('serves hash tiles and entry bundles exactly as tlog-tiles defines them', async () => {
        // 2,000 = 7 full level-0 tiles + 208; level 1 has 7 hashes (full 256-leaf subtrees).
        for (let n = 0; n < 7; n++) {
          const tile = await log.tile(0, BigInt(n));
          assert.ok(tile !== null);
          assert.deepEqual(decodeHashTile(tile, 256), tree.leaves.slice(n * 256, n * 256 + 256));
          const bundle = await log.entryBundle(BigInt(n));
          assert.ok(bundle !== null);
          assert.deepEqual(decodeEntryBundle(bundle, 256).map((e) => ReferenceTree.leafHash(e)), tree.leaves.slice(n * 256, n * 256 + 256));
          assert.equal(await log.tile(0, BigInt(n), 10), null, 'a partial tile of a full tile');
        }
        const partial = await log.tile(0, 7n, 208);
        assert.ok(partial !== null);
        assert.deepEqual(decodeHashTile(partial, 208), tree.leaves.slice(1792));
        assert.deepEqual(decodeHashTile((await log.tile(0, 7n, 100)) as Buffer, 100), tree.leaves.slice(1792, 1892));
        assert.equal(await log.tile(0, 7n), null);
        assert.equal(await log.tile(0, 7n, 209), null);
        assert.equal(await log.tile(0, 8n, 1), null);
        const bundle = await log.entryBundle(7n, 208);
        assert.ok(bundle !== null);
        assert.deepEqual(decodeEntryBundle(bundle, 208).map((e) => ReferenceTree.leafHash(e)), tree.leaves.slice(1792));
        assert.equal(await log.entryBundle(7n), null);
        assert.equal(await log.entryBundle(7n, 209), null);
        const level1 = await log.tile(1, 0n, 7);
        assert.ok(level1 !== null);
        assert.deepEqual(decodeHashTile(level1, 7), Array.from({ length: 7 }, (_, n) => tree.mth(n * 256, n * 256 + 256)));
        assert.equal(await log.tile(1, 0n, 8), null);
        assert.equal(await log.tile(2, 0n, 1), null);
        const audit = await auditLog(log, verifier, { origin: ORIGIN });
        assert.deepEqual(audit.problems, []);
        assert.equal(audit.ok, true);
        assert.equal(audit.checked, BigInt(SIZE));
        assert.equal(audit.recomputedRoot, tree.mth(0, SIZE).toString('hex'));
      });
    });

    describe('a log of 10,000 entries: every proof checked by an independent RFC 9162 verifier', () => {
      let fixture: LogStoreFixture;
      let log: TransparencyLog;
      let tree: ReferenceTree;
      const SIZE = 10_000;

      before(async () => {
        fixture = await openStore();
        log = await openLog(fixture.store, signer, { maxBatch: 1024 });
        const built = await appendGroups(log, 'ten-thousand', [3, 1021, 1024, 2000, 5952]);
        assert.equal(built.leaves.length, SIZE);
        tree = new ReferenceTree(built.leaves);
      });
      after(async () => {
        await log.close();
        await fixture.cleanup();
      });

      it('proves the inclusion of every entry in the signed root', async () => {
        const info = await log.info();
        const root = verifyCheckpointNote(info.checkpoint, verifier, ORIGIN).rootHash;
        assert.ok(root.equals(tree.mth(0, SIZE)));
        for (let i = 0; i < SIZE; i++) {
          const proof = await log.inclusionProof(BigInt(i));
          const path = proof.hashes.map((h) => Buffer.from(h, 'hex'));
          const leaf = tree.leaves[i] as Buffer;
          assert.equal(proof.leafHash, leaf.toString('hex'));
          assert.ok(independentInclusionRoot(leaf, i, SIZE, path).equals(root), `inclusion proof of ${i}`);
        }
      });

      it('proves consistency between random sizes and the latest size', async () => {
        let seed = 11;
        const random = (n: number) => {
          seed = (seed * 1103515245 + 12345) % 2 ** 31;
          return 1 + (seed % n);
        };
        for (let k = 0; k < 500; k++) {
          const a = random(SIZE);
          const b = k % 5 === 0 ? SIZE : random(SIZE);
          const [m, n] = [Math.min(a, b), Math.max(a, b)];
          if (m === n) continue;
          const proof = await log.consistencyProof(BigInt(m), BigInt(n));
          const roots = independentConsistencyRoots(m, n, tree.mth(0, m), proof.hashes.map((h) => Buffer.from(h, 'hex')));
          assert.ok(roots.first.equals(tree.mth(0, m)), `consistency ${m} -> ${n}: first root`);
          assert.ok(roots.second.equals(tree.mth(0, n)), `consistency ${m} -> ${n}: second root`);
        }
      });

      it('a changed proof hash or a wrong index fails the independent verifier', async () => {
        const proof = await log.inclusionProof(1234n);
        const path = proof.hashes.map((h) => Buffer.from(h, 'hex'));
        const bad = path.map((h, j) => (j === 3 ? Buffer.from(h.map((b) => b ^ 1)) : h));
        const leaf = tree.leaves[1234] as Buffer;
        assert.ok(!independentInclusionRoot(leaf, 1234, SIZE, bad).equals(tree.mth(0, SIZE)));
        assert.ok(!independentInclusionRoot(leaf, 1235, SIZE, path).equals(tree.mth(0, SIZE)));
      });
    });

    it('answers an identical entry with the index it already has', async () => {
      await withLog(async (log) => {
        const [a, b, c] = await Promise.all([log.append(proposal('dup', 1)), log.append(proposal('dup', 2)), log.append(proposal('dup', 1))]);
        assert.deepEqual([a.index, a.duplicate, b.index, b.duplicate, c.index, c.duplicate], [0n, false, 1n, false, 0n, true]);
        assert.equal(c.leafHash, a.leafHash);
        assert.equal(c.entryDigest, a.entryDigest);
        const later = await log.append(proposal('dup', 2));
        assert.deepEqual([later.index, later.duplicate], [1n, true]);
        assert.equal(verifyCheckpointNote(later.checkpoint, verifier).size, 2n);
        const stats = await log.stats();
        assert.deepEqual([stats.size, stats.appends, stats.duplicates], [2n, 2, 2]);
        assert.equal((await log.info()).size, 2n);
      });
    });

    it('integrates concurrent appends in the order they were made, with contiguous indices', async () => {
      // Verification that takes a random time per entry must not reorder the log.
      const slow: EntryPreparer = async (p) => {
        await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 4)));
        return testOnlyPreparer(p);
      };
      await withLog(async (log) => {
        await log.append(proposal('order', -1));
        const results = await Promise.all(Array.from({ length: 400 }, (_, i) => log.append(proposal('order', i))));
        assert.deepEqual(results.map((r) => r.index), Array.from({ length: 400 }, (_, i) => BigInt(i + 1)));
        for (const r of results) assert.ok(verifyCheckpointNote(r.checkpoint, verifier).size > r.index);
      }, { prepare: slow, maxBatch: 64 });
    });

    it('rejects only the append whose verification fails', async () => {
      const picky: EntryPreparer = async (p) => {
        if ((p as { n: number }).n === 3) throw new ProvenantError('ENTRY_MALFORMED', 'test refusal');
        return testOnlyPreparer(p);
      };
      await withLog(async (log) => {
        const settled = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => log.append(proposal('picky', i))));
        assert.deepEqual(settled.map((s) => s.status), ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
        await rejectsCode(Promise.reject((settled[3] as PromiseRejectedResult).reason), 'ENTRY_MALFORMED');
        assert.deepEqual(settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value.index] : [])), [0n, 1n, 2n, 3n, 4n]);
      }, { prepare: picky });
    });

    it('rejects every append of a batch the store refuses with the store error, and goes on', async () => {
      await withLog(async (log) => {
        await log.append(proposal('refused', 0));
        // An index term over the store's limit makes integrate() refuse the whole batch.
        const settled = await Promise.allSettled([
          log.append(proposal('refused', 1)),
          log.append(proposal('refused', 2, { termBytes: 5000 })),
          log.append(proposal('refused', 3)),
        ]);
        for (const s of settled) await rejectsCode(s.status === 'rejected' ? Promise.reject(s.reason) : Promise.resolve(), 'INPUT_TOO_LARGE');
        assert.equal((await log.info()).size, 1n);
        assert.equal((await log.append(proposal('refused', 1))).index, 1n);
      }, { maxDelayMs: 20 });
    });

    it('keeps one consistent tree when two logs on two handles of one database append at once', async () => {
      const fixture = await openStore();
      const second = await fixture.reopen();
      const integrations = { conflicts: 0 };
      const counting = countingConflicts(second, integrations);
      const a = await openLog(fixture.store, signer, { maxBatch: 50 });
      const b = await openLog(counting, signer, { maxBatch: 50 });
      try {
        // b has sequenced at size 0 and a after it, so b's next batch is built on a stale size whatever the timing.
        const prelude = [await b.append(proposal('prelude', 0)), await a.append(proposal('prelude', 1))];
        const [fromA, fromB] = await Promise.all([
          Promise.all(Array.from({ length: 300 }, (_, i) => a.append(proposal(i % 10 === 0 ? 'shared' : 'a', i)))),
          Promise.all(Array.from({ length: 300 }, (_, i) => b.append(proposal(i % 10 === 0 ? 'shared' : 'b', i)))),
        ]);
        const all = [...prelude, ...fromA, ...fromB];
        const size = (await a.info()).size;
        assert.equal(size, 572n);
        assert.equal((await b.info()).size, 572n);
        const byLeaf = new Map<string, bigint>();
        for (const r of all) {
          const seen = byLeaf.get(r.leafHash);
          if (seen !== undefined) assert.equal(r.index, seen);
          byLeaf.set(r.leafHash, r.index);
        }
        assert.equal(byLeaf.size, 572);
        assert.deepEqual([...byLeaf.values()].sort((x, y) => (x < y ? -1 : 1)), Array.from({ length: 572 }, (_, i) => BigInt(i)));
        assert.ok(integrations.conflicts > 0, 'the second log built at least one batch on a stale size');
        const audit = await auditLog(b, verifier, { origin: ORIGIN });
        assert.deepEqual(audit.problems, []);
        for (const r of all) {
          const cp = verifyCheckpointNote(r.checkpoint, verifier);
          const proof = await a.inclusionProof(r.index, cp.size);
          assert.equal(proof.leafHash, r.leafHash);
        }
      } finally {
        await a.close();
        await b.close();
        await fixture.cleanup();
      }
    });

    it('close() integrates what is queued, then refuses appends and closes the store', async () => {
      const fixture = await openStore();
      try {
        const log = await openLog(fixture.store, signer, { maxDelayMs: 50 });
        const pending = Array.from({ length: 50 }, (_, i) => log.append(proposal('drain', i)));
        await log.close();
        const results = await Promise.all(pending);
        assert.deepEqual(results.map((r) => r.index), Array.from({ length: 50 }, (_, i) => BigInt(i)));
        await rejectsCode(log.append(proposal('drain', 99)), 'LOG_CLOSED');
        assert.equal(await log.ping(), false);
        const reopened = await openLog(await fixture.reopen(), signer);
        assert.equal((await reopened.info()).size, 50n);
        await reopened.close();
      } finally {
        await fixture.cleanup();
      }
    });

    it('refuses appends beyond the pending limit with LOG_BUSY', async () => {
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const gated: EntryPreparer = async (p) => {
        await gate;
        return testOnlyPreparer(p);
      };
      await withLog(async (log) => {
        const waiting = Array.from({ length: 5 }, (_, i) => log.append(proposal('busy', i)));
        await rejectsCode(log.append(proposal('busy', 5)), 'LOG_BUSY');
        assert.equal((await log.stats()).pending, 5);
        release();
        assert.equal((await Promise.all(waiting)).length, 5);
      }, { prepare: gated, maxPending: 5 });
    });

    it('searches by index terms a page at a time and serves blobs', async () => {
      await withLog(async (log) => {
        await Promise.all(Array.from({ length: 25 }, (_, i) => log.append(proposal(i % 2 === 0 ? 'even' : 'odd', i, { blob: `blob ${i}` }))));
        const first = await log.search({ line: 'even' }, { limit: 10 });
        assert.deepEqual(first.indices, [0n, 2n, 4n, 6n, 8n, 10n, 12n, 14n, 16n, 18n]);
        assert.equal(first.next, 18n);
        const rest = await log.search({ line: 'even' }, { limit: 10, after: first.next as bigint });
        assert.deepEqual(rest.indices, [20n, 22n, 24n]);
        assert.equal(rest.next, undefined);
        assert.deepEqual((await log.search({ kind: 'test-only', line: 'odd' })).indices.length, 12);
        await rejectsCode(log.search({}), 'USAGE');
        await rejectsCode(log.search({ line: 'even' }, { limit: 1001 }), 'USAGE');
        const blob = await log.blob(sha256Digest('blob 3'));
        assert.deepEqual(blob, { mediaType: 'text/plain', data: Buffer.from('blob 3') });
        assert.equal(await log.blob(sha256Digest('no such blob')), null);
      });
    });

    it('appends real signature entries verified by prepareEntry, and finds them', async () => {
      const { signer: cosign } = await generateKeyPair('test password', { algorithm: 'ed25519', level: 'legacy' });
      const image = sha256Digest('an image manifest');
      const payload = buildSimpleSigningPayload({ dockerReference: 'registry.example/team/app', digest: image, optional: null });
      const proposed = proposeSignature(payload, await cosign.sign(payload), cosign.publicKeyPem());
      await withLog(async (log) => {
        const appended = await log.append(proposed);
        assert.equal(appended.index, 0n);
        assert.equal((await log.append(proposed)).duplicate, true);
        const tampered = proposeSignature(payload, Buffer.alloc(64, 1), cosign.publicKeyPem());
        await rejectsCode(log.append(tampered), 'SIGNATURE_INVALID');
        assert.deepEqual((await log.search({ subject: image, signer: cosign.keyId })).indices, [0n]);
        assert.deepEqual((await log.search({ repository: 'registry.example/team/app' })).indices, [0n]);
        assert.deepEqual((await log.search({ entry: appended.entryDigest })).indices, [0n]);
        assert.deepEqual((await log.search({ entry: appended.entryDigest, kind: 'attestation' })).indices, []);
        assert.equal((await log.entry(0n)).entry.kind, 'signature');
      }, { prepare: prepareEntry });
    });
  });
}
