// The build environment recorded in provenance. Pure: facts come from src/host.
export {
  buildEnvironment,
  COMPILER_FLAG_VARIABLES,
  type BuildEnvironment,
  type BuildEnvironmentOptions,
  type SourceRecord,
  type ToolchainRecord,
} from './build-environment.js';
export { detectCi, sanitizeUrl, type CiInfo, type CiSystem } from './ci.js';
export { MAX_EXTRA_BYTES, MAX_EXTRA_DEPTH } from './extra.js';
export { isSecretName, looksSecret, REDACTED, scrubSecrets } from './secrets.js';
export { parseToolchainVersion, type VersionOutput } from './toolchain-versions.js';
export { SALT_BYTES, variableHmac, type EnvironmentRecord, type VariableRecord } from './variables.js';
