// The authorities of a ClusterImagePolicy as one rule. Authorities are alternatives (the policy passes when any
// one is satisfied), and the rule kinds are conjunctions, so only the simple case has a kind of its own: when every
// authority is a key or keyless identity without attestations, "any one of them signed" is a `signature` rule with
// count 1. Otherwise the alternatives become a CEL expression over the `signatures` and `attestations` variables
// (src/policy/cel-program.ts), reading only keyId, issuer, subject, predicateType and revoked, where absent
// identity parts are "" (src/policy/evaluate/cel-facts.ts). Revoked signatures and attestations never count, as
// in the signature rule.
import { compileCel } from '../cel-program.js';
import type { Rule, SignerMatcher } from '../policy.js';
import { rethrowAt, type Spot } from './failure.js';

export type Authority =
  | { readonly kind: 'static'; readonly name: string; readonly pass: boolean; readonly message?: string }
  | {
      readonly kind: 'signers';
      readonly name: string;
      /** One key, or the identities of one keyless authority (any of them). */
      readonly signers: readonly SignerMatcher[];
      /** Each needs an attestation of that type by one of `signers`; empty: a signature is enough. */
      readonly predicateTypes: readonly string[];
    };

/** The name of the one rule a ClusterImagePolicy maps to. */
export const AUTHORITIES_RULE = 'authorities';

export function authoritiesRule(authorities: readonly Authority[], at: Spot): Rule {
  const plain: SignerMatcher[] = [];
  for (const a of authorities) {
    if (a.kind !== 'signers' || a.predicateTypes.length > 0) return expressionRule(authorities, at);
    plain.push(...a.signers);
  }
  return { kind: 'signature', name: AUTHORITIES_RULE, action: 'deny', signers: plain, count: 1 };
}

function expressionRule(authorities: readonly Authority[], at: Spot): Rule {
  const source = authorities.map(authorityCel).join(' || ');
  let program;
  try {
    program = compileCel(source);
  } catch (e) {
    return rethrowAt(at, e);
  }
  const messages = authorities.map((a) => (a.kind === 'static' && !a.pass ? (a.message ?? 'disallowed by static policy') : undefined));
  const allFail = messages.every((m) => m !== undefined);
  return { kind: 'expression', name: AUTHORITIES_RULE, action: 'deny', program, ...(allFail ? { message: messages.join('; ') } : {}) };
}

/** The CEL condition one authority is satisfied by. */
export function authorityCel(authority: Authority): string {
  switch (authority.kind) {
    case 'static':
      return authority.pass ? 'true' : 'false';
    case 'signers': {
      const by = (v: string): string => `(${authority.signers.map((m) => signerCel(m, v)).join(' || ')})`;
      if (authority.predicateTypes.length === 0) return `signatures.exists(s, !s.revoked && ${by('s')})`;
      const each = authority.predicateTypes.map((t) => `attestations.exists(a, !a.revoked && a.predicateType == ${celString(t)} && ${by('a')})`);
      return `(${each.join(' && ')})`;
    }
  }
}

function signerCel(matcher: SignerMatcher, v: string): string {
  switch (matcher.kind) {
    case 'key':
      return `${v}.keyId == ${celString(matcher.keyId)}`;
    case 'identity': {
      const issuer = partCel(`${v}.issuer`, matcher.issuer, matcher.issuerRegExp);
      const subject = partCel(`${v}.subject`, matcher.subject, matcher.subjectRegExp);
      return `(${issuer} && ${subject})`;
    }
  }
}

// As signer-match.ts partMatches: an identity part never matches an empty value, constrained or not.
function partCel(field: string, exact: string | undefined, pattern: RegExp | undefined): string {
  const checks = [`${field} != ""`];
  if (exact !== undefined) checks.push(`${field} == ${celString(exact)}`);
  // The source is already anchored ^(?:...)$; CEL's matches() is RE2, as policy-controller's Go regexp.
  if (pattern !== undefined) checks.push(`${field}.matches(${celString(pattern.source)})`);
  return checks.join(' && ');
}

// JSON string escapes (\" \\ \n \t \uXXXX ...) are all CEL string escapes too (cel-spec, "String and Bytes Values").
function celString(text: string): string {
  return JSON.stringify(text);
}
