// The durability requirement of the log service, end to end: kill `provenant serve` with SIGKILL while clients
// append at full speed, start it again on the same data, and every acknowledged entry is at its index, the new
// checkpoint is consistent with every checkpoint handed out before, and nothing else changed. The service runs as
// a user runs it (a child process of the CLI); everything is checked over HTTP, with RFC 6962 written in the test.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { LOG_PASSWORD_ENV } from '../../src/cli/log-key.js';
import { verifyCheckpointNote, type Checkpoint } from '../../src/formats/checkpoint.js';
import { parseVerifierKey, type NoteVerifier } from '../../src/formats/signed-note.js';
import { prepareEntry } from '../../src/log/entries/index.js';
import { ReferenceTree, independentConsistencyRoots } from '../log/transparency-log-contract.js';
import { httpClient, mapConcurrently, type HttpClient } from './http-client.js';
import { TILE_WIDTH, leafHashOf, sha256Hex, splitEntryBundle, splitHashTile, tileIndexPath } from './rfc6962-reference.js';
import { provenantCommand, startServe, type ServeChild } from './serve-child.js';
import { appendUntilKilled, buildProposals, type Acknowledgement, type LoadOutcome, type Proposal } from './sigkill-load.js';

export interface ScenarioBackend {
  /** Store arguments after `--data DIR`: none for the SQLite store in DIR, `--database URL` for PostgreSQL. */
  readonly storeArgs: readonly string[];
}

const LOAD = { clients: 32, killAtAcknowledged: 2000, killAfterMs: 2500 };
/** Enough that the loops are still busy when the kill comes, whichever way it comes. */
const PROPOSALS = LOAD.killAtAcknowledged + 20 * LOAD.clients;
const LOG_PASSWORD = 'sigkill scenario log key';

interface Head {
  readonly checkpoint: Checkpoint;
  readonly size: number;
}

export async function sigkillScenario(t: TestContext, backend: ScenarioBackend): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'provenant-e2e-sigkill-'));
  const services: ServeChild[] = [];
  const clients: HttpClient[] = [];
  t.after(async () => {
    for (const c of clients) c.close();
    for (const s of services) await s.kill();
    await rm(dir, { recursive: true, force: true });
  });
  const data = join(dir, 'data');
  const env = { PATH: process.env.PATH ?? '', HOME: dir, [LOG_PASSWORD_ENV]: LOG_PASSWORD };
  const serveArgs = ['--data', data, ...backend.storeArgs, '--listen', '127.0.0.1:0'];

  const [tokenOutput, proposals] = await Promise.all([
    provenantCommand(['token', 'create', 'sigkill-writer', '--data', data], env),
    buildProposals(PROPOSALS + 1),
  ]);
  const token = tokenOutput.trim();
  assert.match(token, /^pvt_\S+$/);
  const extra = proposals.pop() as Proposal;

  const first = await startServe(serveArgs, env, join(dir, 'serve-1.log'));
  services.push(first);
  const verifier = parseVerifierKey(first.verifierKey);
  const load = await appendUntilKilled(first, token, proposals, LOAD);
  const ended = await first.exited;
  assert.deepEqual(ended, { code: null, signal: 'SIGKILL' });
  assert.ok(first.groupGone(), 'a process of the killed service is still running');
  t.diagnostic(`${load.acknowledged.length} appends acknowledged, ${load.unanswered.length} in flight at the kill, ${load.sent} sent`);
  assert.deepEqual(load.unexpected, [], `unexpected answers before the kill; service log:\n${await first.stderrTail()}`);
  assert.equal(load.ranDry, false, 'the proposals ran out before the kill');
  assert.ok(load.acknowledged.length > 0, 'nothing was acknowledged before the kill');
  const handedOut = checkAcknowledgements(load, verifier, first.origin);

  const second = await startServe(serveArgs, env, join(dir, 'serve-2.log'));
  services.push(second);
  assert.equal(second.origin, first.origin);
  assert.equal(second.verifierKey, first.verifierKey);
  const http = httpClient(second.url, { maxSockets: 16 });
  clients.push(http);

  const head = await readHead(http, verifier, first.origin);
  const maxAcknowledged = Math.max(...load.acknowledged.map((a) => a.index));
  assert.ok(head.size >= maxAcknowledged + 1, `the restarted log has ${head.size} entries; entry ${maxAcknowledged} was acknowledged`);
  assert.ok(head.size <= load.acknowledged.length + load.unanswered.length, `the restarted log has ${head.size} entries, more than were sent`);
  for (const [size] of handedOut) assert.ok(head.size >= size, `the restarted log (${head.size}) is smaller than checkpoint ${size} handed out`);

  await checkAcknowledgedEntries(http, load.acknowledged);
  const leaves = await readLeaves(http, head.size);
  await checkOnlyOurEntries(leaves, load, proposals);
  const reference = new ReferenceTree(leaves);
  assert.ok(reference.mth(0, head.size).equals(head.checkpoint.rootHash), 'the entries do not hash to the new checkpoint root');
  for (const [size, root] of handedOut) {
    assert.ok(reference.mth(0, size).equals(root), `the entries below ${size} no longer hash to the checkpoint of size ${size} handed out`);
    await checkConsistency(http, size, root, head);
  }

  // The restarted service takes appends again, at the next index, and still knows what it holds.
  const appended = await http.post('/api/v1/log/entries', extra.body, token);
  assert.equal(appended.status, 201);
  const next = JSON.parse(appended.body.toString('utf8')) as { index: string; leafHash: string; duplicate: boolean; checkpoint: string };
  assert.equal(next.index, String(head.size));
  assert.equal(next.duplicate, false);
  const grown = verifyCheckpointNote(next.checkpoint, verifier, first.origin);
  assert.equal(grown.size, BigInt(head.size + 1));
  assert.ok(new ReferenceTree([...leaves, Buffer.from(next.leafHash, 'hex')]).mth(0, head.size + 1).equals(grown.rootHash));
  await checkConsistency(http, head.size, head.checkpoint.rootHash, { checkpoint: grown, size: head.size + 1 });
  await checkAcknowledgedEntries(http, [{ index: head.size, leafHash: next.leafHash }]);
  const again = load.acknowledged[0] as Acknowledgement;
  const repeated = await http.post('/api/v1/log/entries', (proposals[again.proposal] as Proposal).body, token);
  assert.equal(repeated.status, 200);
  assert.deepEqual(
    { ...(JSON.parse(repeated.body.toString('utf8')) as object), checkpoint: '' },
    { index: String(again.index), leafHash: again.leafHash, entryDigest: again.entryDigest, duplicate: true, checkpoint: '' },
  );
}

/** Every acknowledgement before the kill: a new entry, at its own index, in a verifying checkpoint containing it. */
function checkAcknowledgements(load: LoadOutcome, verifier: NoteVerifier, origin: string): Map<number, Buffer> {
  const roots = new Map<number, Buffer>();
  const indices = new Set<number>();
  for (const a of load.acknowledged) {
    assert.equal(a.status, 201, `proposal ${a.proposal} was answered ${a.status}`);
    assert.equal(a.duplicate, false);
    assert.ok(!indices.has(a.index), `index ${a.index} was acknowledged twice`);
    indices.add(a.index);
    const cp = verifyCheckpointNote(a.checkpoint, verifier, origin);
    const size = Number(cp.size);
    assert.ok(a.index < size, `entry ${a.index} was acknowledged with a checkpoint of size ${size}`);
    const known = roots.get(size);
    if (known !== undefined) assert.ok(known.equals(cp.rootHash), `two checkpoints of size ${size} with different roots were handed out`);
    roots.set(size, cp.rootHash);
  }
  return roots;
}

async function readHead(http: HttpClient, verifier: NoteVerifier, origin: string): Promise<Head> {
  const info = await http.getJson<{ origin: string; size: string; rootHash: string; checkpoint: string }>('/api/v1/log');
  const checkpoint = verifyCheckpointNote(info.checkpoint, verifier, origin);
  assert.equal(info.origin, origin);
  assert.equal(info.size, checkpoint.size.toString());
  assert.equal(info.rootHash, checkpoint.rootHash.toString('hex'));
  const tiles = await http.get('/log/checkpoint');
  assert.equal(tiles.status, 200);
  assert.equal(tiles.body.toString('utf8'), info.checkpoint);
  return { checkpoint, size: Number(checkpoint.size) };
}

/** Each entry is at its index with its leaf hash, and its bytes hash to that leaf hash and to its digest. */
async function checkAcknowledgedEntries(http: HttpClient, acks: readonly { index: number; leafHash: string; entryDigest?: string }[]): Promise<void> {
  await mapConcurrently(acks, 16, async (a) => {
    const view = await http.getJson<{ index: string; leafHash: string; entryDigest: string; entryBytes: string }>(`/api/v1/log/entries/${a.index}`);
    const bytes = Buffer.from(view.entryBytes, 'base64');
    assert.equal(view.index, String(a.index));
    assert.equal(view.leafHash, a.leafHash, `entry ${a.index} is not the one acknowledged`);
    assert.equal(leafHashOf(bytes).toString('hex'), a.leafHash, `the bytes of entry ${a.index} do not hash to its leaf hash`);
    assert.equal(view.entryDigest, `sha256:${sha256Hex(bytes)}`);
    if (a.entryDigest !== undefined) assert.equal(view.entryDigest, a.entryDigest);
  });
}

/** The leaf hashes of [0, size), recomputed from the entry bundles and compared with the level-0 hash tiles. */
async function readLeaves(http: HttpClient, size: number): Promise<Buffer[]> {
  const tiles = Array.from({ length: Math.ceil(size / TILE_WIDTH) }, (_, i) => i);
  const parts = await mapConcurrently(tiles, 4, async (i) => {
    const width = Math.min(TILE_WIDTH, size - i * TILE_WIDTH);
    const suffix = width === TILE_WIDTH ? '' : `.p/${width}`;
    const [bundle, tile] = await Promise.all([
      http.get(`/log/tile/entries/${tileIndexPath(i)}${suffix}`),
      http.get(`/log/tile/0/${tileIndexPath(i)}${suffix}`),
    ]);
    assert.equal(bundle.status, 200, `entry bundle ${i} (${width})`);
    assert.equal(tile.status, 200, `hash tile 0/${i} (${width})`);
    const fromEntries = splitEntryBundle(bundle.body, width).map(leafHashOf);
    const stored = splitHashTile(tile.body, width);
    fromEntries.forEach((h, j) => assert.ok(h.equals(stored[j] as Buffer), `entry ${i * TILE_WIDTH + j} does not hash to its stored leaf hash`));
    return fromEntries;
  });
  return parts.flat();
}

/** Every entry is one of the proposals sent, once: acknowledged at its index, or one that was in flight. */
async function checkOnlyOurEntries(leaves: readonly Buffer[], load: LoadOutcome, proposals: readonly Proposal[]): Promise<void> {
  const acknowledgedAt = new Map(load.acknowledged.map((a) => [a.index, a.leafHash]));
  const inFlight = new Set<string>();
  for (const n of load.unanswered) {
    const prepared = await prepareEntry((proposals[n] as Proposal).proposal);
    inFlight.add(leafHashOf(prepared.entry).toString('hex'));
  }
  const seen = new Set<string>();
  leaves.forEach((leaf, index) => {
    const hex = leaf.toString('hex');
    assert.ok(!seen.has(hex), `entry ${index} repeats an earlier entry`);
    seen.add(hex);
    const acknowledged = acknowledgedAt.get(index);
    if (acknowledged !== undefined) assert.equal(hex, acknowledged, `entry ${index} is not the one acknowledged at ${index}`);
    else assert.ok(inFlight.has(hex), `entry ${index} was neither acknowledged nor in flight at the kill`);
  });
}

/** PROOF(size, D[head]) from the service, verified by RFC 9162 §2.1.4.2 against both roots; same size, same root. */
async function checkConsistency(http: HttpClient, size: number, root: Buffer, head: Head): Promise<void> {
  const proof = await http.getJson<{ from: string; to: string; hashes: string[] }>(`/api/v1/log/proof/consistency?from=${size}&to=${head.size}`);
  assert.equal(proof.from, String(size));
  assert.equal(proof.to, String(head.size));
  const hashes = proof.hashes.map((h) => Buffer.from(h, 'hex'));
  if (size === head.size) {
    assert.deepEqual(hashes, []);
    assert.ok(root.equals(head.checkpoint.rootHash), `two checkpoints of size ${size} with different roots`);
    return;
  }
  const roots = independentConsistencyRoots(size, head.size, root, hashes);
  assert.ok(roots.first.equals(root), `the consistency proof ${size} -> ${head.size} does not lead to the root of size ${size}`);
  assert.ok(roots.second.equals(head.checkpoint.rootHash), `the consistency proof ${size} -> ${head.size} does not lead to the new root`);
}
