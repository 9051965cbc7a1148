// Whether a verified signer is one a policy names. Keys compare by key id; keyless identities compare issuer and
// subject exactly, or through the anchored regular expressions the policy gave instead (never both for one part).
import type { SignerFact } from '../facts.js';
import type { SignerMatcher } from '../policy.js';

export function signerMatches(matcher: SignerMatcher, signer: SignerFact): boolean {
  switch (matcher.kind) {
    case 'key':
      return signer.keyId === matcher.keyId;
    case 'identity':
      return partMatches(matcher.issuer, matcher.issuerRegExp, signer.issuer) && partMatches(matcher.subject, matcher.subjectRegExp, signer.subject);
  }
}

/** Whether `signer` is among `matchers`; an empty list trusts every verified signer. */
export function signerTrusted(matchers: readonly SignerMatcher[], signer: SignerFact): boolean {
  return matchers.length === 0 || matchers.some((m) => signerMatches(m, signer));
}

function partMatches(exact: string | undefined, pattern: RegExp | undefined, value: string | undefined): boolean {
  // An identity matcher never matches a signer without that identity part, constrained or not.
  if (value === undefined || value === '') return false;
  if (exact !== undefined && value !== exact) return false;
  return pattern === undefined || fullMatch(pattern, value);
}

// A global or sticky RegExp keeps state in lastIndex, which would make matching depend on earlier calls.
function fullMatch(pattern: RegExp, value: string): boolean {
  const re = pattern.global || pattern.sticky ? new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')) : pattern;
  const m = re.exec(value);
  return m !== null && m.index === 0 && m[0].length === value.length;
}

/** One id per signer: keyless signers by identity (their keys are ephemeral), the others by key. */
export function signerId(signer: SignerFact): string {
  return signer.issuer !== undefined && signer.subject !== undefined ? `identity:${signer.issuer}#${signer.subject}` : `key:${signer.keyId}`;
}

export function describeSigner(signer: SignerFact): string {
  return signer.issuer !== undefined && signer.subject !== undefined ? `${signer.subject} (${signer.issuer})` : `key ${signer.keyId}`;
}

export function describeMatcher(matcher: SignerMatcher): string {
  switch (matcher.kind) {
    case 'key':
      return matcher.name ?? `key ${matcher.keyId}`;
    case 'identity': {
      if (matcher.name !== undefined) return matcher.name;
      const subject = matcher.subject ?? (matcher.subjectRegExp === undefined ? '*' : `/${matcher.subjectRegExp.source}/`);
      const issuer = matcher.issuer ?? (matcher.issuerRegExp === undefined ? '*' : `/${matcher.issuerRegExp.source}/`);
      return `${subject} (${issuer})`;
    }
  }
}

export function describeMatchers(matchers: readonly SignerMatcher[]): string {
  return matchers.length === 0 ? 'any verified signer' : matchers.map(describeMatcher).join(', ');
}
