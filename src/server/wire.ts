// Wire shapes shared by the routes: JSON schema fragments for what the API passes as strings (indices and sizes as
// decimal strings, hashes as lowercase hex, digests) and their conversion. Numbers in query strings and paths are
// matched by a pattern and converted here, never coerced by the validator: "12abc" or "1e3" is not an index.
import { ProvenantError } from '../core/errors.js';
import { MAX_U64 } from '../merkle/index.js';

/** An unsigned 64-bit integer in decimal, no sign or leading zeros. */
export const decimalSchema = { type: 'string', pattern: '^(0|[1-9][0-9]{0,19})$', maxLength: 20 } as const;
export const hexHashSchema = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;
export const digestSchema = { type: 'string', pattern: '^sha256:[0-9a-f]{64}$' } as const;
export const base64Schema = { type: 'string', contentEncoding: 'base64' } as const;

export function describe<T extends object>(schema: T, description: string): T & { description: string } {
  return { ...schema, description };
}

/** Converts a decimal string the schema admitted; values above 2^64 - 1 are refused. */
export function parseU64(value: string, what: string): bigint {
  if (!/^(0|[1-9][0-9]{0,19})$/.test(value)) {
    throw new ProvenantError('SCHEMA_INVALID', `${what} must be a decimal integer`, { details: { [what]: value } });
  }
  const n = BigInt(value);
  if (n > MAX_U64) throw new ProvenantError('SCHEMA_INVALID', `${what} is above 2^64 - 1`, { details: { [what]: value } });
  return n;
}

export function optionalU64(value: string | undefined, what: string): bigint | undefined {
  return value === undefined ? undefined : parseU64(value, what);
}

/** Query string schema: only the listed parameters, each given once (a repeated one arrives as an array). */
export function querySchema(properties: Record<string, object>, required: readonly string[] = []): Record<string, unknown> {
  return { type: 'object', additionalProperties: false, properties, required: [...required] };
}

export function paramsSchema(properties: Record<string, object>): Record<string, unknown> {
  return { type: 'object', additionalProperties: false, properties, required: Object.keys(properties) };
}
