// Signers in documents: a public key in PEM, or a keyless identity (the OIDC issuer and subject of a Fulcio
// certificate). Keys are read by src/crypto, which also gives their id (SHA-256 of the SPKI DER) and canonical PEM.
// Identities match exactly; a regular expression is used only when asked for, and always over the whole value.
import { loadVerifier, MAX_PEM_LENGTH } from '../../crypto/index.js';
import type { SignerMatcher } from '../policy.js';
import { failAt, rethrowAt } from './failure.js';
import { atMostOne, exactlyOne, Fields, list, text } from './read-fields.js';
import type { YamlNode } from './yaml-tree.js';

export const MAX_SIGNERS = 64;
const MAX_IDENTITY_LENGTH = 2048;
const MAX_REGEXP_LENGTH = 1024;

type KeyMatcher = Extract<SignerMatcher, { kind: 'key' }>;
type IdentityMatcher = Extract<SignerMatcher, { kind: 'identity' }>;

/** A PEM "PUBLIC KEY". Errors: POLICY_INVALID (not a public key), POLICY_UNSUPPORTED (a key type not verified). */
export function keyMatcher(node: YamlNode): KeyMatcher {
  const pem = text(node, { max: MAX_PEM_LENGTH });
  try {
    const verifier = loadVerifier(pem);
    return { kind: 'key', keyId: verifier.keyId, publicKey: verifier.publicKeyPem() };
  } catch (e) {
    return rethrowAt(node, e);
  }
}

/** `^(?:pattern)$`, so "acme" never matches "evil-acme". */
export function anchoredRegExp(node: YamlNode): RegExp {
  const source = text(node, { max: MAX_REGEXP_LENGTH });
  try {
    return new RegExp(`^(?:${source})$`);
  } catch (e) {
    return failAt(node, `not a valid regular expression: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export interface IdentityParts {
  /** Whether the issuer, and the subject, must each be given (exactly or by regexp). */
  readonly requireBoth: boolean;
}

/** The issuer and subject parts of a keyless identity, from fields issuer/issuerRegExp/subject/subjectRegExp. */
export function identityMatcher(fields: Fields, parts: IdentityParts): IdentityMatcher {
  const issuerKey = parts.requireBoth ? exactlyOne(fields, ['issuer', 'issuerRegExp']) : atMostOne(fields, ['issuer', 'issuerRegExp']);
  const subjectKey = parts.requireBoth ? exactlyOne(fields, ['subject', 'subjectRegExp']) : atMostOne(fields, ['subject', 'subjectRegExp']);
  if (issuerKey === undefined && subjectKey === undefined) failAt(fields.node, 'an identity needs an issuer or a subject (exact or issuerRegExp/subjectRegExp)');
  const part = (key: string | undefined): { exact?: string; pattern?: RegExp } => {
    if (key === undefined) return {};
    const node = fields.need(key);
    return key.endsWith('RegExp') ? { pattern: anchoredRegExp(node) } : { exact: text(node, { max: MAX_IDENTITY_LENGTH }) };
  };
  const issuer = part(issuerKey);
  const subject = part(subjectKey);
  return {
    kind: 'identity',
    ...(issuer.exact === undefined ? {} : { issuer: issuer.exact }),
    ...(issuer.pattern === undefined ? {} : { issuerRegExp: issuer.pattern }),
    ...(subject.exact === undefined ? {} : { subject: subject.exact }),
    ...(subject.pattern === undefined ? {} : { subjectRegExp: subject.pattern }),
  };
}

/** `{ key: PEM }` or `{ keyless: { issuer | issuerRegExp, subject | subjectRegExp } }`, with an optional name. */
export function signerMatcher(node: YamlNode): SignerMatcher {
  const fields = Fields.of(node, ['key', 'keyless', 'name']);
  const form = exactlyOne(fields, ['key', 'keyless']);
  const name = fields.has('name') ? { name: text(fields.need('name'), { max: 256 }) } : {};
  if (form === 'key') return { ...keyMatcher(fields.need('key')), ...name };
  const identity = Fields.of(fields.need('keyless'), ['issuer', 'issuerRegExp', 'subject', 'subjectRegExp']);
  return { ...identityMatcher(identity, { requireBoth: true }), ...name };
}

export function signerList(node: YamlNode, min: number): SignerMatcher[] {
  return list(node, MAX_SIGNERS, min).map(signerMatcher);
}
