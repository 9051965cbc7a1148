// Arguments of `provenant serve`: the listen address, positive numbers, the registry map and the policy engine's options.
import { ProvenantError } from '../core/errors.js';
import type { Verifier } from '../crypto/index.js';
import type { PolicySet } from '../policy/policy.js';
import { loadVerifierFiles } from './options.js';

/** "host:port", "[v6]:port", ":port" (loopback) or "port". Errors: USAGE. */
export function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]*)):([0-9]{1,5})$/.exec(value) ?? /^()()([0-9]{1,5})$/.exec(value);
  const port = m === null ? NaN : Number(m[3]);
  if (m === null || !Number.isInteger(port) || port > 65535) {
    throw new ProvenantError('USAGE', `--listen ${JSON.stringify(value)} is not host:port (e.g. 127.0.0.1:8080, [::1]:8080, 0.0.0.0:8080)`);
  }
  const host = m[1] ?? m[2] ?? '';
  return { host: host === '' ? '127.0.0.1' : host, port };
}

/** A positive integer option (or zero, when `zeroAllowed`). Errors: USAGE. */
export function parsePositive(value: string, what: string, zeroAllowed = false): number {
  const n = /^[0-9]{1,15}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < (zeroAllowed ? 0 : 1)) {
    throw new ProvenantError('USAGE', `${what} must be a ${zeroAllowed ? 'non-negative' : 'positive'} integer, not ${JSON.stringify(value)}`);
  }
  return n;
}

/** Repeated HOST=URL into a map; the ingest checks each URL. Errors: USAGE. */
export function parseRegistryMap(values: readonly string[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq <= 0 || eq === value.length - 1) throw new ProvenantError('USAGE', `--registry ${JSON.stringify(value)} is not HOST=URL`);
    const host = value.slice(0, eq).toLowerCase();
    if (Object.hasOwn(map, host)) throw new ProvenantError('USAGE', `--registry names ${host} twice`);
    map[host] = value.slice(eq + 1);
  }
  return map;
}

/** The policy engine flags of `provenant serve`, as commander gives them. */
export interface PolicyEngineFlags {
  policyKey?: string[];
  reputationKey?: string[];
  unmatched: string;
  reevaluateInterval: string;
  admissionBudget: string;
  failurePolicy: string;
  pinDigests?: boolean;
}

/** The policy engine options of `provenant serve`. Errors: USAGE, key file errors. */
export async function policyEngineArgs(opts: PolicyEngineFlags): Promise<{
  policyKeys: Verifier[];
  reputationKeys: Verifier[];
  noMatch: PolicySet['noMatch'];
  reevaluateIntervalMs: number;
  admission: { budgetMs: number; failurePolicy: 'fail' | 'ignore'; pinDigests: boolean };
}> {
  if (opts.unmatched !== 'allow' && opts.unmatched !== 'warn' && opts.unmatched !== 'deny') {
    throw new ProvenantError('USAGE', `--unmatched must be allow, warn or deny, not ${JSON.stringify(opts.unmatched)}`);
  }
  if (opts.failurePolicy !== 'fail' && opts.failurePolicy !== 'ignore') throw new ProvenantError('USAGE', '--failure-policy must be fail or ignore');
  return {
    admission: { budgetMs: parsePositive(opts.admissionBudget, '--admission-budget'), failurePolicy: opts.failurePolicy, pinDigests: opts.pinDigests === true },
    policyKeys: opts.policyKey === undefined ? [] : await loadVerifierFiles(opts.policyKey),
    reputationKeys: opts.reputationKey === undefined ? [] : await loadVerifierFiles(opts.reputationKey),
    noMatch: opts.unmatched,
    reevaluateIntervalMs: parsePositive(opts.reevaluateInterval, '--reevaluate-interval', true) * 1000,
  };
}
