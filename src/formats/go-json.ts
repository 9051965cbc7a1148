// JSON text byte-for-byte as Go's encoding/json (Go 1.22 and later) writes a value decoded into `any`:
// object keys sorted by their UTF-8 bytes, HTML-sensitive characters and U+2028/U+2029 escaped, \b and \f
// as short escapes, numbers in the ES6 shortest form (Go's float64 encoder follows it, except that it keeps
// the sign of -0). cosign marshals signed payloads with encoding/json, so bytes we sign must match it.
import { ProvenantError } from '../core/errors.js';
import type { JsonValue } from '../core/json.js';

const MAX_DEPTH = 64;
const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Go-compatible JSON for a JSON value. Throws PAYLOAD_MALFORMED for values Go could not round-trip. */
export function goJsonMarshal(value: JsonValue): string {
  return encode(value, 0);
}

/** Go's encoding of one string, for building struct output field by field. */
export function goJsonString(value: string): string {
  if (LONE_SURROGATE_RE.test(value)) {
    throw new ProvenantError('PAYLOAD_MALFORMED', 'a string with a lone surrogate has no UTF-8 form');
  }
  let out = '"';
  for (const ch of value) {
    out += escapeChar(ch);
  }
  return `${out}"`;
}

function escapeChar(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  switch (ch) {
    case '"':
      return '\\"';
    case '\\':
      return '\\\\';
    case '\b':
      return '\\b';
    case '\f':
      return '\\f';
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    case '<':
    case '>':
    case '&':
    case '\u2028':
    case '\u2029':
      return `\\u${code.toString(16).padStart(4, '0')}`;
  }
  return code < 0x20 ? `\\u${code.toString(16).padStart(4, '0')}` : ch;
}

function encode(value: JsonValue, depth: number): string {
  if (depth > MAX_DEPTH) throw new ProvenantError('JSON_TOO_DEEP', `value nests deeper than ${MAX_DEPTH} levels`);
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map((v) => encode(v, depth + 1)).join(',')}]`;
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new ProvenantError('PAYLOAD_MALFORMED', 'non-finite numbers have no JSON form');
      return Object.is(value, -0) ? '-0' : JSON.stringify(value);
    case 'string':
      return goJsonString(value);
    case 'object': {
      const keys = Object.keys(value).sort(compareUtf8);
      return `{${keys.map((k) => `${goJsonString(k)}:${encode(value[k] as JsonValue, depth + 1)}`).join(',')}}`;
    }
  }
  // Reached only when a caller smuggles a non-JSON value (undefined, a function) past the types.
  throw new ProvenantError('PAYLOAD_MALFORMED', `a ${typeof value} has no JSON form`);
}

/** Byte order of the UTF-8 encodings, which differs from UTF-16 order above U+FFFF. */
function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
