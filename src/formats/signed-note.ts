// C2SP signed notes (https://c2sp.org/signed-note): a UTF-8 text ending in a newline, a blank line, then one line
// per signature, "— <key name> <base64(4-byte key ID || signature)>". Only Ed25519 keys (signature type 0x01)
// are made or checked here; signatures by other keys are ignored on opening, as the spec requires.
import { createHash, createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { decodeBase64 } from '../core/bytes.js';
import { ProvenantError } from '../core/errors.js';
import type { SigningKey } from '../crypto/index.js';

/** Largest note opened or signed, in UTF-8 bytes. Checkpoints are a few hundred bytes. */
export const MAX_NOTE_BYTES = 1024 * 1024;
/** Most signature lines read from one note; the spec asks verifiers to take at least 16. */
export const MAX_NOTE_SIGNATURES = 100;

/** The signature type byte of Ed25519 note keys (signed-note, "Signature types"). */
const ED25519_TYPE = 0x01;
const ED25519_KEY_BYTES = 32;
const ED25519_SIGNATURE_BYTES = 64;
/** DER SubjectPublicKeyInfo of an Ed25519 key (RFC 8410 §4) is this prefix followed by the raw 32-byte key. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const SIGNATURE_PREFIX = '\u2014 ';

export interface NoteSigner {
  readonly name: string;
  /** The uint32 key ID that starts each signature. */
  readonly keyHash: number;
  /** "<name>+<8 hex key ID>+<base64(0x01 || public key)>", what verifiers pin. */
  readonly verifierKey: string;
  sign(text: Uint8Array): Promise<Uint8Array>;
}

export interface NoteVerifier {
  readonly name: string;
  readonly keyHash: number;
  /** False for a wrong or malformed signature, never a throw. */
  verify(text: Uint8Array, signature: Uint8Array): boolean;
}

export interface OpenedNote {
  /** The note text: everything before the separating blank line, final newline included. */
  readonly body: string;
  /** The known keys whose signatures verified. */
  readonly verifiedBy: readonly { readonly name: string; readonly keyHash: number }[];
}

/** Key names are non-empty and hold no Unicode space and no "+" (signed-note, "Format"). */
export function isValidKeyName(name: string): boolean {
  return name !== '' && !/[\s\u0085+]/u.test(name) && !/\p{Cs}/u.test(name) && !hasControl(name);
}

/** key ID = SHA-256(key name || 0x0A || signature type || public key)[:4], read big-endian. */
export function noteKeyHash(name: string, typedKey: Uint8Array): number {
  return createHash('sha256').update(name, 'utf8').update('\n').update(typedKey).digest().readUInt32BE(0);
}

/** The verifier key string of an Ed25519 public key (32 raw bytes) under `name`. */
export function verifierKeyString(name: string, ed25519PublicKey: Uint8Array): string {
  checkName(name, 'USAGE');
  if (ed25519PublicKey.length !== ED25519_KEY_BYTES) {
    throw new ProvenantError('KEY_MALFORMED', `an Ed25519 public key is ${ED25519_KEY_BYTES} bytes, not ${ed25519PublicKey.length}`);
  }
  const typed = Buffer.concat([Buffer.from([ED25519_TYPE]), ed25519PublicKey]);
  return `${name}+${hex8(noteKeyHash(name, typed))}+${typed.toString('base64')}`;
}

/**
 * A note signer over an Ed25519 SigningKey. Errors: KEY_UNSUPPORTED for other key types (notes carry Ed25519
 * signatures only here), USAGE for a name that is not a valid key name.
 */
export function noteSignerFromKey(name: string, key: SigningKey): NoteSigner {
  checkName(name, 'USAGE');
  if (key.algorithm !== 'ed25519') {
    throw new ProvenantError('KEY_UNSUPPORTED', `signed notes are signed with Ed25519 keys, not ${key.algorithm}`, {
      details: { algorithm: key.algorithm },
    });
  }
  const spki = key.verifier().spkiDer();
  if (spki.length !== ED25519_SPKI_PREFIX.length + ED25519_KEY_BYTES || !spki.subarray(0, ED25519_SPKI_PREFIX.length).equals(ED25519_SPKI_PREFIX)) {
    throw new ProvenantError('INTERNAL', 'an Ed25519 key has an unexpected SubjectPublicKeyInfo');
  }
  const raw = spki.subarray(ED25519_SPKI_PREFIX.length);
  const verifierKey = verifierKeyString(name, raw);
  const keyHash = noteKeyHash(name, Buffer.concat([Buffer.from([ED25519_TYPE]), raw]));
  return { name, keyHash, verifierKey, sign: (text) => key.sign(text) };
}

/**
 * Parses a verifier key "<name>+<8 hex>+<base64(type || key)>". Errors: KEY_MALFORMED (bad shape, bad base64, a
 * key ID that is not the hash of the name and key), KEY_UNSUPPORTED for a signature type other than Ed25519.
 */
export function parseVerifierKey(vkey: string): NoteVerifier {
  const malformed = (why: string) => new ProvenantError('KEY_MALFORMED', `not a note verifier key: ${why}`);
  if (typeof vkey !== 'string' || vkey.length > 4096) throw malformed('not a string of reasonable length');
  const first = vkey.indexOf('+');
  const second = first < 0 ? -1 : vkey.indexOf('+', first + 1);
  if (second < 0) throw malformed('expected <name>+<key id>+<key>');
  const name = vkey.slice(0, first);
  const hashHex = vkey.slice(first + 1, second);
  const key64 = vkey.slice(second + 1);
  if (!isValidKeyName(name)) throw malformed('the key name is empty or holds spaces or "+"');
  if (!/^[0-9a-fA-F]{8}$/.test(hashHex)) throw malformed('the key ID is not 8 hexadecimal digits');
  const typed = strictBase64(key64);
  if (typed === undefined || typed.length === 0) throw malformed('the key is not standard base64');
  const keyHash = Number.parseInt(hashHex, 16);
  if (noteKeyHash(name, typed) !== keyHash) throw malformed('the key ID is not the hash of the name and key');
  if (typed[0] !== ED25519_TYPE) {
    throw new ProvenantError('KEY_UNSUPPORTED', `note key type 0x${(typed[0] as number).toString(16).padStart(2, '0')} is not supported; only Ed25519 (0x01) is`, {
      details: { type: typed[0] },
    });
  }
  if (typed.length !== 1 + ED25519_KEY_BYTES) throw malformed(`an Ed25519 key is ${ED25519_KEY_BYTES} bytes`);
  let publicKey: KeyObject;
  try {
    const x = typed.subarray(1).toString('base64url');
    publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
  } catch (cause) {
    throw new ProvenantError('KEY_MALFORMED', 'not a note verifier key: the Ed25519 key is not valid', { cause });
  }
  return {
    name,
    keyHash,
    verify(text: Uint8Array, signature: Uint8Array): boolean {
      if (signature.length !== ED25519_SIGNATURE_BYTES) return false;
      try {
        return cryptoVerify(null, text, publicKey, signature);
      } catch {
        return false;
      }
    },
  };
}

/** Signs `body` (which must end in a newline) with each signer, in order. Errors: NOTE_MALFORMED, USAGE. */
export async function signNote(body: string, signers: readonly NoteSigner[]): Promise<string> {
  checkText(body, 'note text');
  if (!body.endsWith('\n')) throw new ProvenantError('NOTE_MALFORMED', 'the note text must end with a newline');
  if (signers.length === 0 || signers.length > MAX_NOTE_SIGNATURES) {
    throw new ProvenantError('USAGE', `a note is signed by 1 to ${MAX_NOTE_SIGNATURES} keys, not ${signers.length}`);
  }
  const text = Buffer.from(body, 'utf8');
  const lines: string[] = [];
  for (const signer of signers) {
    checkName(signer.name, 'USAGE');
    const signature = await signer.sign(text);
    const id = Buffer.alloc(4);
    id.writeUInt32BE(signer.keyHash);
    lines.push(`${SIGNATURE_PREFIX}${signer.name} ${Buffer.concat([id, signature]).toString('base64')}\n`);
  }
  const note = `${body}\n${lines.join('')}`;
  if (Buffer.byteLength(note, 'utf8') > MAX_NOTE_BYTES) {
    throw new ProvenantError('INPUT_TOO_LARGE', `a signed note may not exceed ${MAX_NOTE_BYTES} bytes`);
  }
  return note;
}

/**
 * Opens a signed note, verifying the signatures of the `verifiers` it carries. Signatures by unknown keys (another
 * name or key ID) are ignored; repeated ones by the same key are checked once. Errors: INPUT_TOO_LARGE (over 1 MiB
 * or 100 signatures), NOTE_MALFORMED, SIGNATURE_INVALID (a known key's signature fails: the whole note is refused),
 * NOTE_UNVERIFIED (no known key signed), USAGE (two verifiers share a name and key ID).
 */
export function openNote(note: string | Uint8Array, verifiers: readonly NoteVerifier[]): OpenedNote {
  const text = typeof note === 'string' ? note : decodeUtf8(note);
  if (Buffer.byteLength(text, 'utf8') > MAX_NOTE_BYTES) {
    throw new ProvenantError('INPUT_TOO_LARGE', `a signed note may not exceed ${MAX_NOTE_BYTES} bytes`);
  }
  checkText(text, 'signed note');
  const known = new Map<string, NoteVerifier>();
  for (const v of verifiers) {
    const id = `${v.name}+${hex8(v.keyHash)}`;
    if (known.has(id)) throw new ProvenantError('USAGE', `two verifier keys are named ${id}`);
    known.set(id, v);
  }
  // The text ends at the last blank line (signed-note, "Format"): signature lines are never empty.
  const split = text.lastIndexOf('\n\n');
  if (split < 0) throw malformedNote('no blank line separates the text from the signatures');
  const body = text.slice(0, split + 1);
  const block = text.slice(split + 2);
  if (block === '' || !block.endsWith('\n')) throw malformedNote('the signature block must end with a newline');
  const signed = Buffer.from(body, 'utf8');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) {
    throw new ProvenantError('INPUT_TOO_LARGE', `a note may carry at most ${MAX_NOTE_SIGNATURES} signatures`, { details: { signatures: lines.length } });
  }
  const verifiedBy: { name: string; keyHash: number }[] = [];
  const seen = new Set<string>();
  for (const line of lines) {
    if (!line.startsWith(SIGNATURE_PREFIX)) throw malformedNote('a signature line does not start with an em dash and a space');
    const rest = line.slice(SIGNATURE_PREFIX.length);
    const space = rest.indexOf(' ');
    const name = space < 0 ? rest : rest.slice(0, space);
    const sig64 = space < 0 ? '' : rest.slice(space + 1);
    const raw = strictBase64(sig64);
    if (!isValidKeyName(name) || raw === undefined || raw.length < 5) throw malformedNote('a signature line is not "— <name> <base64>"');
    const keyHash = raw.readUInt32BE(0);
    const id = `${name}+${hex8(keyHash)}`;
    const verifier = known.get(id);
    if (verifier === undefined || seen.has(id)) continue;
    seen.add(id);
    if (!verifier.verify(signed, raw.subarray(4))) {
      throw new ProvenantError('SIGNATURE_INVALID', `the note signature by ${id} does not verify`, { details: { key: id } });
    }
    verifiedBy.push({ name, keyHash });
  }
  if (verifiedBy.length === 0) {
    throw new ProvenantError('NOTE_UNVERIFIED', 'the note is not signed by any trusted key', {
      details: { trusted: [...known.keys()] },
    });
  }
  return { body, verifiedBy };
}

function malformedNote(why: string): ProvenantError {
  return new ProvenantError('NOTE_MALFORMED', `malformed signed note: ${why}`);
}

/** An ASCII control character other than the newline (below U+0020). */
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) return true;
  }
  return false;
}

/** Valid UTF-8 (no lone surrogates) and no ASCII control characters but the newline (signed-note, "Format"). */
function checkText(text: string, what: string): void {
  if (typeof text !== 'string' || hasControl(text) || /\p{Cs}/u.test(text)) {
    throw new ProvenantError('NOTE_MALFORMED', `the ${what} holds control characters or is not valid Unicode`);
  }
}

function checkName(name: string, code: 'USAGE' | 'NOTE_MALFORMED'): void {
  if (typeof name !== 'string' || !isValidKeyName(name)) {
    throw new ProvenantError(code, `${JSON.stringify(name)} is not a valid note key name (non-empty, no spaces, no "+")`);
  }
}

function decodeUtf8(bytes: Uint8Array): string {
  if (bytes.length > MAX_NOTE_BYTES) throw new ProvenantError('INPUT_TOO_LARGE', `a signed note may not exceed ${MAX_NOTE_BYTES} bytes`);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (cause) {
    throw new ProvenantError('NOTE_MALFORMED', 'the signed note is not valid UTF-8', { cause });
  }
}

/** Standard base64 (RFC 4648 §4) in its one canonical spelling, or undefined. */
function strictBase64(text: string): Buffer | undefined {
  try {
    const bytes = decodeBase64(text);
    return bytes.toString('base64') === text ? bytes : undefined;
  } catch {
    return undefined;
  }
}

function hex8(keyHash: number): string {
  return keyHash.toString(16).padStart(8, '0');
}
