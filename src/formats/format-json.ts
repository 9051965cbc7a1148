// Reads untrusted JSON for one format: the strict core parser, with its failures (malformed text, duplicate
// keys, excessive depth) reported under the format's own code so callers switch on one code per format.
// The parser's code stays in `details.jsonCode` and the original error in `cause`.
import { ProvenantError, isProvenantError, type ErrorCode } from '../core/errors.js';
import { parseJsonObject, type JsonObject } from '../core/json.js';

export interface FormatJsonLimits {
  maxBytes: number;
  maxDepth?: number;
}

/** Errors: INPUT_TOO_LARGE (over maxBytes), else `code`. */
export function parseFormatJson(input: string | Uint8Array, code: ErrorCode, what: string, limits: FormatJsonLimits): JsonObject {
  if (input.length > limits.maxBytes) {
    throw new ProvenantError('INPUT_TOO_LARGE', `${what} is ${input.length} bytes, over the limit of ${limits.maxBytes}`, {
      details: { limit: limits.maxBytes },
    });
  }
  try {
    return parseJsonObject(input, what, { maxLength: limits.maxBytes, maxDepth: limits.maxDepth ?? 128 });
  } catch (cause) {
    if (isProvenantError(cause, 'INPUT_TOO_LARGE')) throw cause;
    const jsonCode = isProvenantError(cause) ? cause.code : 'JSON_MALFORMED';
    throw new ProvenantError(code, `${what} is not a well-formed JSON object`, { cause, details: { jsonCode } });
  }
}
