// The free-form part of the record (`--build-env FILE`). It is published as given, so it is bounded and
// scanned: it may not carry a credential-shaped string, nor the value of an environment variable that the
// rest of the record keeps secret, written as is, in base64 (standard or URL alphabet) or in hex. The scan
// catches accidents (a file generated from `env`, a script that interpolated $NPM_TOKEN); it cannot stop
// someone who encodes a value on purpose, and values too short to tell apart from ordinary words are not
// searched for. See docs/build-environment.md.
import { ProvenantError } from '../../core/errors.js';
import { canonicalJson, isJsonObject, type JsonObject, type JsonValue } from '../../core/json.js';
import type { Env } from './ci.js';
import { looksSecret, MIN_SECRET_VALUE, scrubSecrets } from './secrets.js';

export const MAX_EXTRA_BYTES = 64 * 1024;
export const MAX_EXTRA_DEPTH = 16;
/** Shortest value searched for among the variables that do not look secret ("true", "main", "1" are everywhere). */
const MIN_OTHER_VALUE = 8;

/**
 * A validated copy of `extra`. `disclosed` is the text the record publishes anyway; a variable whose value
 * appears in it reveals nothing new by appearing in `extra` too.
 * Errors: SCHEMA_INVALID, JSON_TOO_DEEP, INPUT_TOO_LARGE, JSON_MALFORMED (not canonicalisable), BUILD_ENV_SECRET.
 */
export function checkExtra(extra: unknown, env: Env, allowInClear: ReadonlySet<string>, disclosed: string): JsonObject {
  if (!isJsonObject(extra)) throw new ProvenantError('SCHEMA_INVALID', 'the build environment file must hold a JSON object');
  const text = canonicalJson(extra);
  if (Buffer.byteLength(text, 'utf8') > MAX_EXTRA_BYTES) {
    throw new ProvenantError('INPUT_TOO_LARGE', `the build environment file is over the limit of ${MAX_EXTRA_BYTES} bytes`);
  }
  const strings: string[] = [];
  collectStrings(extra, 1, strings);
  strings.forEach((s, index) => {
    if (scrubSecrets(s) !== s) {
      throw new ProvenantError('BUILD_ENV_SECRET', 'the build environment file holds a string shaped like a credential', {
        details: { reason: 'credential-shaped', string: index },
      });
    }
  });
  const haystack = strings.join('\n');
  const haystackLower = haystack.toLowerCase();
  for (const [name, value] of env) {
    if (allowInClear.has(name) || value.length < (looksSecret(name, value) ? MIN_SECRET_VALUE : MIN_OTHER_VALUE)) continue;
    if (disclosed.includes(value)) continue;
    const encoding = findEncoded(value, haystack, haystackLower);
    if (encoding !== undefined) {
      throw new ProvenantError('BUILD_ENV_SECRET', `the build environment file holds the value of ${name}, which is not allow-listed (--env)`, {
        details: { reason: 'environment-value', variable: name, encoding },
      });
    }
  }
  return JSON.parse(text) as JsonObject;
}

function findEncoded(value: string, haystack: string, haystackLower: string): string | undefined {
  const bytes = Buffer.from(value, 'utf8');
  if (haystack.includes(value)) return 'plain';
  if (haystack.includes(unpadded(bytes.toString('base64')))) return 'base64';
  if (haystack.includes(unpadded(bytes.toString('base64url')))) return 'base64url';
  if (haystackLower.includes(bytes.toString('hex'))) return 'hex';
  return undefined;
}

function unpadded(b64: string): string {
  return b64.replace(/=+$/, '');
}

/** Keys and string values; `depth` counts the objects and arrays around `value`, itself included. */
function collectStrings(value: JsonValue, depth: number, out: string[]): void {
  if (typeof value === 'string') {
    out.push(value);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (depth > MAX_EXTRA_DEPTH) {
    throw new ProvenantError('JSON_TOO_DEEP', `the build environment file nests deeper than ${MAX_EXTRA_DEPTH} levels`);
  }
  if (Array.isArray(value)) {
    for (const item of value) collectStrings(item, depth + 1, out);
  } else {
    for (const [key, member] of Object.entries(value)) {
      out.push(key);
      collectStrings(member, depth + 1, out);
    }
  }
}
