// A real service for the server tests: a TransparencyLog over a SQLite store in a temp dir, a token file with a
// write and a read token, and entries proposed with real keys.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { sha256Digest, type Digest } from '../../src/core/digest.js';
import type { JsonObject } from '../../src/core/json.js';
import { generateKeyPair, SigningKey, type Signer } from '../../src/crypto/index.js';
import { signEnvelope } from '../../src/formats/dsse.js';
import { buildStatement, IN_TOTO_PAYLOAD_TYPE, statementToBytes } from '../../src/formats/intoto.js';
import { noteSignerFromKey } from '../../src/formats/signed-note.js';
import { buildSimpleSigningPayload } from '../../src/formats/simple-signing.js';
import { prepareEntry, proposeAttestation, proposeSignature } from '../../src/log/entries/index.js';
import { TransparencyLog, type TransparencyLogOptions } from '../../src/log/transparency-log.js';
import { buildServer, type ServerOptions } from '../../src/server/app.js';
import { createToken, TokenStore } from '../../src/server/tokens.js';
import { openLogStore } from '../../src/store/open-log-store.js';

export const ORIGIN = 'log.test.example/provenant';

/** The key entries are signed with (ECDSA P-256, as cosign makes) and the log's note key (Ed25519). */
export const entryKey: Signer = (await generateKeyPair('test password', { level: 'legacy' })).signer;
const noteKey = SigningKey.generate('ed25519');

export interface TestContext {
  after(fn: () => Promise<void> | void): void;
}

export async function tempDir(t: TestContext, prefix = 'provenant-server-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Opens (or reopens) the log kept in `dataDir`. */
export async function openLog(dataDir: string, options: Pick<TransparencyLogOptions, 'maxBatch' | 'maxDelayMs'> = {}): Promise<TransparencyLog> {
  const store = await openLogStore({ dataDir });
  return TransparencyLog.open({ store, origin: ORIGIN, signer: noteSignerFromKey(ORIGIN, noteKey), prepare: prepareEntry, ...options });
}

export interface ServedLog {
  readonly dir: string;
  readonly dataDir: string;
  readonly tokenFile: string;
  readonly log: TransparencyLog;
  readonly app: FastifyInstance;
  /** Tokens by scope: write (write only), read (read only). */
  readonly writeToken: string;
  readonly readToken: string;
}

/** A built (not listening) server over a fresh log; closed after the test unless the test stops it itself. */
export async function servedLog(t: TestContext, options: Partial<Omit<ServerOptions, 'log' | 'tokens'>> = {}): Promise<ServedLog> {
  const dir = await tempDir(t);
  const dataDir = join(dir, 'data');
  const tokenFile = join(dir, 'tokens.json');
  const writeToken = await createToken(tokenFile, 'writer', ['write']);
  const readToken = await createToken(tokenFile, 'reader', ['read']);
  const log = await openLog(dataDir);
  // Registered before the server is built, so the log is closed even when building fails.
  const built: { app?: FastifyInstance } = {};
  t.after(async () => {
    await built.app?.close();
    await log.close();
  });
  const app = await buildServer({ log, tokens: await TokenStore.open(tokenFile), readAuth: 'open', logger: false, ...options });
  built.app = app;
  return { dir, dataDir, tokenFile, log, app, writeToken, readToken };
}

/** A `signature` proposal for image `n`: distinct n, distinct entries. */
export async function signatureProposal(n: number, key: Signer = entryKey): Promise<JsonObject> {
  const payload = buildSimpleSigningPayload({ dockerReference: 'registry.example/team/app', digest: imageDigest(n), optional: null });
  return proposeSignature(payload, await key.sign(payload), key.publicKeyPem());
}

export function imageDigest(n: number): Digest {
  return sha256Digest(`image manifest ${n}`);
}

export const TEST_PREDICATE_TYPE = 'https://example.test/predicate/v1';

/** An `attestation` proposal; the log keeps its envelope as a blob. */
export async function attestationProposal(n: number): Promise<JsonObject> {
  const statement = buildStatement({
    subjects: [{ name: 'registry.example/team/app', digest: imageDigest(n) }],
    predicateType: TEST_PREDICATE_TYPE,
    predicate: { build: n },
  });
  const envelope = await signEnvelope(IN_TOTO_PAYLOAD_TYPE, statementToBytes(statement), [entryKey]);
  return proposeAttestation(envelope, entryKey.publicKeyPem());
}

export function authorization(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** A self-signed P-256 certificate for 127.0.0.1, made by openssl. */
export async function selfSignedCertificate(dir: string): Promise<{ cert: string; key: string }> {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '1', '-keyout', keyFile, '-out', certFile],
    { stdio: 'ignore' },
  );
  return { cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8') };
}
