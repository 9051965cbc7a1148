// Helpers for the policy document tests: keys to paste into documents, a plain view of a compiled policy (globs,
// ranges, CEL and regular expressions by their text) for exact comparison, and the error a document is refused with.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { ProvenantError } from '../../../src/core/errors.js';
import type { Policy, Rule, SignerMatcher } from '../../../src/policy/policy.js';

/** A fresh public key in PEM, as `cosign generate-key-pair` or openssl would write it. */
export function publicKeyPem(curve: 'P-256' | 'P-384' | 'ed25519' = 'P-256'): string {
  const pair = curve === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: curve });
  return pair.publicKey.export({ format: 'pem', type: 'spki' }).toString();
}

/** `text` indented by `spaces`, for a YAML block scalar. */
export function indent(text: string, spaces: number): string {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => ' '.repeat(spaces) + line)
    .join('\n');
}

export function plainSigner(s: SignerMatcher): Record<string, unknown> {
  switch (s.kind) {
    case 'key':
      return { ...s };
    case 'identity':
      return {
        ...s,
        ...(s.issuerRegExp === undefined ? {} : { issuerRegExp: s.issuerRegExp.source }),
        ...(s.subjectRegExp === undefined ? {} : { subjectRegExp: s.subjectRegExp.source }),
      };
  }
}

export function plainRule(rule: Rule): Record<string, unknown> {
  switch (rule.kind) {
    case 'signature':
    case 'attestation':
      return { ...rule, signers: rule.signers.map(plainSigner) };
    case 'buildEnvironment':
      return { ...rule, sourceRepositories: rule.sourceRepositories.map((g) => g.pattern) };
    case 'dependencies':
      return {
        ...rule,
        blocked: rule.blocked.map((b) => ({ ...b, ...(b.versions === undefined ? {} : { versions: { text: b.versions.text, ecosystem: b.versions.ecosystem } }) })),
        trustedSources: rule.trustedSources.map((g) => g.pattern),
      };
    case 'expression': {
      const { program, ...rest } = rule;
      return { ...rest, program: { source: program.source, variables: program.variables } };
    }
    case 'audit':
    case 'vulnerabilities':
    case 'reputation':
      return { ...rule };
  }
}

export function plainPolicy(policy: Policy): Record<string, unknown> {
  return {
    ...policy,
    match: { ...policy.match, images: policy.match.images.map((g) => g.pattern) },
    attestors: policy.attestors.map(plainSigner),
    rules: policy.rules.map(plainRule),
  };
}

export interface Refusal {
  readonly code: string;
  readonly details: Record<string, unknown>;
}

export function refusal(fn: () => unknown): Refusal {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ProvenantError, `expected a ProvenantError, got ${String(e)}`);
    return { code: e.code, details: e.details ?? {} };
  }
  return assert.fail('expected the document to be refused');
}
