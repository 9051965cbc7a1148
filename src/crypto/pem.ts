// PEM text encoding (RFC 7468) for key files. Reading is strict: one block, nothing but whitespace around it,
// no headers, canonical standard base64. A key file that could be read two ways (two blocks, trailing text)
// is refused rather than guessed at.
import { ProvenantError } from '../core/errors.js';
import { encodeBase64 } from '../core/bytes.js';

/** Far above any key Provenant reads (an RSA-4096 PKCS#8 key is about 3.3 KiB of PEM). */
export const MAX_PEM_LENGTH = 64 * 1024;

export interface PemBlock {
  /** The label between "BEGIN " and the dashes, e.g. "PUBLIC KEY". */
  readonly label: string;
  /** The decoded body. */
  readonly der: Buffer;
}

// RFC 7468 §3 allows any printable label; the ones that name keys are upper-case words separated by one space.
const LABEL = '([A-Z0-9]+(?: [A-Z0-9]+)*)';
const BEGIN_RE = new RegExp(`^-----BEGIN ${LABEL}-----$`);
const END_RE = new RegExp(`^-----END ${LABEL}-----$`);
const BODY_LINE_RE = /^[A-Za-z0-9+/=]+$/;
const STD_BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const LINE_WIDTH = 64;

function malformed(message: string, details?: Record<string, unknown>): ProvenantError {
  return new ProvenantError('PEM_MALFORMED', message, details === undefined ? {} : { details });
}

/**
 * Reads the single PEM block of `text`. Errors: INPUT_TOO_LARGE above `maxLength`; PEM_MALFORMED when there is
 * no block, more than one, text outside it, headers, mismatched BEGIN/END labels or bad base64.
 */
export function readPem(text: string, maxLength = MAX_PEM_LENGTH): PemBlock {
  if (typeof text !== 'string') throw malformed('PEM input is not text');
  if (text.length > maxLength) {
    throw new ProvenantError('INPUT_TOO_LARGE', `PEM input is ${text.length} characters, over the limit of ${maxLength}`);
  }
  const lines = text.split('\n').map((line) => line.replace(/[ \t\r]+$/, ''));
  let i = 0;
  while (i < lines.length && lines[i] === '') i++;
  const begin = BEGIN_RE.exec(lines[i] ?? '');
  if (begin === null) throw malformed('no "-----BEGIN ...-----" line at the start of the PEM input', { line: i + 1 });
  const label = begin[1] as string;
  const body: string[] = [];
  for (i++; ; i++) {
    const line = lines[i];
    if (line === undefined) throw malformed(`PEM block "${label}" has no END line`);
    const end = END_RE.exec(line);
    if (end !== null) {
      if (end[1] !== label) throw malformed(`PEM block begins "${label}" but ends "${String(end[1])}"`, { line: i + 1 });
      break;
    }
    if (!BODY_LINE_RE.test(line)) throw malformed(`PEM block "${label}" has a line that is not base64`, { line: i + 1 });
    body.push(line);
  }
  for (i++; i < lines.length; i++) {
    if (lines[i] !== '') throw malformed('text follows the PEM block; a key file holds exactly one block', { line: i + 1 });
  }
  const joined = body.join('');
  if (joined.length === 0) throw malformed(`PEM block "${label}" is empty`);
  if (!STD_BASE64_RE.test(joined)) throw malformed(`PEM block "${label}" is not valid base64`);
  const der = Buffer.from(joined, 'base64');
  // Non-zero bits in the last character's padding would let two texts encode the same bytes.
  if (encodeBase64(der) !== joined) throw malformed(`PEM block "${label}" is not canonical base64`);
  return { label, der };
}

/** Encodes one PEM block with 64-character lines and a final newline, as Go's pem.EncodeToMemory does. */
export function writePem(label: string, der: Uint8Array): string {
  if (!new RegExp(`^${LABEL}$`).test(label)) throw new ProvenantError('INTERNAL', `invalid PEM label ${JSON.stringify(label)}`);
  const b64 = encodeBase64(der);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += LINE_WIDTH) lines.push(b64.slice(i, i + LINE_WIDTH));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
