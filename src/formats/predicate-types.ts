// cosign's `attest --type` values and the predicate type URIs they stand for, as in cosign's
// cmd/cosign/cli/options/predicate.go (PredicateTypeMap) and the in-toto-golang constants it uses.
import { ProvenantError } from '../core/errors.js';
import { isTypeUri } from './intoto.js';

export const PREDICATE_TYPE_ALIASES = {
  slsaprovenance: 'https://slsa.dev/provenance/v0.2',
  slsaprovenance02: 'https://slsa.dev/provenance/v0.2',
  slsaprovenance1: 'https://slsa.dev/provenance/v1',
  link: 'https://in-toto.io/Link/v1',
  spdx: 'https://spdx.dev/Document',
  spdxjson: 'https://spdx.dev/Document',
  cyclonedx: 'https://cyclonedx.org/bom',
  vuln: 'https://cosign.sigstore.dev/attestation/vuln/v1',
  openvex: 'https://openvex.dev/ns',
  custom: 'https://cosign.sigstore.dev/attestation/v1',
} as const;

export type PredicateTypeAlias = keyof typeof PREDICATE_TYPE_ALIASES;

export function isPredicateTypeAlias(value: string): value is PredicateTypeAlias {
  return Object.hasOwn(PREDICATE_TYPE_ALIASES, value);
}

/**
 * Resolves a `--type` value: an alias maps to its URI; a value containing "://" is taken as the URI itself
 * (and must be one). Anything else is a USAGE error, as an unknown alias is almost always a typo.
 */
export function resolvePredicateType(value: string): string {
  if (isPredicateTypeAlias(value)) return PREDICATE_TYPE_ALIASES[value];
  if (value.includes('://') && isTypeUri(value)) return value;
  throw new ProvenantError('USAGE', `unknown predicate type ${JSON.stringify(value)}: use one of ${Object.keys(PREDICATE_TYPE_ALIASES).join(', ')} or a URI`, {
    details: { value },
  });
}
