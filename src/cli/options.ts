// Options shared by the image commands: registry access (as cosign and skopeo spell them), keys and
// platform selection.
import type { Command } from 'commander';
import { ProvenantError } from '../core/errors.js';
import { keyPemKind, loadSigningKey, loadVerifier, type Signer, type Verifier } from '../crypto/index.js';
import type { RegistryAccess } from '../oci/open-image.js';
import { parsePlatform } from '../oci/platform.js';
import type { Platform } from '../oci/types.js';
import { readTextFile } from './files.js';
import { readPassword } from './password.js';
import type { Io } from './run.js';

export interface AccessOptions {
  allowHttpRegistry?: boolean;
  caFile?: string;
  authfile?: string;
  platform?: string;
}

export function addAccessOptions(cmd: Command): Command {
  return cmd
    .option('--allow-http-registry', 'use plain HTTP for a registry that is not on loopback')
    .option('--ca-file <pem>', 'CA bundle to trust for the registry, in addition to the system roots')
    .option('--authfile <file>', 'credentials file (Docker config.json or containers auth.json)')
    .option('--platform <os/arch[/variant]>', 'the image to use from a multi-platform index');
}

export async function registryAccess(opts: AccessOptions, io: Io): Promise<RegistryAccess> {
  return {
    env: io.env,
    ...(opts.allowHttpRegistry === true ? { allowHttp: true } : {}),
    ...(opts.caFile === undefined ? {} : { caBundle: await readTextFile(opts.caFile, 'CA bundle', 4 * 1024 * 1024) }),
    ...(opts.authfile === undefined ? {} : { authFile: opts.authfile }),
  };
}

export function platformOption(opts: AccessOptions): Platform | undefined {
  return opts.platform === undefined ? undefined : parsePlatform(opts.platform);
}

/** Loads a private key (plain or cosign-encrypted); the password is asked for only if the key is encrypted. */
export async function loadSignerFile(path: string, io: Io): Promise<Signer> {
  const pem = await readTextFile(path, 'key file', 1024 * 1024);
  return loadSigningKey(pem, () => readPassword({ env: io.env, prompt: `Enter password for private key ${path}: ` }));
}

/** Loads public keys; a private key is refused so that a secret is never handed to a verifier by mistake. */
export async function loadVerifierFiles(paths: string[]): Promise<Verifier[]> {
  if (paths.length === 0) throw new ProvenantError('USAGE', 'give at least one --key');
  const out: Verifier[] = [];
  for (const path of paths) {
    const pem = await readTextFile(path, 'key file', 1024 * 1024);
    const kind = keyPemKind(pem);
    if (kind !== 'public') throw new ProvenantError('KEY_MISMATCH', `${path} holds ${kind === 'encrypted' ? 'an encrypted private' : 'a private'} key; verification takes the public key (cosign.pub)`);
    out.push(loadVerifier(pem));
  }
  return out;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Parses repeated `-a key=value` annotations. */
export function parseAnnotations(values: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new ProvenantError('USAGE', `annotation ${JSON.stringify(v)} is not key=value`);
    out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}
