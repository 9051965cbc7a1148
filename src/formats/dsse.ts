// Dead Simple Signing Envelope, protocol v1 (secure-systems-lab/dsse, protocol.md and envelope.md).
// Signatures are always over the pre-authentication encoding (PAE) of type and body, never over the body
// alone: otherwise a signature over one payload type could be replayed as another.
import { decodeBase64, encodeBase64, utf8 } from '../core/bytes.js';
import { ProvenantError } from '../core/errors.js';
import { isJsonObject, type JsonObject } from '../core/json.js';
import type { Signer, Verifier } from '../crypto/signer.js';
import { parseFormatJson } from './format-json.js';

export interface EnvelopeSignature {
  /** Unauthenticated hint naming the key; never trusted, only reported. */
  keyid?: string;
  /** Base64 (standard or URL-safe) signature over PAE(payloadType, payload). */
  sig: string;
}

/** The JSON envelope (envelope.md): payload and signatures are base64 text. */
export interface Envelope {
  payloadType: string;
  payload: string;
  signatures: EnvelopeSignature[];
}

export interface VerifiedEnvelope {
  payloadType: string;
  payload: Buffer;
  /** keyIds of the distinct verifiers that verified at least one signature, in the caller's order. */
  verifiedBy: string[];
}

export interface ParseEnvelopeOptions {
  /** Refuse envelopes larger than this many bytes (UTF-16 units for string input). Default 32 MiB. */
  maxBytes?: number;
}

export interface VerifyEnvelopeOptions {
  /** How many distinct verifiers must each verify a signature. Default 1. */
  threshold?: number;
  /** When set, a verified envelope of another payloadType is refused with PAYLOAD_MALFORMED. */
  payloadType?: string;
}

const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;
const MAX_SIGNATURES = 64;
const MAX_SIG_CHARS = 16 * 1024;
const MAX_KEYID_CHARS = 1024;
const MAX_PAYLOAD_TYPE_BYTES = 1024;

/** PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body; LEN is the decimal byte length. */
export function preAuthEncoding(payloadType: string, payload: Uint8Array): Buffer {
  const type = utf8(payloadType);
  const header = utf8(`DSSEv1 ${type.length} `);
  const middle = utf8(` ${payload.length} `);
  return Buffer.concat([header, type, middle, payload]);
}

/** Parses a JSON envelope strictly (duplicate keys, unknown fields, bad base64). Errors: DSSE_MALFORMED, INPUT_TOO_LARGE. */
export function parseEnvelope(input: string | Uint8Array, options: ParseEnvelopeOptions = {}): Envelope {
  const obj = parseFormatJson(input, 'DSSE_MALFORMED', 'DSSE envelope', { maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES, maxDepth: 8 });
  const env = envelopeFromJsonObject(obj);
  decodeEnvelope(env);
  return env;
}

/** Validates an already-parsed JSON object as an envelope (shape only; base64 is checked on decode). */
export function envelopeFromJsonObject(obj: JsonObject): Envelope {
  onlyKeys(obj, ['payloadType', 'payload', 'signatures'], 'envelope');
  const { payloadType, payload, signatures } = obj;
  if (typeof payloadType !== 'string') malformed('payloadType must be a string');
  if (typeof payload !== 'string') malformed('payload must be a base64 string');
  if (!Array.isArray(signatures)) malformed('signatures must be an array');
  if (signatures.length > MAX_SIGNATURES) {
    throw new ProvenantError('INPUT_TOO_LARGE', `DSSE envelope has ${signatures.length} signatures, over ${MAX_SIGNATURES}`);
  }
  const sigs = signatures.map((s, i): EnvelopeSignature => {
    if (!isJsonObject(s)) malformed(`signatures[${i}] must be an object`);
    onlyKeys(s, ['keyid', 'sig'], `signatures[${i}]`);
    if (typeof s.sig !== 'string') malformed(`signatures[${i}].sig must be a base64 string`);
    if (s.keyid === undefined) return { sig: s.sig };
    if (typeof s.keyid !== 'string') malformed(`signatures[${i}].keyid must be a string`);
    return { keyid: s.keyid, sig: s.sig };
  });
  return { payloadType, payload, signatures: sigs };
}

interface DecodedEnvelope {
  payloadType: string;
  payload: Buffer;
  signatures: { keyid: string | undefined; sig: Buffer }[];
}

function decodeEnvelope(env: Envelope): DecodedEnvelope {
  if (typeof env.payloadType !== 'string' || env.payloadType.length === 0) malformed('payloadType must be a non-empty string');
  if (utf8(env.payloadType).length > MAX_PAYLOAD_TYPE_BYTES) malformed('payloadType is too long');
  if (!Array.isArray(env.signatures) || env.signatures.length === 0) malformed('an envelope needs at least one signature');
  if (env.signatures.length > MAX_SIGNATURES) {
    throw new ProvenantError('INPUT_TOO_LARGE', `DSSE envelope has ${env.signatures.length} signatures, over ${MAX_SIGNATURES}`);
  }
  const payload = base64Field(env.payload, 'payload');
  const signatures = env.signatures.map((s: EnvelopeSignature | null, i) => {
    if (typeof s !== 'object' || s === null) malformed(`signatures[${i}] must be an object`);
    if (typeof s.sig !== 'string' || s.sig.length > MAX_SIG_CHARS) malformed(`signatures[${i}].sig is missing or too long`);
    if (s.keyid !== undefined && (typeof s.keyid !== 'string' || s.keyid.length > MAX_KEYID_CHARS)) {
      malformed(`signatures[${i}].keyid is not a string or too long`);
    }
    const sig = base64Field(s.sig, `signatures[${i}].sig`);
    if (sig.length === 0) malformed(`signatures[${i}].sig is empty`);
    return { keyid: s.keyid, sig };
  });
  return { payloadType: env.payloadType, payload, signatures };
}

/** Signs PAE(payloadType, payload) with every signer; keyid is each signer's keyId. */
export async function signEnvelope(
  payloadType: string,
  payload: Uint8Array | string,
  signers: readonly Signer[],
): Promise<Envelope> {
  if (signers.length === 0) throw new ProvenantError('USAGE', 'signing an envelope needs at least one signer');
  if (payloadType.length === 0) throw new ProvenantError('USAGE', 'payloadType must not be empty');
  const body = typeof payload === 'string' ? utf8(payload) : payload;
  const pae = preAuthEncoding(payloadType, body);
  const signatures: EnvelopeSignature[] = [];
  for (const signer of signers) {
    signatures.push({ keyid: signer.keyId, sig: encodeBase64(await signer.sign(pae)) });
  }
  const env = { payloadType, payload: encodeBase64(body), signatures };
  decodeEnvelope(env);
  return env;
}

/**
 * Verifies the envelope: at least `threshold` distinct verifiers (by keyId) must each verify one of its
 * signatures over PAE. keyid hints are ignored for the decision (they are unauthenticated).
 * Errors: SIGNATURE_INVALID, DSSE_MALFORMED, PAYLOAD_MALFORMED (payloadType not the one required), USAGE.
 */
export function verifyEnvelope(
  env: Envelope,
  verifiers: readonly Verifier[],
  options: VerifyEnvelopeOptions = {},
): VerifiedEnvelope {
  const threshold = options.threshold ?? 1;
  if (!Number.isSafeInteger(threshold) || threshold < 1) {
    throw new ProvenantError('USAGE', `threshold must be a positive integer, got ${String(threshold)}`);
  }
  const distinct = dedupeVerifiers(verifiers);
  if (distinct.length < threshold) {
    throw new ProvenantError('USAGE', `threshold ${threshold} needs at least that many distinct keys, got ${distinct.length}`);
  }
  const decoded = decodeEnvelope(env);
  const pae = preAuthEncoding(decoded.payloadType, decoded.payload);
  const verifiedBy: string[] = [];
  for (const verifier of distinct) {
    if (decoded.signatures.some((s) => safeVerify(verifier, pae, s.sig))) verifiedBy.push(verifier.keyId);
  }
  if (verifiedBy.length < threshold) {
    throw new ProvenantError('SIGNATURE_INVALID', `DSSE envelope verified with ${verifiedBy.length} of the ${threshold} keys required`, {
      details: { verified: verifiedBy.length, threshold },
    });
  }
  if (options.payloadType !== undefined && options.payloadType !== decoded.payloadType) {
    throw new ProvenantError('PAYLOAD_MALFORMED', `DSSE payloadType is ${JSON.stringify(decoded.payloadType)}, expected ${JSON.stringify(options.payloadType)}`);
  }
  return { payloadType: decoded.payloadType, payload: decoded.payload, verifiedBy };
}

/** Serialises an envelope in the field order cosign and in-toto write (payloadType, payload, signatures). */
export function envelopeToJson(env: Envelope): string {
  const decoded = decodeEnvelope(env);
  return JSON.stringify({
    payloadType: decoded.payloadType,
    payload: encodeBase64(decoded.payload),
    signatures: decoded.signatures.map((s) => (s.keyid === undefined ? { sig: encodeBase64(s.sig) } : { keyid: s.keyid, sig: encodeBase64(s.sig) })),
  });
}

function dedupeVerifiers(verifiers: readonly Verifier[]): Verifier[] {
  const byKeyId = new Map<string, Verifier>();
  for (const v of verifiers) if (!byKeyId.has(v.keyId)) byKeyId.set(v.keyId, v);
  return [...byKeyId.values()];
}

function safeVerify(verifier: Verifier, data: Buffer, sig: Buffer): boolean {
  try {
    return verifier.verify(data, sig) === true;
  } catch {
    return false;
  }
}

function base64Field(value: unknown, what: string): Buffer {
  try {
    return decodeBase64(value, `DSSE ${what}`);
  } catch (cause) {
    throw new ProvenantError('DSSE_MALFORMED', `DSSE ${what} is not valid base64`, { cause });
  }
}

function onlyKeys(obj: JsonObject, allowed: readonly string[], what: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) malformed(`${what} has an unknown field ${JSON.stringify(key)}`);
  }
}

function malformed(message: string): never {
  throw new ProvenantError('DSSE_MALFORMED', `DSSE envelope: ${message}`);
}
