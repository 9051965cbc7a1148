// The client side of a transparency log: every checkpoint a command sees is verified with the log's key and
// checked against the one trusted before (checkNewCheckpoint, with a consistency proof fetched from the log); only
// then is it stored as the new trusted checkpoint. A log that rolls back or forks fails the command and leaves the
// trusted file as it was.
import type { Command } from 'commander';
import { ProvenantError, isProvenantError } from '../core/errors.js';
import { verifyCheckpointNote, type Checkpoint } from '../formats/checkpoint.js';
import { parseVerifierKey, type NoteVerifier } from '../formats/signed-note.js';
import { checkNewCheckpoint } from '../log/checkpoint-trust.js';
import { verifyConsistency } from '../merkle/index.js';
import type { Io } from './run.js';
import type { LogReader } from './store-access.js';
import { TrustDir, trustDirectory } from './trust-dir.js';

export interface TrustOptions {
  trustDir?: string;
  logKeyPub?: string;
}

export function addTrustOptions(cmd: Command): Command {
  return cmd
    .option('--trust-dir <dir>', 'where trusted checkpoints are kept (default $PROVENANT_TRUST_DIR, else $XDG_STATE_HOME/provenant/checkpoints)')
    .option('--log-key-pub <vkey>', "the log's note verifier key, <name>+<id>+<key>, instead of trusting it on first use");
}

export class CheckpointGuard {
  private constructor(
    private readonly log: LogReader,
    private readonly trust: TrustDir,
    readonly origin: string,
    readonly verifierKey: string,
    readonly verifier: NoteVerifier,
    private current: Checkpoint,
    /** The checkpoint trusted before this command, or null on first contact. */
    readonly previous: Checkpoint | null,
    readonly firstUse: boolean,
  ) {}

  /** The latest checkpoint, verified and now trusted. */
  get latest(): Checkpoint {
    return this.current;
  }

  /**
   * Verifies the log's latest checkpoint against what is trusted for its origin, and trusts it. Errors:
   * LOG_KEY_MISMATCH (the log presents another key than the pinned or trusted one), NOTE_* / SIGNATURE_INVALID
   * (the checkpoint is not signed by the key), LOG_ROLLBACK, LOG_FORK, TRUST_STATE_INVALID.
   */
  static async open(log: LogReader, opts: TrustOptions, io: Io): Promise<CheckpointGuard> {
    const info = await log.info();
    const trust = new TrustDir(trustDirectory(opts.trustDir, io.env));
    const trusted = await trust.read(info.origin);
    const pinned = opts.logKeyPub;
    if (pinned !== undefined) parseVerifierKey(pinned);
    if (pinned !== undefined && trusted !== null && trusted.verifierKey !== pinned) {
      throw new ProvenantError('LOG_KEY_MISMATCH', `the trust directory holds another key for ${info.origin} than --log-key-pub; remove ${trust.fileOf(info.origin)} to change it`, {
        details: { origin: info.origin, trusted: trusted.verifierKey, pinned },
      });
    }
    const verifierKey = pinned ?? trusted?.verifierKey ?? info.verifierKey;
    if (info.verifierKey !== verifierKey) {
      throw new ProvenantError('LOG_KEY_MISMATCH', `the log ${info.origin} presents the verifier key ${info.verifierKey}, not the trusted ${verifierKey}`, {
        details: { origin: info.origin, presented: info.verifierKey, trusted: verifierKey },
      });
    }
    const verifier = parseVerifierKey(verifierKey);
    const latest = verifyCheckpointNote(info.checkpoint, verifier, info.origin);
    if (latest.size !== info.size || latest.rootHash.toString('hex') !== info.rootHash) {
      throw new ProvenantError('SERVICE_PROTOCOL', 'the log info disagrees with its own signed checkpoint', { details: { origin: info.origin } });
    }
    let previous: Checkpoint | null = null;
    if (trusted?.checkpoint != null) {
      try {
        previous = verifyCheckpointNote(trusted.checkpoint, verifier, info.origin);
      } catch (cause) {
        throw new ProvenantError('TRUST_STATE_INVALID', `the trusted checkpoint in ${trust.fileOf(info.origin)} does not verify with the trusted key`, { cause });
      }
    }
    const firstUse = trusted === null;
    const guard = new CheckpointGuard(log, trust, info.origin, verifierKey, verifier, previous ?? latest, previous, firstUse);
    await guard.advance(latest, previous);
    if (firstUse && pinned === undefined) {
      io.stderr.write(`Trusting log ${info.origin} on first use, verifier key ${verifierKey} (pin it with --log-key-pub)\n`);
    }
    return guard;
  }

  /**
   * Checks a checkpoint the log handed out with another answer (an append, a proof). A newer one becomes the trusted
   * checkpoint; an older one must be consistent with the trusted one and is returned without being stored.
   */
  async accept(note: string): Promise<Checkpoint> {
    const seen = verifyCheckpointNote(note, this.verifier, this.origin);
    if (seen.size >= this.current.size) {
      await this.advance(seen, this.current);
      return seen;
    }
    // An older tree: it must be a prefix of the trusted one (RFC 6962 §2.1.2), or the log showed two histories.
    if (seen.size > 0n) {
      const proof = await this.log.consistencyProof(seen.size, this.current.size);
      try {
        verifyConsistency(seen.size, this.current.size, proof.hashes.map((h) => Buffer.from(h, 'hex')), seen.rootHash, this.current.rootHash);
      } catch (e) {
        if (isProvenantError(e, 'MERKLE_PROOF_INVALID') || isProvenantError(e, 'MERKLE_ROOT_MISMATCH')) {
          throw new ProvenantError('LOG_FORK', `the checkpoint of size ${seen.size} is not consistent with the trusted one of size ${this.current.size}`, {
            details: { size: seen.size.toString(), trustedSize: this.current.size.toString(), reason: e.code },
            cause: e,
          });
        }
        throw e;
      }
    }
    return seen;
  }

  /** Re-reads the log's latest checkpoint (after appends by others) and trusts it. */
  async refresh(): Promise<Checkpoint> {
    return this.accept((await this.log.info()).checkpoint);
  }

  private async advance(latest: Checkpoint, trusted: Checkpoint | null): Promise<void> {
    const grows = trusted !== null && trusted.size > 0n && latest.size > trusted.size;
    const proof = grows ? await this.log.consistencyProof(trusted.size, latest.size) : null;
    checkNewCheckpoint(trusted, latest, proof);
    if (trusted === null || latest.size > trusted.size || this.firstUse) {
      await this.trust.write({ origin: this.origin, verifierKey: this.verifierKey, checkpoint: latest.note });
    }
    this.current = latest;
  }
}
