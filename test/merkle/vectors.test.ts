// Every probe of the transparency-dev/merkle golden vectors (test/fixtures/merkle-vectors, see SOURCE.md there).
// The expected outcome of each probe is derived independently of src/merkle: MERKLE_PROOF_INVALID when its shape is
// wrong (sizes, index, a hash that is not 32 bytes, a proof length other than the RFC 6962 reference's), else
// MERKLE_ROOT_MISMATCH when the probe says it must fail, else success.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeBase64 } from '../../src/core/bytes.js';
import { ProvenantError } from '../../src/core/errors.js';
import { parseJsonObject, type JsonObject } from '../../src/core/json.js';
import { verifyConsistency, verifyInclusion } from '../../src/merkle/index.js';
import { UniformReferenceTree, rfcPath, rfcProof } from './rfc6962-reference.js';

const ROOT = fileURLToPath(new URL('../fixtures/merkle-vectors/', import.meta.url));
const uniform = new UniformReferenceTree(Buffer.from('any'));

type Outcome = 'ok' | 'MERKLE_PROOF_INVALID' | 'MERKLE_ROOT_MISMATCH';

/**
 * Where upstream and Provenant knowingly differ. Upstream accepts two equal 12-byte "roots" when size1 = size2 = 1,
 * because Go's verifier compares them without looking at their length; Provenant refuses any root that is not a
 * 32-byte hash, as no tree head can carry one.
 */
const STRICTER_THAN_UPSTREAM = ['consistency/additional/sizes-are-equal-one-and-proof-is-empty.json'];

interface Probe {
  readonly file: string;
  readonly wantErr: boolean;
  readonly run: () => void;
  readonly expected: Outcome;
}

function walk(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => (statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : [join(dir, name)]))
    .filter((f) => f.endsWith('.json'))
    .sort();
}

/** An integer member, exactly: JSON numbers above 2^53 (such as 2^64 - 1) are read from the text itself. */
function integer(text: string, obj: JsonObject, key: string): bigint {
  const value = obj[key];
  assert.equal(typeof value, 'number', key);
  const match = new RegExp(`"${key}"\\s*:\\s*(\\d+)`).exec(text);
  assert.ok(match !== null, key);
  const exact = BigInt(match[1]!);
  assert.equal(Number(exact), value, key);
  return exact;
}

function hashes(obj: JsonObject, key: string): Buffer[] {
  const value = obj[key];
  if (value === null) return [];
  assert.ok(Array.isArray(value), key);
  return value.map((v, i) => decodeBase64(v, `${key}[${i}]`));
}

const not32 = (...values: Buffer[]): boolean => values.some((v) => v.length !== 32);

function loadProbe(path: string): Probe {
  const file = relative(ROOT, path).split('\\').join('/');
  const text = readFileSync(path, 'utf8');
  const obj = parseJsonObject(text, file);
  const wantErr = obj.wantErr;
  assert.equal(typeof wantErr, 'boolean', file);
  const verdict = (invalid: boolean): Outcome => (invalid ? 'MERKLE_PROOF_INVALID' : wantErr ? 'MERKLE_ROOT_MISMATCH' : 'ok');
  const proof = hashes(obj, 'proof');
  if (file.startsWith('inclusion/')) {
    const index = integer(text, obj, 'leafIdx');
    const size = integer(text, obj, 'treeSize');
    const [root, leaf] = [decodeBase64(obj.root, 'root'), decodeBase64(obj.leafHash, 'leafHash')];
    const invalid = index >= size || not32(root, leaf, ...proof) || proof.length !== rfcPath(uniform.mth, index, 0n, size).length;
    return { file, wantErr: wantErr as boolean, expected: verdict(invalid), run: () => verifyInclusion(leaf, index, size, proof, root) };
  }
  assert.ok(file.startsWith('consistency/'), file);
  const size1 = integer(text, obj, 'size1');
  const size2 = integer(text, obj, 'size2');
  const [root1, root2] = [decodeBase64(obj.root1, 'root1'), decodeBase64(obj.root2, 'root2')];
  const invalid = size1 === 0n || size1 > size2 || not32(root1, root2, ...proof) || proof.length !== rfcProof(uniform.mth, size1, size2).length;
  return { file, wantErr: wantErr as boolean, expected: verdict(invalid), run: () => verifyConsistency(size1, size2, proof, root1, root2) };
}

function outcome(run: () => void): Outcome {
  try {
    run();
    return 'ok';
  } catch (e) {
    if (e instanceof ProvenantError && (e.code === 'MERKLE_PROOF_INVALID' || e.code === 'MERKLE_ROOT_MISMATCH')) return e.code;
    throw e;
  }
}

const probes = walk(ROOT).map(loadProbe);

test('the fixture directory is complete: licence, source note and all 196 probes', () => {
  assert.match(readFileSync(join(ROOT, 'LICENSE'), 'utf8'), /Apache License/);
  assert.match(readFileSync(join(ROOT, 'SOURCE.md'), 'utf8'), /transparency-dev\/merkle/);
  assert.equal(probes.length, 196);
  assert.equal(probes.filter((p) => p.file.startsWith('inclusion/')).length, 98);
  assert.equal(probes.filter((p) => !p.wantErr).length, 12);
});

test('every vector probe that must fail is refused, with the code its shape calls for', () => {
  for (const p of probes.filter((p) => p.wantErr)) {
    assert.notEqual(p.expected, 'ok', p.file);
    assert.equal(outcome(p.run), p.expected, p.file);
  }
});

test('every vector probe that must verify does, except where Provenant is knowingly stricter', () => {
  for (const p of probes.filter((p) => !p.wantErr)) assert.equal(outcome(p.run), p.expected, p.file);
  const stricter = probes.filter((p) => !p.wantErr && p.expected !== 'ok').map((p) => p.file);
  assert.deepEqual(stricter, STRICTER_THAN_UPSTREAM);
});
