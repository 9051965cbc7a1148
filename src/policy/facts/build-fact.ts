// What a SLSA Build Provenance v1 predicate says about the build, as policies read it. The SLSA fields come
// from the strict reader in src/formats; the build environment is the object `provenant build` records under
// internalParameters.buildEnvironment (docs/build-environment.md). Its fields are read strictly too: a rule such
// as "no gcc older than 12" must not pass because a toolchain entry of the wrong shape was skipped.
import { ProvenantError } from '../../core/errors.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../core/json.js';
import { slsaProvenanceFromJson, type ResourceDescriptor } from '../../formats/slsa-provenance.js';
import type { BuildFact, ToolchainFact } from '../facts.js';

const ENVIRONMENT = 'buildDefinition.internalParameters.buildEnvironment';

/** The build fact and the time the build finished (else started), when the predicate says. Errors: PREDICATE_MALFORMED. */
export function buildFactOf(predicate: JsonValue | undefined): { build: BuildFact; statedAt?: string } {
  const slsa = slsaProvenanceFromJson(predicate);
  const env = optionalObject(slsa.buildDefinition.internalParameters?.buildEnvironment, ENVIRONMENT) ?? {};
  const resolved = slsa.buildDefinition.resolvedDependencies ?? [];
  const source = sourceOf(slsa.buildDefinition.externalParameters, resolved, env);
  const ci = ciOf(env.ci);
  const os = osOf(env.os);
  const { startedOn, finishedOn } = slsa.runDetails.metadata ?? {};
  const build: BuildFact = {
    builderId: slsa.runDetails.builder.id,
    buildType: slsa.buildDefinition.buildType,
    ...(source === undefined ? {} : { source }),
    ...(ci === undefined ? {} : { ci }),
    toolchains: toolchainsOf(env.toolchains),
    ...(os === undefined ? {} : { os }),
    compilerFlags: stringRecord(env.compilerFlags, `${ENVIRONMENT}.compilerFlags`) ?? {},
    resolvedDependencies: resolved.map(dependencyOf),
    ...(startedOn === undefined ? {} : { startedOn }),
    ...(finishedOn === undefined ? {} : { finishedOn }),
  };
  const statedAt = finishedOn ?? startedOn;
  return statedAt === undefined ? { build } : { build, statedAt };
}

/**
 * The source the build read: the URI of externalParameters.source (how Provenant and most builders name it)
 * with the digest of the resolved dependency of that URI, else the build environment's own record of it.
 */
function sourceOf(external: JsonObject, resolved: readonly ResourceDescriptor[], env: JsonObject): BuildFact['source'] {
  const uri = external.source;
  if (typeof uri === 'string' && uri !== '') {
    const digest = resolved.find((d) => d.uri === uri && d.digest !== undefined)?.digest;
    return digest === undefined ? { uri } : { uri, digest: { ...digest } };
  }
  const recorded = optionalObject(env.source, `${ENVIRONMENT}.source`);
  const recordedUri = optionalString(recorded?.uri, `${ENVIRONMENT}.source.uri`);
  if (recordedUri === undefined) return undefined;
  const digest = stringRecord(recorded?.digest, `${ENVIRONMENT}.source.digest`);
  return digest === undefined ? { uri: recordedUri } : { uri: recordedUri, digest };
}

function toolchainsOf(value: JsonValue | undefined): ToolchainFact[] {
  const path = `${ENVIRONMENT}.toolchains`;
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) malformed(path, 'must be an array');
  return value.map((t, i) => {
    const at = `${path}[${i}]`;
    const entry = optionalObject(t, at);
    if (entry === undefined) malformed(at, 'must be an object');
    return { name: requiredString(entry.name, `${at}.name`), version: requiredString(entry.version, `${at}.version`) };
  });
}

function osOf(value: JsonValue | undefined): BuildFact['os'] {
  const os = optionalObject(value, `${ENVIRONMENT}.os`);
  if (os === undefined) return undefined;
  const id = optionalString(os.id, `${ENVIRONMENT}.os.id`);
  const versionId = optionalString(os.versionId, `${ENVIRONMENT}.os.versionId`);
  return { ...(id === undefined ? {} : { id }), ...(versionId === undefined ? {} : { versionId }) };
}

function ciOf(value: JsonValue | undefined): BuildFact['ci'] {
  const ci = optionalObject(value, `${ENVIRONMENT}.ci`);
  if (ci === undefined) return undefined;
  const fields = (['system', 'runId', 'url'] as const).flatMap((key) => {
    const v = optionalString(ci[key], `${ENVIRONMENT}.ci.${key}`);
    return v === undefined ? [] : [[key, v] as const];
  });
  return Object.fromEntries(fields);
}

function dependencyOf(d: ResourceDescriptor): BuildFact['resolvedDependencies'][number] {
  return {
    ...(d.uri === undefined ? {} : { uri: d.uri }),
    ...(d.name === undefined ? {} : { name: d.name }),
    ...(d.digest === undefined ? {} : { digest: { ...d.digest } }),
  };
}

function stringRecord(value: JsonValue | undefined, path: string): Record<string, string> | undefined {
  const obj = optionalObject(value, path);
  if (obj === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(obj)) out[key] = requiredString(v, `${path}.${key}`);
  return out;
}

function optionalObject(value: JsonValue | undefined, path: string): JsonObject | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) malformed(path, 'must be an object');
  return value;
}

function optionalString(value: JsonValue | undefined, path: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  return requiredString(value, path);
}

function requiredString(value: JsonValue | undefined, path: string): string {
  if (typeof value !== 'string' || value === '') malformed(path, 'must be a non-empty string');
  return value;
}

function malformed(path: string, problem: string): never {
  throw new ProvenantError('PREDICATE_MALFORMED', `SLSA provenance: ${path} ${problem}`, { details: { field: path } });
}
