// Shared by the CLI and image-signing tests: runs the CLI in-process with an injected Io, and sets up temp
// workspaces holding OCI layouts with generated images and cosign-format key files.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ErrorCode } from '../../src/core/errors.js';
import { ERROR_CODES, ExitCode } from '../../src/core/errors.js';
import { generateKeyPair, type GeneratedKeyPair } from '../../src/crypto/index.js';
import type { Digest } from '../../src/core/digest.js';
import { createLayout, type OciLayout } from '../../src/oci/layout.js';
import type { ArtifactRepository, Descriptor } from '../../src/oci/types.js';
import type { TestImage } from '../helpers/oci-image.js';
import { provenant } from '../helpers/cli.js';

export const PASSWORD = 'correct horse battery staple';

export interface CliResult {
  exit: number;
  stdout: string;
  stderr: string;
}

/** Runs `provenant argv` in-process. `env` is the whole environment (plus a HOME with no Docker config). */
export async function cli(argv: string[], env: NodeJS.ProcessEnv = { PROVENANT_PASSWORD: PASSWORD }): Promise<CliResult> {
  const { code, stdout, stderr } = await provenant(argv, env);
  return { exit: code, stdout, stderr };
}

const STACK_FRAME = /^\s+at\s/m;

/** Asserts success and returns stdout parsed as JSON. */
export function succeeded<T = unknown>(result: CliResult): T {
  assert.equal(result.exit, 0, `expected success, got exit ${result.exit}: ${result.stderr}`);
  assert.doesNotMatch(result.stderr, STACK_FRAME);
  return JSON.parse(result.stdout) as T;
}

/** Asserts the documented failure: the code's exit status, `error[CODE]: ` first on stderr, no stack trace. */
export function failedWith(result: CliResult, code: ErrorCode): void {
  const exit = ExitCode[ERROR_CODES[code].exit];
  assert.equal(result.exit, exit, `expected exit ${exit} for ${code}, got ${result.exit}: ${result.stderr}`);
  assert.ok(result.stderr.startsWith(`error[${code}]: `), `expected error[${code}], got: ${result.stderr}`);
  assert.equal(result.stdout, '');
  assert.doesNotMatch(result.stderr, STACK_FRAME);
}

/** A temp directory removed when the test file ends. */
export async function workspace(prefix: string): Promise<{ dir: string; path: (name: string) => string }> {
  const dir = await mkdtemp(join(tmpdir(), `provenant-${prefix}-`));
  test.after(() => rm(dir, { recursive: true, force: true }));
  return { dir, path: (name) => join(dir, name) };
}

/** Stores the image's blobs and manifest in the layout, tagged `tag` (moving the tag if it exists). */
export async function pushImage(layout: OciLayout, image: TestImage, tag?: string): Promise<void> {
  for (const [digest, bytes] of image.blobs) if (digest !== image.manifest.digest) await layout.pushBlob(bytes, 'application/octet-stream');
  await layout.pushManifest(image.manifest, tag);
}

/** A new layout at `dir` holding each image under its tag. */
export async function layoutWith(dir: string, images: Record<string, TestImage>): Promise<OciLayout> {
  const layout = await createLayout(dir);
  for (const [tag, image] of Object.entries(images)) await pushImage(layout, image, tag);
  return layout;
}

export interface KeyFiles {
  pair: GeneratedKeyPair;
  /** Encrypted private key (cosign.key format). */
  key: string;
  pub: string;
}

/** An encrypted key pair written as PREFIX.key / PREFIX.pub (scrypt "legacy" level, to keep tests fast). */
export async function keyFiles(prefix: string, password = PASSWORD): Promise<KeyFiles> {
  const pair = await generateKeyPair(password, { level: 'legacy' });
  await writeFile(`${prefix}.key`, pair.privateKeyPem, { mode: 0o600 });
  await writeFile(`${prefix}.pub`, pair.publicKeyPem);
  return { pair, key: `${prefix}.key`, pub: `${prefix}.pub` };
}

/**
 * The layout, except that listReferrers also claims `extra` for `subject`: a stand-in for a registry whose
 * referrers listing is wrong (the layout itself derives the listing from each manifest's own subject).
 */
export function withListedReferrers(layout: OciLayout, subject: Digest, extra: Descriptor[]): ArtifactRepository {
  return new Proxy(layout, {
    get(target, prop) {
      if (prop === 'listReferrers') {
        return async (wanted: Digest, artifactType?: string) => [...(await target.listReferrers(wanted, artifactType)), ...(wanted === subject ? extra : [])];
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
