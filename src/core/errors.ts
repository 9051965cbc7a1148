// The single error registry. Every failure Provenant reports carries one of these codes; the CLI's exit code
// and the HTTP status of an error body both derive from it. docs/errors.md lists the same codes, and a test
// fails when the two disagree.

/** Exit codes of the CLI, one per family of failure. Documented in docs/errors.md. */
export const ExitCode = {
  ok: 0,
  /** The artifact was checked and did not pass: no signature, a bad signature, wrong digest, wrong identity. */
  verification: 1,
  /** The command line itself was wrong. */
  usage: 2,
  /** An input (file, key, payload, archive, manifest) is malformed or hostile. */
  input: 3,
  /** Something named does not exist (image, tag, blob, file). */
  notFound: 4,
  /** A registry or other remote service failed or could not be reached. */
  remote: 5,
  /** Credentials, passwords or tokens were missing or wrong. */
  auth: 6,
  /** A bug: an invariant of Provenant itself broke. */
  internal: 70,
} as const;
export type ExitCodeName = keyof typeof ExitCode;

interface CodeSpec {
  readonly status: number;
  readonly exit: ExitCodeName;
  readonly summary: string;
}

function spec(status: number, exit: ExitCodeName, summary: string): CodeSpec {
  return { status, exit, summary };
}

export const ERROR_CODES = {
  // general
  USAGE: spec(400, 'usage', 'The command or request was not well formed.'),
  INTERNAL: spec(500, 'internal', 'An internal invariant failed; this is a bug.'),
  IO_ERROR: spec(500, 'input', 'A local file could not be read or written.'),
  FILE_NOT_FOUND: spec(404, 'notFound', 'A named local file does not exist.'),
  INPUT_TOO_LARGE: spec(413, 'input', 'An input exceeded its size, count or depth limit.'),
  UNSUPPORTED: spec(400, 'input', 'The input uses a feature or algorithm Provenant does not support.'),
  COMMAND_FAILED: spec(500, 'input', 'A local program (such as a toolchain asked for its version) could not be started, timed out or wrote more output than allowed.'),
  ENV_SECRET_REFUSED: spec(400, 'usage', 'An environment variable named to be recorded in clear (--env) looks like a secret by its name or value; it is never recorded in clear.'),
  BUILD_ENV_SECRET: spec(400, 'input', 'The build environment file (--build-env) holds the value of an environment variable that is not allow-listed, or a string shaped like a credential.'),

  // HTTP service
  ROUTE_NOT_FOUND: spec(404, 'notFound', 'No route of the HTTP API matches the request method and path.'),
  CONTENT_TYPE_UNSUPPORTED: spec(415, 'input', 'The request body has a Content-Type the route does not accept (JSON bodies must be application/json).'),
  UNAUTHENTICATED: spec(401, 'auth', 'The request carries no bearer token, or one the server does not know.'),
  FORBIDDEN: spec(403, 'auth', 'The bearer token is valid but lacks the scope (read or write) the route needs.'),
  SERVICE_UNAVAILABLE: spec(503, 'remote', 'The service is starting, shutting down or cannot reach its store; retry later or elsewhere.'),
  TOKEN_FILE_INVALID: spec(400, 'input', 'The API token file is not valid (it holds names, scopes and SHA-256 hashes of tokens).'),
  SERVICE_UNREACHABLE: spec(502, 'remote', 'The log service (--server) could not be reached, its TLS certificate did not verify, or it did not answer in time.'),
  SERVICE_PROTOCOL: spec(502, 'remote', 'The log service answered with something its API does not allow (wrong shape, oversized body, unknown error).'),
  TRUST_STATE_INVALID: spec(400, 'input', 'A file of the client trust directory (the trusted checkpoint and verifier key of a log) is unreadable or names another log.'),
  NOTIFICATION_MALFORMED: spec(400, 'input', 'A registry notification body is not a well-formed event envelope (distribution notifications): wrong types, too many events or over-long strings.'),
  INGEST_BUSY: spec(503, 'remote', 'The registry ingest queue is full or shutting down; the registry retries the notification later.'),

  // data formats
  JSON_MALFORMED: spec(400, 'input', 'The input is not valid JSON.'),
  JSON_DUPLICATE_KEY: spec(400, 'input', 'A JSON object repeats a key; such input is ambiguous and refused.'),
  JSON_TOO_DEEP: spec(400, 'input', 'JSON nesting exceeds the depth limit.'),
  SCHEMA_INVALID: spec(400, 'input', 'The document does not match its schema.'),
  DIGEST_MALFORMED: spec(400, 'input', 'A digest is not of the form sha256:<64 lowercase hex>.'),
  DIGEST_MISMATCH: spec(400, 'input', 'Content does not hash to the digest that names it.'),
  BASE64_MALFORMED: spec(400, 'input', 'A field that must be base64 is not.'),
  DSSE_MALFORMED: spec(400, 'input', 'A DSSE envelope is not well formed.'),
  STATEMENT_MALFORMED: spec(400, 'input', 'An in-toto statement is not well formed.'),
  PREDICATE_MALFORMED: spec(400, 'input', 'An attestation predicate (SLSA provenance, Provenant layers) is not well formed.'),
  PAYLOAD_MALFORMED: spec(400, 'input', 'A signed payload is not well formed.'),
  ENTRY_MALFORMED: spec(400, 'input', 'A transparency log entry or proposed entry does not have the shape of its kind.'),
  ENTRY_KIND_UNKNOWN: spec(400, 'input', 'A transparency log entry names an apiVersion or kind Provenant does not know.'),
  BUNDLE_MALFORMED: spec(400, 'input', 'A sigstore bundle is not well formed.'),
  PEM_MALFORMED: spec(400, 'input', 'A PEM file is not well formed.'),
  PACKAGE_METADATA_MALFORMED: spec(400, 'input', 'A package database or manifest (dpkg status, apk database, RPM header, package.json, lockfile, Python metadata, Go build info) is not well formed.'),
  VERSION_INVALID: spec(400, 'input', 'A version string is not well formed for its ecosystem.'),
  OSV_MALFORMED: spec(400, 'input', 'A vulnerability record is not well-formed OSV (schema 1.7): a missing id or modified, a timestamp that is not RFC 3339 UTC, an event with other than one kind, a range without introduced.'),
  CVSS_MALFORMED: spec(400, 'input', 'A CVSS vector is not well formed for its version (FIRST CVSS v2, v3.0, v3.1): a wrong prefix, an unknown or repeated metric, a value the metric does not have, or a missing base metric.'),
  SBOM_MALFORMED: spec(400, 'input', 'A file given as an SBOM is not CycloneDX or SPDX JSON, or a component or package of it is malformed (a purl that does not parse, a field of the wrong type).'),
  REPUTATION_EVENT_INVALID: spec(400, 'input', 'A provider reputation event (predicate https://provenant.dev/attestation/reputation-event/v1) is not well formed: an unknown or missing field, a bad date, severity or rating, or a subject that does not name its provider.'),
  POLICY_INVALID: spec(400, 'input', 'A policy document is not valid: YAML that does not parse, an unknown field, a wrong type, a bad glob, version range or CEL expression. Details name the line, column and field.'),
  POLICY_UNSUPPORTED: spec(400, 'input', 'A policy document asks for something Provenant cannot honour exactly (a ClusterImagePolicy kms or secretRef key, a cue or rego policy, source.oci, keyless ca-cert, a key type Provenant does not verify). Details name the line, column and field.'),
  POLICY_NOT_FOUND: spec(404, 'notFound', 'No policy of that name is in force (its versions in the log end with a deletion, or it was never applied).'),
  POLICY_DENIED: spec(403, 'verification', 'The policies deny the image: the decision lists every rule that failed, with the facts and the log entries behind it.'),
  GATE_DENIED: spec(403, 'verification', 'The deploy gate (provenant gate) refused the release: the decision is deny, or warn with --fail-on warn; the decision is printed with its reasons.'),
  ADMISSION_MALFORMED: spec(400, 'input', 'An AdmissionReview is not well formed: not an object, no request or uid, a field of the wrong type, a pod spec or container that cannot be read, too many containers.'),
  ADMISSION_TIMEOUT: spec(504, 'remote', 'No admission decision within the time budget (the registry or the store did not answer in time); the failure policy applies.'),
  CLUSTER_API_UNAVAILABLE: spec(502, 'remote', 'The Kubernetes API server could not be reached, refused the request or answered something unreadable when asked for a namespace\'s labels (policies match namespaceSelector on them); the failure policy applies.'),
  EVALUATION_INPUT_INVALID: spec(400, 'input', 'The input of a policy evaluation or decision cache lookup is not usable: a request time that is not an RFC 3339 instant.'),
  FACTS_TOO_MANY: spec(413, 'input', 'Gathering the facts about an image digest found more log entries (signatures, attestations, audits, revocations) than the limit; nothing was gathered.'),

  // keys and passwords
  KEY_MALFORMED: spec(400, 'input', 'The file is not a key Provenant can read.'),
  KEY_UNSUPPORTED: spec(400, 'input', 'The key type or curve is not supported (ECDSA P-256 and Ed25519 are).'),
  KEY_MISMATCH: spec(400, 'input', 'The key is of the wrong kind for this operation (e.g. a public key where a private one is needed).'),
  KEY_DECRYPT_FAILED: spec(401, 'auth', 'The encrypted private key could not be decrypted: wrong password or corrupt key.'),
  PASSWORD_REQUIRED: spec(401, 'auth', 'A password is needed and none was given (PROVENANT_PASSWORD, COSIGN_PASSWORD or a terminal).'),
  PASSWORD_MISMATCH: spec(401, 'auth', 'The password typed to confirm a new key differs from the first one.'),

  // verification
  SIGNATURE_MISSING: spec(404, 'verification', 'No signature or attestation is attached to the artifact.'),
  SIGNATURE_INVALID: spec(422, 'verification', 'A signature does not verify with the given key.'),
  SIGNATURE_DIGEST_MISMATCH: spec(422, 'verification', 'A valid signature covers a different digest than the artifact.'),
  ATTESTATION_MISSING: spec(404, 'verification', 'No attestation of the requested predicate type verifies.'),
  BUNDLE_INVALID: spec(422, 'verification', 'A sigstore bundle does not verify against the trust material.'),
  IDENTITY_MISMATCH: spec(422, 'verification', 'The signer identity does not match the one required.'),
  TRUST_ROOT_INVALID: spec(400, 'input', 'The trust material (trusted root) is not usable.'),
  MERKLE_PROOF_INVALID: spec(422, 'verification', 'A Merkle inclusion or consistency proof is malformed: wrong length, hash size, index or tree sizes.'),
  MERKLE_ROOT_MISMATCH: spec(422, 'verification', 'A Merkle proof leads to a different root hash than the one expected.'),
  LINEAGE_GAP: spec(422, 'verification', 'A lineage line skips a sequence number: a record is missing from the chain.'),
  LINEAGE_FORK: spec(422, 'verification', 'Two lineage records of a line share a sequence number or a predecessor.'),
  LINEAGE_BROKEN_LINK: spec(422, 'verification', 'A lineage record names as its predecessor an entry that is not the previous record of its line.'),
  LINEAGE_UNTRUSTED_SIGNER: spec(422, 'verification', 'A lineage record is signed by a key that is not among the trusted signers.'),
  LINEAGE_RECORD_INVALID: spec(422, 'verification', 'A lineage record or audit in the log no longer verifies: edited bytes, a bad signature, or a line other than the one it is indexed under.'),
  SCAN_FINDINGS: spec(422, 'verification', 'A vulnerability scan found findings that survived its filters and --exit-code asked to fail on them; the CLI exits with the status given there.'),
  REPUTATION_SIGNER_UNTRUSTED: spec(422, 'verification', 'A reputation event is not signed by any of the keys the service trusts to report reputation events.'),

  // OCI
  REFERENCE_INVALID: spec(400, 'usage', 'An image reference is not valid.'),
  MANIFEST_MALFORMED: spec(400, 'input', 'A manifest or index is not well formed.'),
  MEDIA_TYPE_UNSUPPORTED: spec(415, 'input', 'A manifest media type is not one Provenant reads.'),
  PLATFORM_NOT_FOUND: spec(404, 'notFound', 'No manifest in the index matches the requested platform.'),
  PLATFORM_AMBIGUOUS: spec(400, 'usage', 'The image is an index for several platforms; choose one with --platform.'),
  LAYOUT_MALFORMED: spec(400, 'input', 'An OCI image layout is not well formed.'),
  ARCHIVE_MALFORMED: spec(400, 'input', 'An archive (an image archive, a layer, a zip of advisories) is not well formed.'),
  ARCHIVE_TRUNCATED: spec(400, 'input', 'An archive or stream ended before its declared end.'),
  ARCHIVE_PATH_UNSAFE: spec(400, 'input', 'An archive entry path escapes its root or is otherwise unsafe.'),
  ARCHIVE_DECOMPRESSION_BOMB: spec(413, 'input', 'An archive entry (such as a zip member) declares or inflates to more than the allowed multiple of its compressed size.'),
  MANIFEST_NOT_FOUND: spec(404, 'notFound', 'The manifest, tag or image does not exist.'),
  BLOB_NOT_FOUND: spec(404, 'notFound', 'A blob named by a manifest does not exist.'),
  SOURCE_UNSUPPORTED: spec(400, 'usage', 'The image source or target transport cannot do this operation.'),
  IMAGE_AMBIGUOUS: spec(400, 'usage', 'The layout or archive holds several images and none was named; give a tag or reference.'),
  CONFIG_MALFORMED: spec(400, 'input', 'An image configuration blob is not well formed.'),
  LAYER_TOO_MANY_ENTRIES: spec(413, 'input', 'A layer (or the root filesystem built from layers) has more entries, or more bytes of entry names, than the limit.'),
  LAYER_PATH_TOO_LONG: spec(413, 'input', 'A layer entry path, path component or link target is longer than the limit.'),
  LAYER_PATH_TOO_DEEP: spec(413, 'input', 'A layer entry path has more components than the depth limit.'),
  LAYER_TOO_LARGE: spec(413, 'input', 'A layer decompresses to more bytes than the size limit.'),
  LAYER_DECOMPRESSION_BOMB: spec(413, 'input', 'A layer decompresses to more than the allowed multiple of its compressed size.'),

  // registry
  REGISTRY_UNAUTHORIZED: spec(401, 'auth', 'The registry refused the credentials (401).'),
  REGISTRY_FORBIDDEN: spec(403, 'auth', 'The registry denied access (403).'),
  REGISTRY_SERVER_ERROR: spec(502, 'remote', 'The registry answered with a server error.'),
  REGISTRY_UNREACHABLE: spec(502, 'remote', 'The registry could not be reached.'),
  REGISTRY_TIMEOUT: spec(504, 'remote', 'The registry did not answer in time.'),
  REGISTRY_PROTOCOL: spec(502, 'remote', 'The registry answered with something the distribution API does not allow.'),
  REGISTRY_RATE_LIMITED: spec(429, 'remote', 'The registry kept answering 429 after every retry.'),
  AUTH_CHALLENGE_INVALID: spec(502, 'remote', 'The registry sent a WWW-Authenticate challenge Provenant cannot follow.'),
  DOCKER_CONFIG_INVALID: spec(400, 'input', 'The Docker config file (config.json) is not valid.'),
  TLS_CONFIG_INVALID: spec(400, 'input', 'A CA bundle or TLS setting is not usable.'),
  REGISTRY_TLS_FAILED: spec(502, 'remote', 'The TLS handshake with the registry failed or its certificate did not verify against the trusted CAs.'),
  CREDENTIAL_HELPER_FAILED: spec(500, 'auth', 'A docker-credential helper could not be run, timed out or answered with something unreadable.'),
  LOG_SEQUENCE_CONFLICT: spec(409, 'remote', 'Another sequencer appended to the log first: the batch was built on a stale size and nothing of it was stored; reload and retry.'),
  LOG_DUPLICATE_LEAF: spec(409, 'input', 'A leaf hash is already in the log (or twice in one batch); nothing of the batch was stored.'),
  STORE_UNAVAILABLE: spec(503, 'remote', 'The log database could not be reached, is closed, or stayed locked past the wait limit.'),
  STORE_CORRUPT: spec(500, 'input', 'A stored row breaks an invariant of the log (wrong hash length, sizes out of step) or the schema is newer than this version knows.'),
  STORE_VALUE_INVALID: spec(400, 'input', 'A value handed to the store breaks its bounds: an empty or over-long id, reference or version, a decision body over 4 MiB, a time that is not RFC 3339, or a page limit outside 1..10,000.'),
  NOTE_MALFORMED: spec(400, 'input', 'A signed note (C2SP signed-note) is not well formed: no blank line before the signatures, a bad signature line, control characters or invalid UTF-8.'),
  NOTE_UNVERIFIED: spec(422, 'verification', 'A signed note carries no signature by any of the trusted keys.'),
  CHECKPOINT_MALFORMED: spec(400, 'input', 'A checkpoint body (C2SP tlog-checkpoint) is not origin, decimal tree size and base64 root hash lines.'),
  CHECKPOINT_ORIGIN_MISMATCH: spec(422, 'verification', 'A checkpoint names another log (origin line) than the one expected.'),
  TILE_PATH_INVALID: spec(400, 'input', 'A tlog-tiles path is not <L>/<N>[.p/<W>] or entries/<N>[.p/<W>] as C2SP tlog-tiles spells it.'),
  TILE_MALFORMED: spec(400, 'input', 'A hash tile or entry bundle is not well formed: a size that is not whole 32-byte hashes, a truncated entry, or another count than its width.'),
  TILE_NOT_FOUND: spec(404, 'notFound', 'The log has no such hash tile or entry bundle (yet): the tree is smaller, or the tile is full and was asked for as partial.'),
  LOG_KEY_MISMATCH: spec(409, 'usage', 'The log store is bound to another origin or signing key than the one it was opened with.'),
  LOG_ENTRY_NOT_FOUND: spec(404, 'notFound', 'The log has no entry at that index or with that leaf hash.'),
  LOG_READ_ONLY: spec(403, 'usage', 'The log was opened for reading only, without its signing key; appending needs the log opened with its key.'),
  STORE_EMPTY: spec(404, 'notFound', 'There is no log in the store yet: nothing was ever recorded there (the first write with the log key creates it).'),
  LOG_SIZE_UNKNOWN: spec(404, 'notFound', 'The log has issued no checkpoint of that tree size, or has not grown that far.'),
  LOG_BUSY: spec(503, 'remote', 'Too many appends are waiting for the sequencer; retry later.'),
  LOG_CLOSED: spec(503, 'remote', 'The log is shutting down and takes no more appends.'),
  LOG_ROLLBACK: spec(422, 'verification', 'The log presented a checkpoint smaller than one already trusted.'),
  LOG_FORK: spec(422, 'verification', 'The log presented a checkpoint inconsistent with one already trusted: same size with another root, or no valid consistency proof.'),
  LOG_ENTRY_TAMPERED: spec(422, 'verification', 'A log entry no longer hashes to its stored leaf hash, or stored tree hashes disagree with the entries.'),
  LOG_ROOT_MISMATCH: spec(422, 'verification', 'The root recomputed from every log entry differs from the signed checkpoint.'),
} as const satisfies Record<string, CodeSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export class ProvenantError extends Error {
  override readonly name = 'ProvenantError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  get exitCode(): number {
    return ExitCode[ERROR_CODES[this.code].exit];
  }

  toBody(): ErrorBody {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function isProvenantError(e: unknown, code?: ErrorCode): e is ProvenantError {
  return e instanceof ProvenantError && (code === undefined || e.code === code);
}

/** Wraps anything thrown into a ProvenantError, keeping the original as `cause`. */
export function toProvenantError(e: unknown): ProvenantError {
  if (e instanceof ProvenantError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new ProvenantError('INTERNAL', message, { cause: e });
}
