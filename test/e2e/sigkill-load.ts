// The load half of the SIGKILL scenario: real signed proposals built beforehand, then client loops appending them
// to a running service as fast as it answers, until the service is killed with SIGKILL mid-stream. Every 2xx
// answer is an acknowledgement, whenever it arrives; a request without an answer is unacknowledged.
import { randomBytes, randomInt } from 'node:crypto';
import { sha256Digest } from '../../src/core/digest.js';
import type { JsonObject } from '../../src/core/json.js';
import { SigningKey } from '../../src/crypto/index.js';
import { buildSimpleSigningPayload } from '../../src/formats/simple-signing.js';
import { proposeSignature } from '../../src/log/entries/index.js';
import { answerCode, httpClient } from './http-client.js';
import type { ServeChild } from './serve-child.js';

export interface Proposal {
  readonly proposal: JsonObject;
  readonly body: Buffer;
}

/** `count` cosign signature proposals of distinct images, signed with one fresh Ed25519 key. */
export async function buildProposals(count: number): Promise<Proposal[]> {
  const key = SigningKey.generate('ed25519');
  const publicKey = key.publicKeyPem();
  const run = randomBytes(8).toString('hex');
  return Promise.all(
    Array.from({ length: count }, async (_, n) => {
      const digest = sha256Digest(`sigkill scenario ${run} image manifest ${n}`);
      const payload = buildSimpleSigningPayload({ dockerReference: 'registry.example/e2e/app', digest, optional: null });
      const proposal = proposeSignature(payload, await key.sign(payload), publicKey);
      return { proposal, body: Buffer.from(JSON.stringify(proposal), 'utf8') };
    }),
  );
}

export interface Acknowledgement {
  /** Which proposal was acknowledged (its position in the list appended). */
  readonly proposal: number;
  readonly status: number;
  readonly index: number;
  readonly leafHash: string;
  readonly entryDigest: string;
  readonly duplicate: boolean;
  /** The signed checkpoint the answer handed out. */
  readonly checkpoint: string;
}

export interface LoadOutcome {
  readonly acknowledged: readonly Acknowledgement[];
  /** Proposals sent whose request failed after the kill: in flight, unacknowledged. */
  readonly unanswered: readonly number[];
  /** Anything but a 2xx answer, and requests that failed before the kill. */
  readonly unexpected: readonly string[];
  /** True if the proposals ran out before the kill (the kill would not have hit a busy service). */
  readonly ranDry: boolean;
  readonly sent: number;
}

export interface LoadOptions {
  readonly clients: number;
  /** The kill comes within a few milliseconds of this many appends acknowledged... */
  readonly killAtAcknowledged: number;
  /** ...or this long after the load started, whichever is first. */
  readonly killAfterMs: number;
}

/** Appends `proposals` from `options.clients` loops until the service is sent SIGKILL; resolves once every request ended. */
export async function appendUntilKilled(service: ServeChild, token: string, proposals: readonly Proposal[], options: LoadOptions): Promise<LoadOutcome> {
  const client = httpClient(service.url, { maxSockets: options.clients });
  const acknowledged: Acknowledgement[] = [];
  const unanswered: number[] = [];
  const unexpected: string[] = [];
  let next = 0;
  let killed = false;
  let ranDry = false;
  const kill = (): void => {
    if (killed) return;
    killed = true;
    service.killNow();
  };
  const timer = setTimeout(kill, options.killAfterMs);

  const loop = async (): Promise<void> => {
    while (!killed) {
      if (next >= proposals.length) {
        ranDry = true;
        return;
      }
      const n = next++;
      let answer;
      try {
        answer = await client.post('/api/v1/log/entries', (proposals[n] as Proposal).body, token);
      } catch (e) {
        if (killed) {
          unanswered.push(n);
        } else {
          unexpected.push(`proposal ${n}: the request failed before the kill (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
          kill();
        }
        continue;
      }
      if (answer.status !== 201 && answer.status !== 200) {
        unexpected.push(`proposal ${n}: HTTP ${answer.status} ${answerCode(answer)}`);
        continue;
      }
      const r = JSON.parse(answer.body.toString('utf8')) as { index: string; leafHash: string; entryDigest: string; duplicate: boolean; checkpoint: string };
      acknowledged.push({
        proposal: n,
        status: answer.status,
        index: Number(r.index),
        leafHash: r.leafHash,
        entryDigest: r.entryDigest,
        duplicate: r.duplicate,
        checkpoint: r.checkpoint,
      });
      // Not at once: an answer arrives just after a commit, and the kill should land anywhere in a batch's life.
      if (acknowledged.length === options.killAtAcknowledged) setTimeout(kill, randomInt(0, 20));
    }
  };
  try {
    await Promise.all(Array.from({ length: options.clients }, loop));
  } finally {
    clearTimeout(timer);
    kill();
    client.close();
  }
  return { acknowledged, unanswered, unexpected, ranDry, sent: next };
}
