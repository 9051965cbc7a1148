// Strict reading of one JSON object of an entry or predicate: the set of fields is closed (an unknown field is
// refused, so two readers can never disagree about what was signed), and each field has one type and range.
import { isDigest, type Digest } from '../../core/digest.js';
import { ProvenantError } from '../../core/errors.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../core/json.js';

export type ShapeCode = 'ENTRY_MALFORMED' | 'PREDICATE_MALFORMED' | 'STATEMENT_MALFORMED';

// RFC 3339 §5.6 date-time restricted to UTC ("Z") and upper-case separators, so one instant has few spellings.
const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?Z$/;
// Text fields hold no control characters: they are shown in terminals by `history`.
const CONTROL_RE = /\p{Cc}/u;

export class StrictObject {
  private constructor(
    readonly fields: JsonObject,
    readonly what: string,
    readonly code: ShapeCode,
  ) {}

  /** Requires an object holding every `required` field and nothing outside `required` and `optional`. */
  static read(value: unknown, what: string, code: ShapeCode, required: readonly string[], optional: readonly string[] = []): StrictObject {
    if (!isJsonObject(value)) throw new ProvenantError(code, `${what} must be a JSON object`);
    for (const key of Object.keys(value)) {
      if (!required.includes(key) && !optional.includes(key)) {
        throw new ProvenantError(code, `${what} has an unknown field ${JSON.stringify(key)}`, { details: { field: key } });
      }
    }
    for (const key of required) {
      if (!Object.hasOwn(value, key)) throw new ProvenantError(code, `${what} lacks the field ${JSON.stringify(key)}`, { details: { field: key } });
    }
    return new StrictObject(value, what, code);
  }

  has(key: string): boolean {
    return Object.hasOwn(this.fields, key);
  }

  raw(key: string): JsonValue | undefined {
    return this.has(key) ? this.fields[key] : undefined;
  }

  object(key: string): JsonObject {
    const value = this.raw(key);
    if (!isJsonObject(value)) this.fail(key, 'must be a JSON object');
    return value;
  }

  array(key: string, minItems: number, maxItems: number): JsonValue[] {
    const value = this.raw(key);
    if (!Array.isArray(value)) this.fail(key, 'must be an array');
    if (value.length < minItems || value.length > maxItems) this.fail(key, `must have ${minItems} to ${maxItems} items`);
    return value;
  }

  /** A string of minLength..maxLength UTF-16 units without control characters. */
  string(key: string, maxLength: number, minLength = 1, pattern?: RegExp): string {
    const value = this.raw(key);
    if (typeof value !== 'string') this.fail(key, 'must be a string');
    if (value.length < minLength || value.length > maxLength) this.fail(key, `must be ${minLength} to ${maxLength} characters`);
    if (CONTROL_RE.test(value)) this.fail(key, 'must not contain control characters');
    if (pattern !== undefined && !pattern.test(value)) this.fail(key, `must match ${String(pattern)}`);
    return value;
  }

  optionalString(key: string, maxLength: number, pattern?: RegExp): string | undefined {
    return this.has(key) ? this.string(key, maxLength, 1, pattern) : undefined;
  }

  literal<T extends string>(key: string, values: readonly T[]): T {
    const value = this.raw(key);
    if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
      this.fail(key, `must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}`);
    }
    return value as T;
  }

  digest(key: string): Digest {
    const value = this.raw(key);
    if (!isDigest(value)) this.fail(key, 'must be sha256:<64 lowercase hex>');
    return value;
  }

  nullableDigest(key: string): Digest | null {
    return this.raw(key) === null ? null : this.digest(key);
  }

  integer(key: string, min: number, max: number): number {
    const value = this.raw(key);
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
      this.fail(key, `must be an integer from ${min} to ${max}`);
    }
    return value;
  }

  optionalInteger(key: string, min: number, max: number): number | undefined {
    return this.has(key) ? this.integer(key, min, max) : undefined;
  }

  optionalNumber(key: string, min: number, max: number): number | undefined {
    if (!this.has(key)) return undefined;
    const value = this.raw(key);
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) this.fail(key, `must be a number from ${min} to ${max}`);
    return value;
  }

  /** An RFC 3339 UTC timestamp naming a real calendar instant (no 30 February, no leap second). */
  timestamp(key: string): string {
    const value = this.string(key, 40);
    if (!isUtcTimestamp(value)) this.fail(key, 'must be an RFC 3339 UTC timestamp such as 2025-01-31T12:00:00Z');
    return value;
  }

  fail(key: string, message: string): never {
    throw new ProvenantError(this.code, `${this.what}: ${key} ${message}`, { details: { field: key } });
  }
}

export function isUtcTimestamp(value: string): boolean {
  const m = TIMESTAMP_RE.exec(value);
  if (m === null) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const daysInMonth = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  return day <= daysInMonth;
}
