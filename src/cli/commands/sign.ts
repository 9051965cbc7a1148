// `provenant sign` and `provenant verify`: cosign-format image signatures.
import type { Command } from 'commander';
import { signImage, verifyImageSignatures } from '../../attest/signatures.js';
import { imageName, isLocalSpec, namesDigest, openRepository } from '../../oci/open-image.js';
import { addAccessOptions, collect, loadSignerFile, loadVerifierFiles, parseAnnotations, registryAccess, type AccessOptions } from '../options.js';
import { printJson, type Io } from '../run.js';
import { withSource } from './with-source.js';

interface SignOptions extends AccessOptions {
  key: string;
  annotations?: string[];
}

interface VerifyOptions extends AccessOptions {
  key: string[];
  annotations?: string[];
}

export function installSign(program: Command, io: Io): void {
  addAccessOptions(
    program
      .command('sign')
      .description("sign the image's digest and attach the signature (cosign's sha256-<hex>.sig tag)")
      .argument('<image>', 'registry reference or oci:DIR[:TAG]')
      .requiredOption('--key <file>', 'private key (cosign.key or PKCS#8 PEM)')
      .option('-a, --annotations <key=value>', 'extra signed claim in the payload (repeatable)', collect),
  ).action(async (image: string, opts: SignOptions) => {
    const annotations = parseAnnotations(opts.annotations);
    const signer = await loadSignerFile(opts.key, io);
    await withSource(openRepository(image, await registryAccess(opts, io)), async (repo) => {
      const top = await repo.resolve();
      if (!isLocalSpec(image) && !namesDigest(image)) {
        io.stderr.write(`Signing ${top.digest}, the digest ${image} resolves to now; reference images by digest to sign exactly what you built.\n`);
      }
      const signed = await signImage({ repo, dockerReference: imageName(image), digest: top.digest, signer, annotations });
      io.stderr.write(signed.added ? `Pushed signature to ${imageName(image)}:${signed.tag}\n` : `An identical signature was already attached.\n`);
      printJson(io, { digest: signed.digest, tag: signed.tag, keyId: signer.keyId, signature: signed.signature });
    });
  });
}

export function installVerify(program: Command, io: Io): void {
  addAccessOptions(
    program
      .command('verify')
      .description("verify that a signature made with one of the keys covers the image's digest; prints the verified payloads")
      .argument('<image>', 'registry reference or oci:DIR[:TAG]')
      .requiredOption('--key <file>', 'public key (cosign.pub); repeat to accept any of several', collect)
      .option('-a, --annotations <key=value>', 'require this claim in the signed payload (repeatable)', collect),
  ).action(async (image: string, opts: VerifyOptions) => {
    const verifiers = await loadVerifierFiles(opts.key);
    const annotations = parseAnnotations(opts.annotations);
    await withSource(openRepository(image, await registryAccess(opts, io)), async (repo) => {
      const top = await repo.resolve();
      const { verified, rejected } = await verifyImageSignatures({ repo, digest: top.digest, verifiers, annotations });
      io.stderr.write(
        `Verification for ${image} (${top.digest}):\n` +
          `  - ${verified.length} signature(s) verified with the given key(s) and name this digest\n` +
          (rejected.length > 0 ? `  - ${rejected.length} other signature(s) ignored: ${rejected.map((r) => r.code).join(', ')}\n` : ''),
      );
      printJson(io, verified.map((v) => v.payloadJson));
    });
  });
}
