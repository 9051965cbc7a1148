// The little DER (ITU-T X.690 §10) that key handling checks by itself before OpenSSL sees the bytes: that a
// key is one complete SEQUENCE with nothing after it, and that an ECDSA signature is a strictly encoded
// ECDSA-Sig-Value (RFC 5480 §2.2 / SEC 1 §C.8), as Go's ecdsa.VerifyASN1 (used by cosign) demands.

const SEQUENCE = 0x30;
const INTEGER = 0x02;

interface Header {
  /** Offset of the content octets. */
  readonly start: number;
  readonly length: number;
}

/** Reads a definite, minimally encoded length header with tag `tag` at `offset`; undefined if malformed. */
function readHeader(bytes: Uint8Array, offset: number, tag: number): Header | undefined {
  if (bytes[offset] !== tag) return undefined;
  const first = bytes[offset + 1];
  if (first === undefined) return undefined;
  if (first < 0x80) return { start: offset + 2, length: first };
  const count = first & 0x7f;
  // Indefinite length (0x80) is BER only; four length octets already exceed anything read here.
  if (count === 0 || count > 3) return undefined;
  let length = 0;
  for (let i = 0; i < count; i++) {
    const b = bytes[offset + 2 + i];
    if (b === undefined) return undefined;
    if (i === 0 && b === 0) return undefined;
    length = length * 256 + b;
  }
  if (length < 0x80) return undefined;
  return { start: offset + 2 + count, length };
}

/** True if `bytes` is exactly one DER SEQUENCE: a well-formed header whose length covers the rest of the input. */
export function isSingleDerSequence(bytes: Uint8Array): boolean {
  return sequenceContent(bytes) !== undefined;
}

/** The content octets of `bytes` if it is exactly one DER SEQUENCE, else undefined. */
export function sequenceContent(bytes: Uint8Array): Uint8Array | undefined {
  const h = readHeader(bytes, 0, SEQUENCE);
  return h !== undefined && h.start + h.length === bytes.length ? bytes.subarray(h.start) : undefined;
}

/**
 * True if `sig` is SEQUENCE { INTEGER r, INTEGER s } in strict DER with r and s positive, minimally encoded
 * and at most `scalarBytes` long. Range checks against the group order are left to the verifier.
 */
export function isStrictEcdsaDerSignature(sig: Uint8Array, scalarBytes: number): boolean {
  const seq = readHeader(sig, 0, SEQUENCE);
  if (seq === undefined || seq.start + seq.length !== sig.length) return false;
  let offset = seq.start;
  for (let n = 0; n < 2; n++) {
    const int = readHeader(sig, offset, INTEGER);
    if (int === undefined || int.length === 0 || int.start + int.length > sig.length) return false;
    const lead = sig[int.start] as number;
    if (lead & 0x80) return false;
    let magnitude = int.length;
    if (lead === 0) {
      if (int.length === 1) return false;
      if (((sig[int.start + 1] as number) & 0x80) === 0) return false;
      magnitude--;
    }
    if (magnitude > scalarBytes) return false;
    offset = int.start + int.length;
  }
  return offset === sig.length;
}
