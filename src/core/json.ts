// JSON in and out. Input is attacker-controlled almost everywhere (payloads, manifests, bodies), so parsing
// is strict: duplicate keys are refused (two parsers could otherwise read two different documents from the
// same signed bytes), nesting depth and size are bounded, and `__proto__` is an ordinary key.
// Output for anything that is hashed or signed is canonical (RFC 8785, JSON Canonicalization Scheme).
import { ProvenantError } from './errors.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface ParseLimits {
  /** Maximum nesting of arrays and objects. */
  maxDepth?: number;
  /** Maximum input length in UTF-16 code units. */
  maxLength?: number;
}

const DEFAULT_MAX_DEPTH = 128;
const DEFAULT_MAX_LENGTH = 64 * 1024 * 1024;

/** Parses JSON text (or UTF-8 bytes) strictly. Errors: JSON_MALFORMED, JSON_DUPLICATE_KEY, JSON_TOO_DEEP, INPUT_TOO_LARGE. */
export function parseJson(input: string | Uint8Array, what = 'JSON', limits: ParseLimits = {}): JsonValue {
  const text = typeof input === 'string' ? input : decodeUtf8(input, what);
  const maxLength = limits.maxLength ?? DEFAULT_MAX_LENGTH;
  if (text.length > maxLength) {
    throw new ProvenantError('INPUT_TOO_LARGE', `${what} is ${text.length} characters, over the limit of ${maxLength}`);
  }
  return new Parser(text, what, limits.maxDepth ?? DEFAULT_MAX_DEPTH).parseDocument();
}

/** Parses and requires a JSON object at the top. */
export function parseJsonObject(input: string | Uint8Array, what = 'JSON', limits: ParseLimits = {}): JsonObject {
  const value = parseJson(input, what, limits);
  if (!isJsonObject(value)) throw new ProvenantError('JSON_MALFORMED', `${what} must be a JSON object`);
  return value;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (cause) {
    throw new ProvenantError('JSON_MALFORMED', `${what} is not valid UTF-8`, { cause });
  }
}

const NUMBER_RE = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

class Parser {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly what: string,
    private readonly maxDepth: number,
  ) {}

  parseDocument(): JsonValue {
    this.skipWhitespace();
    const value = this.parseValue(0);
    this.skipWhitespace();
    if (this.pos !== this.text.length) this.fail('unexpected data after the JSON value');
    return value;
  }

  private parseValue(depth: number): JsonValue {
    const ch = this.text[this.pos];
    if (ch === '{') return this.parseObject(depth + 1);
    if (ch === '[') return this.parseArray(depth + 1);
    if (ch === '"') return this.parseString();
    if (ch === 't') return this.literal('true', true);
    if (ch === 'f') return this.literal('false', false);
    if (ch === 'n') return this.literal('null', null);
    if (ch === undefined) return this.fail('unexpected end of input');
    return this.parseNumber();
  }

  private checkDepth(depth: number): void {
    if (depth > this.maxDepth) {
      throw new ProvenantError('JSON_TOO_DEEP', `${this.what} nests deeper than ${this.maxDepth} levels`, {
        details: { offset: this.pos },
      });
    }
  }

  private parseObject(depth: number): JsonObject {
    this.checkDepth(depth);
    this.pos++;
    const out: JsonObject = {};
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text.charCodeAt(this.pos) !== 0x22) this.fail('expected a string key');
      const keyOffset = this.pos;
      const key = this.parseString();
      // `out` starts empty and "__proto__" is made an own property, so an own property is a key seen before.
      if (Object.prototype.hasOwnProperty.call(out, key)) {
        throw new ProvenantError('JSON_DUPLICATE_KEY', `${this.what} repeats the key ${JSON.stringify(key)}`, {
          details: { key, offset: keyOffset },
        });
      }
      this.skipWhitespace();
      if (this.text.charCodeAt(this.pos) !== 0x3a) this.fail('expected ":"');
      this.pos++;
      this.skipWhitespace();
      setMember(out, key, this.parseValue(depth));
      this.skipWhitespace();
      const next = this.text.charCodeAt(this.pos);
      this.pos++;
      if (next === 0x7d) break;
      if (next !== 0x2c) this.fail('expected "," or "}"', this.pos - 1);
    }
    return out;
  }

  private parseArray(depth: number): JsonValue[] {
    this.checkDepth(depth);
    this.pos++;
    const out: JsonValue[] = [];
    this.skipWhitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipWhitespace();
      out.push(this.parseValue(depth));
      this.skipWhitespace();
      const next = this.text[this.pos];
      this.pos++;
      if (next === ']') return out;
      if (next !== ',') this.fail('expected "," or "]"', this.pos - 1);
    }
  }

  private parseString(): string {
    const start = ++this.pos;
    // Most strings have no escape: one search for the closing quote and one check of what lies between.
    const end = this.text.indexOf('"', start);
    if (end >= 0) {
      const plain = this.text.slice(start, end);
      if (!PLAIN_STRING_BREAK_RE.test(plain)) {
        this.pos = end + 1;
        return plain;
      }
    }
    let out = '';
    let chunkStart = start;
    for (;;) {
      const code = this.text.charCodeAt(this.pos);
      if (Number.isNaN(code)) this.fail('unterminated string', start - 1);
      if (code === 0x22) {
        out += this.text.slice(chunkStart, this.pos);
        this.pos++;
        return out;
      }
      if (code < 0x20) this.fail('control character in string');
      if (code === 0x5c) {
        out += this.text.slice(chunkStart, this.pos);
        const esc = this.text[this.pos + 1];
        if (esc === 'u') {
          const hex = this.text.slice(this.pos + 2, this.pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('bad \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          this.pos += 6;
        } else {
          const decoded = esc === undefined ? undefined : ESCAPES[esc];
          if (decoded === undefined) this.fail('bad escape');
          out += decoded;
          this.pos += 2;
        }
        chunkStart = this.pos;
        continue;
      }
      this.pos++;
    }
  }

  private parseNumber(): number {
    NUMBER_RE.lastIndex = this.pos;
    const m = NUMBER_RE.exec(this.text);
    if (m === null || m[0].length === 0) this.fail('unexpected character');
    this.pos += m[0].length;
    const value = Number(m[0]);
    if (!Number.isFinite(value)) this.fail('number out of range', this.pos - m[0].length);
    return value;
  }

  private literal<T extends JsonValue>(word: string, value: T): T {
    if (this.text.startsWith(word, this.pos)) {
      this.pos += word.length;
      return value;
    }
    return this.fail('unexpected character');
  }

  private skipWhitespace(): void {
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else return;
    }
  }

  private fail(reason: string, offset = this.pos): never {
    const { line, column } = lineAndColumn(this.text, offset);
    throw new ProvenantError('JSON_MALFORMED', `${this.what} is not valid JSON: ${reason} at line ${line} column ${column}`, {
      details: { offset, line, column },
    });
  }
}

/** Assigns a member; "__proto__" becomes an own data property instead of replacing the prototype. */
function setMember(target: JsonObject, key: string, value: JsonValue): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * RFC 8785 canonical JSON: object members sorted by the UTF-16 code units of their names, no whitespace,
 * numbers in ECMAScript shortest form, strings with the minimal JSON escapes. Lone surrogates and
 * non-finite numbers cannot be canonicalised and are refused.
 */
export function canonicalJson(value: unknown): string {
  return canonicalize(value, 0);
}

export function canonicalJsonBytes(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8');
}

/** An object's canonical members (`"key":value`), in canonical key order, to be joined again with others. */
export type CanonicalMembers = readonly (readonly [key: string, member: string])[];

export function canonicalMembers(value: Readonly<Record<string, unknown>>): CanonicalMembers {
  return Object.keys(value)
    .filter((k) => value[k] !== undefined)
    .sort()
    .map((k) => [k, `${canonicalize(k, 0)}:${canonicalize(value[k], 1)}`] as const);
}

/**
 * The canonical JSON of the object `members` came from with `extra`'s members added (or replacing those of the same
 * key; an undefined one is left out, as canonicalJson leaves it out): the same text as canonicalJson of the merged
 * object, without serialising the known members again.
 */
export function canonicalJsonWith(members: CanonicalMembers, extra: Readonly<Record<string, unknown>>): string {
  const more = canonicalMembers(extra);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < members.length || j < more.length) {
    const a = members[i];
    const b = more[j];
    if (b === undefined || (a !== undefined && a[0] < b[0])) {
      out.push(a![1]);
      i++;
    } else {
      if (a !== undefined && a[0] === b[0]) i++;
      out.push(b[1]);
      j++;
    }
  }
  return `{${out.join(',')}}`;
}

/** What a string needs the careful path for: an escape or a control character. */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const PLAIN_STRING_BREAK_RE = /[\\\u0000-\u001f]/;

const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function canonicalize(value: unknown, depth: number): string {
  if (depth > DEFAULT_MAX_DEPTH) throw new ProvenantError('JSON_TOO_DEEP', 'value nests too deeply to canonicalise');
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new ProvenantError('JSON_MALFORMED', 'non-finite number cannot be canonical JSON');
      return JSON.stringify(value);
    case 'string':
      if (LONE_SURROGATE_RE.test(value)) throw new ProvenantError('JSON_MALFORMED', 'string with a lone surrogate cannot be canonical JSON');
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => canonicalize(v, depth + 1)).join(',')}]`;
      const entries = Object.keys(value as object)
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .sort()
        .map((k) => `${canonicalize(k, depth)}:${canonicalize((value as Record<string, unknown>)[k], depth + 1)}`);
      return `{${entries.join(',')}}`;
    }
    case 'undefined':
    case 'bigint':
    case 'function':
    case 'symbol':
      break;
  }
  throw new ProvenantError('JSON_MALFORMED', `a ${typeof value} cannot be canonical JSON`);
}
