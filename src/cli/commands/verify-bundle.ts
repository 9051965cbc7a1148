// `provenant verify-bundle`: offline verification of a sigstore bundle (cosign verify-blob --bundle),
// with trust material from files. Identities match exactly unless a -regexp flag is given.
import type { Command } from 'commander';
import { ProvenantError } from '../../core/errors.js';
import { verifyBundle, type IdentityPolicy } from '../../formats/index.js';
import { readInputFile, readTextFile } from '../files.js';
import { printJson, type Io } from '../run.js';

interface VerifyBundleOptions {
  bundle: string;
  trustedRoot?: string;
  key?: string;
  certificateIdentity?: string;
  certificateIdentityRegexp?: string;
  certificateOidcIssuer?: string;
  certificateOidcIssuerRegexp?: string;
  insecureIgnoreTlog?: boolean;
}

export function installVerifyBundle(program: Command, io: Io): void {
  program
    .command('verify-bundle')
    .description('verify a sigstore bundle offline against a trusted root and/or a public key')
    .argument('[artifact]', 'the signed file (needed for message-signature bundles)')
    .requiredOption('--bundle <file>', 'the sigstore bundle (.sigstore.json)')
    .option('--trusted-root <file>', 'sigstore TrustedRoot JSON (as cosign --trusted-root)')
    .option('--key <file>', 'public key, for bundles signed with a key')
    .option('--certificate-identity <san>', 'exact certificate subject (email or URI)')
    .option('--certificate-identity-regexp <re>', 'anchored regular expression for the subject')
    .option('--certificate-oidc-issuer <url>', 'exact OIDC issuer')
    .option('--certificate-oidc-issuer-regexp <re>', 'anchored regular expression for the issuer')
    .option('--insecure-ignore-tlog', 'accept a keyed bundle with no transparency log entry')
    .action(async (artifact: string | undefined, opts: VerifyBundleOptions) => {
      if (opts.trustedRoot === undefined && opts.key === undefined) {
        throw new ProvenantError('USAGE', 'give --trusted-root, --key, or both');
      }
      const identity: IdentityPolicy = {
        ...(opts.certificateIdentity === undefined ? {} : { certificateIdentity: opts.certificateIdentity }),
        ...(opts.certificateIdentityRegexp === undefined ? {} : { certificateIdentityRegexp: opts.certificateIdentityRegexp }),
        ...(opts.certificateOidcIssuer === undefined ? {} : { certificateOidcIssuer: opts.certificateOidcIssuer }),
        ...(opts.certificateOidcIssuerRegexp === undefined ? {} : { certificateOidcIssuerRegexp: opts.certificateOidcIssuerRegexp }),
      };
      const result = verifyBundle({
        bundle: await readInputFile(opts.bundle, 'bundle', 64 * 1024 * 1024),
        ...(opts.trustedRoot === undefined ? {} : { trustedRoot: await readInputFile(opts.trustedRoot, 'trusted root', 16 * 1024 * 1024) }),
        ...(opts.key === undefined ? {} : { publicKeyPem: await readTextFile(opts.key, 'key file', 1024 * 1024) }),
        ...(Object.keys(identity).length === 0 ? {} : { identity }),
        ...(artifact === undefined ? {} : { artifact: await readInputFile(artifact, 'artifact', 1024 * 1024 * 1024) }),
        requireTlog: opts.insecureIgnoreTlog !== true,
      });
      io.stderr.write('Verified OK\n');
      const content =
        result.content.kind === 'dsse'
          ? { kind: 'dsse', payloadType: result.content.payloadType, payload: JSON.parse(result.content.payload.toString('utf8')) as unknown }
          : result.content;
      printJson(io, { signer: result.signer, content, tlogEntries: result.tlogEntries });
    });
}
