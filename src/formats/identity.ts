// The keyless identity policy of cosign's --certificate-identity[-regexp] and
// --certificate-oidc-issuer[-regexp]. Exact values must match exactly. Regular expressions must match the
// whole value: cosign's Go regexp.MatchString is unanchored, so "alice@example\.com" would accept
// "evil-alice@example.com.attacker"; here every pattern is wrapped as ^(?:pattern)$.
import { ProvenantError } from '../core/errors.js';

export interface IdentityPolicy {
  certificateIdentity?: string;
  certificateIdentityRegexp?: string;
  certificateOidcIssuer?: string;
  certificateOidcIssuerRegexp?: string;
}

/** What a verified Fulcio certificate says about its subject. */
export interface SignerIdentity {
  subjectAlternativeName: string | undefined;
  issuer: string | undefined;
}

export interface IdentityMatcher {
  /** Throws IDENTITY_MISMATCH unless both the SAN and the issuer satisfy the policy. */
  check(identity: SignerIdentity): void;
}

const MAX_PATTERN_CHARS = 1024;
const MAX_VALUE_CHARS = 4096;

type ValueMatcher = (value: string) => boolean;

export function isIdentityPolicyEmpty(policy: IdentityPolicy | undefined): boolean {
  return (
    policy === undefined ||
    (policy.certificateIdentity === undefined &&
      policy.certificateIdentityRegexp === undefined &&
      policy.certificateOidcIssuer === undefined &&
      policy.certificateOidcIssuerRegexp === undefined)
  );
}

/**
 * Compiles a policy that names exactly one of identity / identity-regexp and exactly one of issuer /
 * issuer-regexp (an unconstrained issuer would accept any OIDC provider's account of the same name).
 * Errors: USAGE for a missing or doubled constraint or an invalid regular expression.
 */
export function compileIdentityPolicy(policy: IdentityPolicy): IdentityMatcher {
  const san = valueMatcher(policy.certificateIdentity, policy.certificateIdentityRegexp, 'certificate-identity');
  const issuer = valueMatcher(policy.certificateOidcIssuer, policy.certificateOidcIssuerRegexp, 'certificate-oidc-issuer');
  return {
    check(identity: SignerIdentity): void {
      if (!matches(san, identity.subjectAlternativeName)) {
        throw new ProvenantError('IDENTITY_MISMATCH', `certificate identity ${JSON.stringify(identity.subjectAlternativeName ?? null)} does not match the policy`, {
          details: { subjectAlternativeName: identity.subjectAlternativeName ?? null },
        });
      }
      if (!matches(issuer, identity.issuer)) {
        throw new ProvenantError('IDENTITY_MISMATCH', `certificate OIDC issuer ${JSON.stringify(identity.issuer ?? null)} does not match the policy`, {
          details: { issuer: identity.issuer ?? null },
        });
      }
    },
  };
}

function matches(matcher: ValueMatcher, value: string | undefined): boolean {
  return value !== undefined && value.length > 0 && value.length <= MAX_VALUE_CHARS && matcher(value);
}

function valueMatcher(exact: string | undefined, pattern: string | undefined, flag: string): ValueMatcher {
  if (exact !== undefined && pattern !== undefined) {
    throw new ProvenantError('USAGE', `give either --${flag} or --${flag}-regexp, not both`);
  }
  if (exact !== undefined) {
    if (exact.length === 0) throw new ProvenantError('USAGE', `--${flag} must not be empty`);
    return (value) => value === exact;
  }
  if (pattern !== undefined) {
    const re = anchoredRegExp(pattern, `--${flag}-regexp`);
    return (value) => re.test(value);
  }
  throw new ProvenantError('USAGE', `keyless verification needs --${flag} or --${flag}-regexp`);
}

/**
 * ^(?:pattern)$ after checking that the pattern compiles on its own: a pattern such as "a)|(b" would
 * otherwise close the wrapping group and escape the anchors.
 */
export function anchoredRegExp(pattern: string, what = 'pattern'): RegExp {
  if (pattern.length === 0 || pattern.length > MAX_PATTERN_CHARS) {
    throw new ProvenantError('USAGE', `${what} must be 1 to ${MAX_PATTERN_CHARS} characters`);
  }
  try {
    new RegExp(pattern);
    return new RegExp(`^(?:${pattern})$`);
  } catch (cause) {
    throw new ProvenantError('USAGE', `${what} is not a valid regular expression`, { cause, details: { pattern } });
  }
}
