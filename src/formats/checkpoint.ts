// C2SP checkpoints (https://c2sp.org/tlog-checkpoint): the signed-note text of a transparency log's tree head. The
// body is the origin line, the tree size in decimal, the base64 RFC 6962 root hash, then optional extension lines.
import { decodeBase64 } from '../core/bytes.js';
import { ProvenantError } from '../core/errors.js';
import { openNote, type NoteVerifier } from './signed-note.js';

const HASH_BYTES = 32;
const MAX_U64 = (1n << 64n) - 1n;

export interface CheckpointBody {
  readonly origin: string;
  readonly size: bigint;
  readonly rootHash: Buffer;
  /** Opaque extension lines (tlog-checkpoint, "Note text"), in order; usually none. */
  readonly extensions: readonly string[];
}

/** A checkpoint whose note signature verified. */
export interface Checkpoint extends CheckpointBody {
  /** The signed note as received, byte for byte. */
  readonly note: string;
}

/** The note text of a tree head. Errors: USAGE for an origin or extension line that cannot be written. */
export function formatCheckpoint(head: { origin: string; size: bigint; rootHash: Uint8Array; extensions?: readonly string[] }): string {
  const { origin, size, rootHash } = head;
  const extensions = head.extensions ?? [];
  if (!isLine(origin)) throw new ProvenantError('USAGE', 'a checkpoint origin must be one non-empty line of text');
  if (typeof size !== 'bigint' || size < 0n || size > MAX_U64) throw new ProvenantError('USAGE', 'a checkpoint size must be an unsigned 64-bit integer');
  if (rootHash.length !== HASH_BYTES) throw new ProvenantError('USAGE', `a checkpoint root hash must be ${HASH_BYTES} bytes`);
  if (!extensions.every(isLine)) throw new ProvenantError('USAGE', 'checkpoint extension lines must be non-empty lines of text');
  const root = Buffer.from(rootHash.buffer, rootHash.byteOffset, rootHash.byteLength).toString('base64');
  return [origin, size.toString(), root, ...extensions].map((line) => `${line}\n`).join('');
}

/**
 * Reads a checkpoint body (the note text, not the signed note). Strict as the spec: at least three lines, each
 * ending in a newline, a size with no leading zeros that fits in 64 bits, a standard base64 root of 32 bytes, no
 * empty extension line. Errors: CHECKPOINT_MALFORMED.
 */
export function parseCheckpoint(body: string): CheckpointBody {
  if (typeof body !== 'string' || !body.endsWith('\n')) throw malformed('the text must end with a newline');
  const lines = body.slice(0, -1).split('\n');
  if (lines.length < 3) throw malformed('expected origin, size and root hash lines');
  const [origin, sizeLine, rootLine, ...extensions] = lines as [string, string, string, ...string[]];
  if (origin === '') throw malformed('the origin line is empty');
  if (!/^(?:0|[1-9][0-9]{0,19})$/.test(sizeLine) || BigInt(sizeLine) > MAX_U64) {
    throw malformed('the size line is not a decimal unsigned 64-bit integer without leading zeros');
  }
  let rootHash: Buffer;
  try {
    rootHash = decodeBase64(rootLine, 'checkpoint root hash');
  } catch (cause) {
    throw malformed('the root hash line is not base64', cause);
  }
  if (rootHash.length !== HASH_BYTES || rootHash.toString('base64') !== rootLine) {
    throw malformed(`the root hash line is not the standard base64 of ${HASH_BYTES} bytes`);
  }
  if (extensions.some((line) => line === '')) throw malformed('an extension line is empty');
  return { origin, size: BigInt(sizeLine), rootHash, extensions };
}

/**
 * Opens a signed checkpoint with the log's verifier and reads its body. With `expectedOrigin`, a checkpoint of
 * another log is refused. Errors: those of openNote (NOTE_MALFORMED, NOTE_UNVERIFIED, SIGNATURE_INVALID,
 * INPUT_TOO_LARGE), CHECKPOINT_MALFORMED, CHECKPOINT_ORIGIN_MISMATCH.
 */
export function verifyCheckpointNote(note: string, verifier: NoteVerifier, expectedOrigin?: string): Checkpoint {
  const { body } = openNote(note, [verifier]);
  const checkpoint = parseCheckpoint(body);
  if (expectedOrigin !== undefined && checkpoint.origin !== expectedOrigin) {
    throw new ProvenantError('CHECKPOINT_ORIGIN_MISMATCH', `the checkpoint is of log ${JSON.stringify(checkpoint.origin)}, not ${JSON.stringify(expectedOrigin)}`, {
      details: { origin: checkpoint.origin, expected: expectedOrigin },
    });
  }
  return { ...checkpoint, note };
}

function isLine(value: unknown): value is string {
  if (typeof value !== 'string' || value === '') return false;
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) < 0x20) return false;
  return true;
}

function malformed(why: string, cause?: unknown): ProvenantError {
  return new ProvenantError('CHECKPOINT_MALFORMED', `malformed checkpoint: ${why}`, cause === undefined ? {} : { cause });
}
