// `provenant keygen` (alias `generate-key-pair`, as cosign): an encrypted private key in cosign's format
// and the matching public key.
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { ProvenantError } from '../../core/errors.js';
import { generateKeyPair, type KeyAlgorithm } from '../../crypto/index.js';
import { writeOutputFile } from '../files.js';
import { readPassword } from '../password.js';
import { printJson, type Io } from '../run.js';

const ALGORITHMS: readonly KeyAlgorithm[] = ['ecdsa-p256', 'ed25519'];

export function installKeygen(program: Command, io: Io): void {
  program
    .command('keygen')
    .alias('generate-key-pair')
    .description('generate a key pair: PREFIX.key (encrypted, cosign format) and PREFIX.pub')
    .option('--output-key-prefix <prefix>', 'file name prefix', 'cosign')
    .option('--algorithm <alg>', 'ecdsa-p256 (cosign default) or ed25519', 'ecdsa-p256')
    .option('--force', 'replace existing key files')
    .action(async (opts: { outputKeyPrefix: string; algorithm: string; force?: boolean }) => {
      if (!ALGORITHMS.includes(opts.algorithm as KeyAlgorithm)) {
        throw new ProvenantError('USAGE', `--algorithm must be one of ${ALGORITHMS.join(', ')}`);
      }
      const overwrite = opts.force === true;
      const keyPath = `${opts.outputKeyPrefix}.key`;
      const pubPath = `${opts.outputKeyPrefix}.pub`;
      // Both paths are checked before anything is written, so a refusal leaves no half-written pair behind.
      if (!overwrite) {
        for (const path of [keyPath, pubPath]) {
          if (existsSync(path)) throw new ProvenantError('USAGE', `${path} already exists (use --force to replace it)`, { details: { path } });
        }
      }
      const password = await readPassword({ env: io.env, confirm: true, prompt: 'Enter password for private key: ' });
      const pair = await generateKeyPair(password, { algorithm: opts.algorithm as KeyAlgorithm });
      await writeOutputFile(keyPath, pair.privateKeyPem, { mode: 0o600, overwrite });
      await writeOutputFile(pubPath, pair.publicKeyPem, { overwrite });
      io.stderr.write(`Private key written to ${keyPath}\nPublic key written to ${pubPath}\n`);
      printJson(io, { privateKey: keyPath, publicKey: pubPath, keyId: pair.signer.keyId, algorithm: pair.signer.algorithm });
    });
}
