// The adapter that reads this machine for `provenant build`. Parsing and redaction live in
// src/analyze/environment; this folder only gathers raw facts. rpmdb.ts is the SQLite reader behind the
// analysis's RpmDatabaseReader port.
export { collectHostFacts, OS_RELEASE_FILES, type CollectOptions, type SystemInfo } from './collect.js';
export { TOOLCHAIN_COMMANDS, type HostFacts, type ProbeOutcome, type ToolchainCommand, type ToolchainName, type ToolchainProbe } from './facts.js';
export { findOnPath } from './path-lookup.js';
export { MAX_RPM_HEADER_BYTES, MAX_RPMDB_ROWS, readRpmDatabase } from './rpmdb.js';
export { DEFAULT_MAX_OUTPUT_BYTES, DEFAULT_TIMEOUT_MS, spawnRunner, type RunOptions, type RunResult, type Runner } from './run.js';
