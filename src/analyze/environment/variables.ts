// The environment record: every variable by name, its value only as a salted HMAC, a few allow-listed
// values in clear. The salt is published so that someone who already holds a value can check it; that also
// means a value from a small set (a dictionary password, a PIN) could be found by trying candidates, so
// secret-looking variables get no hash at all. See docs/build-environment.md.
import { createHmac } from 'node:crypto';
import type { Digest } from '../../core/digest.js';
import { sha256Digest } from '../../core/digest.js';
import { ProvenantError } from '../../core/errors.js';
import { canonicalJson } from '../../core/json.js';
import { isSecretName, looksSecret, secretValues } from './secrets.js';
import type { Env } from './ci.js';
import { ascending } from '../../core/order.js';

export const SALT_BYTES = 32;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_CLEAR_VALUE = 4096;

export type VariableRecord = { name: string; sha256: string } | { name: string; withheld: true };

export type EnvironmentRecord = {
  /** Hex of the 32-byte HMAC key. */
  salt: string;
  /** Every variable, sorted by name (UTF-16 code units, as RFC 8785 sorts). */
  variables: VariableRecord[];
  /** Values of allow-listed variables that are set. */
  clear: Record<string, string>;
  /** sha256 of the RFC 8785 canonical JSON of `variables`. */
  digest: Digest;
};

/** hex(HMAC-SHA256(salt, UTF-8 of `name=value`)): what a verifier holding `value` recomputes. */
export function variableHmac(salt: Uint8Array, name: string, value: string): string {
  return createHmac('sha256', salt).update(`${name}=${value}`, 'utf8').digest('hex');
}

/** Checks the --env names. Errors: USAGE (not a variable name), ENV_SECRET_REFUSED (a secret-looking name). */
export function checkAllowList(names: readonly string[]): Set<string> {
  for (const name of names) {
    if (!ENV_NAME.test(name)) {
      throw new ProvenantError('USAGE', `--env ${JSON.stringify(name)} is not an environment variable name`, { details: { name } });
    }
    if (isSecretName(name)) {
      throw new ProvenantError('ENV_SECRET_REFUSED', `${name} looks like a secret and is never recorded in clear`, {
        details: { variable: name, reason: 'name' },
      });
    }
  }
  return new Set(names);
}

/**
 * Errors: INTERNAL (salt not 32 bytes), INPUT_TOO_LARGE, ENV_SECRET_REFUSED (an allow-listed value is
 * credential-shaped or contains the value of a secret-looking variable).
 */
export function environmentRecord(env: Env, salt: Uint8Array, allowInClear: ReadonlySet<string>): EnvironmentRecord {
  if (salt.length !== SALT_BYTES) {
    throw new ProvenantError('INTERNAL', `the environment salt must be ${SALT_BYTES} bytes, got ${salt.length}`);
  }
  const names = [...env.keys()].sort(ascending);
  const variables: VariableRecord[] = names.map((name) => {
    const value = env.get(name) ?? '';
    return looksSecret(name, value) ? { name, withheld: true } : { name, sha256: variableHmac(salt, name, value) };
  });
  const secrets = secretValues(env);
  const clear: [string, string][] = [];
  for (const name of [...allowInClear].sort(ascending)) {
    const value = env.get(name);
    if (value === undefined) continue;
    if (looksSecret(name, value)) {
      throw new ProvenantError('ENV_SECRET_REFUSED', `the value of ${name} looks like it holds a credential; it is not recorded in clear`, {
        details: { variable: name, reason: 'value' },
      });
    }
    const holds = secrets.find((secret) => value.includes(secret.value));
    if (holds !== undefined) {
      throw new ProvenantError('ENV_SECRET_REFUSED', `the value of ${name} contains the value of ${holds.name}; it is not recorded in clear`, {
        details: { variable: name, reason: 'holds-secret', secretVariable: holds.name },
      });
    }
    if (value.length > MAX_CLEAR_VALUE) {
      throw new ProvenantError('INPUT_TOO_LARGE', `${name} is ${value.length} characters, over the limit of ${MAX_CLEAR_VALUE} for a value in clear`, {
        details: { variable: name },
      });
    }
    clear.push([name, value]);
  }
  return {
    salt: Buffer.from(salt).toString('hex'),
    variables,
    clear: Object.fromEntries(clear),
    digest: sha256Digest(canonicalJson(variables)),
  };
}
