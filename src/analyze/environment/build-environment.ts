// The build environment `provenant build` records in its provenance: a signed, public, permanent statement.
// Pure: it takes the raw facts src/host gathered and decides what may be published. Rules (details in
// docs/build-environment.md): environment values appear only as salted HMACs, or in clear when allow-listed
// and not secret-looking; compiler flags appear in clear with credential-looking parts redacted; CI fields
// come from fixed variables, shape-checked, URLs without userinfo.
import { ProvenantError } from '../../core/errors.js';
import { canonicalJson, type JsonObject } from '../../core/json.js';
import type { HostFacts, ToolchainName, ToolchainProbe } from '../../host/facts.js';
import { parseOsRelease } from '../catalog/os-release.js';
import { ciSource, detectCi, sanitizeUrl, type CiInfo } from './ci.js';
import { checkExtra } from './extra.js';
import { redactValues, scrubSecrets, secretValues } from './secrets.js';
import { parseToolchainVersion } from './toolchain-versions.js';
import { checkAllowList, environmentRecord, type EnvironmentRecord } from './variables.js';

/** Recorded in clear (after redaction) because they shape the output as much as the sources do. */
export const COMPILER_FLAG_VARIABLES = [
  'CFLAGS', 'CXXFLAGS', 'CPPFLAGS', 'LDFLAGS', 'GOFLAGS', 'RUSTFLAGS',
  'CGO_CFLAGS', 'CGO_CPPFLAGS', 'CGO_CXXFLAGS', 'CGO_FFLAGS', 'CGO_LDFLAGS',
  'JAVA_TOOL_OPTIONS', 'JDK_JAVA_OPTIONS',
] as const;
const MAX_FLAGS_LENGTH = 16 * 1024;
const MAX_FIELD_LENGTH = 256;
const MAX_PATH_LENGTH = 4096;
// in-toto DigestSet keys: the standard algorithm names and the git ones, which are camelCase ("gitCommit").
const DIGEST_ALGORITHM = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;
const DIGEST_VALUE = /^[0-9a-f]{8,128}$/;

export type ToolchainRecord = { name: ToolchainName; version: string; path?: string };
export type SourceRecord = { uri?: string; digest?: Record<string, string> };

export type BuildEnvironment = {
  os?: { id: string; versionId?: string; prettyName?: string };
  kernel?: { release: string; machine: string };
  toolchains: ToolchainRecord[];
  compilerFlags: Record<string, string>;
  ci?: CiInfo;
  source?: SourceRecord;
  builder?: { id: string };
  environment: EnvironmentRecord;
  extra?: JsonObject;
};

export interface BuildEnvironmentOptions {
  /** 32 random bytes, fresh for each build: the HMAC key of the environment values, published in hex. */
  salt: Uint8Array;
  /** Names whose values may be recorded in clear (--env NAME). */
  allowInClear: readonly string[];
  /** Free-form object from --build-env FILE, published under `extra` once checked. */
  extra?: JsonObject;
  builderId?: string;
  sourceUri?: string;
  /** A DigestSet such as {"gitCommit": "<hex>"}; overrides the commit the CI reports. */
  sourceDigest?: Record<string, string>;
}

/**
 * Errors: USAGE (bad --env name, source or builder), ENV_SECRET_REFUSED, INPUT_TOO_LARGE, INTERNAL (salt
 * not 32 bytes); for `extra`: SCHEMA_INVALID, JSON_TOO_DEEP, JSON_MALFORMED, BUILD_ENV_SECRET.
 */
export function buildEnvironment(facts: HostFacts, options: BuildEnvironmentOptions): BuildEnvironment {
  const allowInClear = checkAllowList(options.allowInClear);
  const environment = environmentRecord(facts.env, options.salt, allowInClear);
  const os = osRecord(facts.osRelease);
  const kernel = kernelRecord(facts.kernel);
  const ci = detectCi(facts.env);
  const source = sourceRecord(options, ci);
  const out: BuildEnvironment = {
    ...(os === undefined ? {} : { os }),
    ...(kernel === undefined ? {} : { kernel }),
    toolchains: facts.toolchains.flatMap((probe) => toolchainRecord(probe, facts.home)),
    compilerFlags: compilerFlags(facts.env),
    ...(ci === undefined ? {} : { ci }),
    ...(source === undefined ? {} : { source }),
    ...(options.builderId === undefined ? {} : { builder: { id: explicitUri(options.builderId, 'builder id') } }),
    environment,
  };
  if (options.extra === undefined) return out;
  // What the record already publishes in clear; the hashes and the salt are left out, being noise.
  const disclosed = canonicalJson({ ...out, environment: environment.clear });
  return { ...out, extra: checkExtra(options.extra, facts.env, allowInClear, disclosed) };
}

function osRecord(bytes: Uint8Array | undefined): BuildEnvironment['os'] {
  const parsed = bytes === undefined ? undefined : parseOsRelease(bytes);
  const id = printable(parsed?.id);
  if (parsed === undefined || id === undefined) return undefined;
  const versionId = printable(parsed.versionId);
  const prettyName = printable(parsed.prettyName);
  return {
    id,
    ...(versionId === undefined ? {} : { versionId }),
    ...(prettyName === undefined ? {} : { prettyName }),
  };
}

function kernelRecord(kernel: HostFacts['kernel']): BuildEnvironment['kernel'] {
  const release = printable(kernel.release);
  const machine = printable(kernel.machine);
  return release === undefined || machine === undefined ? undefined : { release, machine };
}

/** A version only from a run that succeeded and printed a known shape; the path under $HOME as "~/...". */
function toolchainRecord(probe: ToolchainProbe, home: string | undefined): ToolchainRecord[] {
  const { outcome } = probe;
  switch (outcome.kind) {
    case 'failed':
      return [];
    case 'ran': {
      if (outcome.exitCode !== 0) return [];
      const version = parseToolchainVersion(probe.name, outcome);
      if (version === undefined) return [];
      const path = displayPath(probe.path, home);
      return [{ name: probe.name, version, ...(path === undefined ? {} : { path }) }];
    }
  }
}

function displayPath(path: string, home: string | undefined): string | undefined {
  const root = home?.replace(/\/+$/, '');
  const shown = root !== undefined && root !== '' && path.startsWith(`${root}/`) ? `~${path.slice(root.length)}` : path;
  return scrubSecrets(shown) === shown ? printable(shown, MAX_PATH_LENGTH) : undefined;
}

/** Flags in clear, minus anything credential-shaped and any secret variable's value spliced in (-DSIG=$SIGNING_KEY). */
function compilerFlags(env: HostFacts['env']): Record<string, string> {
  const secrets = secretValues(env);
  const out: [string, string][] = [];
  for (const name of COMPILER_FLAG_VARIABLES) {
    const value = env.get(name);
    if (value === undefined || value.trim() === '') continue;
    const scrubbed = redactValues(scrubSecrets(value), secrets);
    if (scrubbed.length <= MAX_FLAGS_LENGTH) out.push([name, scrubbed]);
  }
  return Object.fromEntries(out);
}

/** The caller's source when it names one (the CI's commit may belong to another checkout), else the CI's. */
function sourceRecord(options: BuildEnvironmentOptions, ci: CiInfo | undefined): SourceRecord | undefined {
  const explicit = options.sourceUri !== undefined || options.sourceDigest !== undefined;
  const fromCi = explicit || ci === undefined ? {} : ciSource(ci);
  const uri = options.sourceUri === undefined ? fromCi.uri : explicitUri(options.sourceUri, 'source URI');
  const digest = options.sourceDigest === undefined ? fromCi.digest : digestSet(options.sourceDigest);
  if (uri === undefined && digest === undefined) return undefined;
  return { ...(uri === undefined ? {} : { uri }), ...(digest === undefined ? {} : { digest }) };
}

/** A URI given by the caller, with userinfo and fragment dropped. Errors: USAGE. */
function explicitUri(raw: string, what: string): string {
  const uri = sanitizeUrl(raw, 'any', true);
  if (uri === undefined) {
    throw new ProvenantError('USAGE', `the ${what} is not an absolute URI, or it holds a credential`, { details: { field: what } });
  }
  return uri;
}

function digestSet(digest: Record<string, string>): Record<string, string> {
  const entries = Object.entries(digest);
  const bad = entries.find(([alg, value]) => !DIGEST_ALGORITHM.test(alg) || typeof value !== 'string' || !DIGEST_VALUE.test(value));
  if (entries.length === 0 || bad !== undefined) {
    throw new ProvenantError('USAGE', 'the source digest must map algorithm names to lowercase hex', {
      details: { algorithm: bad?.[0] },
    });
  }
  return Object.fromEntries(entries);
}

/** Printable text of bounded length, or undefined: host-supplied strings are published only if they are sane. */
function printable(value: string | undefined, max = MAX_FIELD_LENGTH): string | undefined {
  return value !== undefined && value.length > 0 && value.length <= max && !/\p{Cc}/u.test(value) ? value : undefined;
}
