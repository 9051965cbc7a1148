// `provenant attest` and `provenant verify-attestation`: in-toto attestations in DSSE envelopes, attached
// in cosign's `.att` tag and as OCI 1.1 referrers (sigstore bundles).
import type { Command } from 'commander';
import { attestImage, verifyImageAttestations, type AttachMode } from '../../attest/attestations.js';
import { ProvenantError } from '../../core/errors.js';
import { parseJsonObject } from '../../core/json.js';
import { resolvePredicateType } from '../../formats/index.js';
import { imageName, openRepository } from '../../oci/open-image.js';
import { readInputFile } from '../files.js';
import { addAccessOptions, collect, loadSignerFile, loadVerifierFiles, registryAccess, type AccessOptions } from '../options.js';
import { printJson, type Io } from '../run.js';
import { withSource } from './with-source.js';

const MODES: readonly AttachMode[] = ['legacy', 'referrers', 'both'];
const MAX_PREDICATE_BYTES = 32 * 1024 * 1024;

interface AttestOptions extends AccessOptions {
  key: string;
  predicate: string;
  type: string;
  attach: string;
}

export function installAttest(program: Command, io: Io): void {
  addAccessOptions(
    program
      .command('attest')
      .description('sign an in-toto statement about the image and attach it')
      .argument('<image>', 'registry reference or oci:DIR[:TAG]')
      .requiredOption('--key <file>', 'private key (cosign.key or PKCS#8 PEM)')
      .requiredOption('--predicate <file>', 'the predicate, a JSON object')
      .option('--type <type>', 'slsaprovenance1|slsaprovenance|cyclonedx|spdxjson|vuln|openvex|custom|URI', 'custom')
      .option('--attach <mode>', 'legacy (.att tag), referrers (OCI 1.1 bundle) or both', 'both'),
  ).action(async (image: string, opts: AttestOptions) => {
    if (!MODES.includes(opts.attach as AttachMode)) throw new ProvenantError('USAGE', `--attach must be one of ${MODES.join(', ')}`);
    const predicateType = resolvePredicateType(opts.type);
    const predicate = parseJsonObject(await readInputFile(opts.predicate, 'predicate', MAX_PREDICATE_BYTES), `predicate ${opts.predicate}`);
    const signer = await loadSignerFile(opts.key, io);
    await withSource(openRepository(image, await registryAccess(opts, io)), async (repo) => {
      const subject = await repo.resolve();
      const done = await attestImage({
        repo,
        subject,
        subjectName: imageName(image),
        signer,
        predicateType,
        predicate,
        mode: opts.attach as AttachMode,
      });
      printJson(io, { digest: subject.digest, predicateType, attTag: done.attTag ?? null, referrer: done.referrer ?? null, keyId: signer.keyId });
    });
  });
}

interface VerifyAttestationOptions extends AccessOptions {
  key: string[];
  type?: string;
}

export function installVerifyAttestation(program: Command, io: Io): void {
  addAccessOptions(
    program
      .command('verify-attestation')
      .description('verify attestations on the image; prints each verified statement')
      .argument('<image>', 'registry reference or oci:DIR[:TAG]')
      .requiredOption('--key <file>', 'public key (cosign.pub); repeat to accept any of several', collect)
      .option('--type <type>', 'only attestations of this predicate type (alias or URI)'),
  ).action(async (image: string, opts: VerifyAttestationOptions) => {
    const verifiers = await loadVerifierFiles(opts.key);
    const predicateType = opts.type === undefined ? undefined : resolvePredicateType(opts.type);
    await withSource(openRepository(image, await registryAccess(opts, io)), async (repo) => {
      const top = await repo.resolve();
      const { verified, rejected } = await verifyImageAttestations({
        repo,
        digest: top.digest,
        verifiers,
        ...(predicateType === undefined ? {} : { predicateType }),
      });
      io.stderr.write(
        `Verification for ${image} (${top.digest}): ${verified.length} attestation(s) verified` +
          (rejected.length > 0 ? `, ${rejected.length} ignored (${rejected.map((r) => r.code).join(', ')})` : '') +
          '\n',
      );
      printJson(
        io,
        verified.map((v) => ({ source: v.source, digest: v.digest, keyIds: v.keyIds, predicateType: v.statement.predicateType, statement: v.statement })),
      );
    });
  });
}
