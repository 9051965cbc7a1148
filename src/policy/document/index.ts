// Policy documents: YAML text to validated policies (docs/policy.md).
export { parsePolicyDocuments } from './parse-documents.js';
export { policySetDigest } from './policy-set-digest.js';
export { isPolicyName, MAX_POLICY_NAME_LENGTH, POLICY_NAME } from './values.js';
export { DOCUMENT_LIMITS } from './yaml-stream.js';
export { MAX_RULES } from './rules.js';
export { AUTHORITIES_RULE } from './cip-authorities.js';
export { PROVENANCE_API_VERSION, PROVENANCE_KIND } from './provenance-policy.js';
export { CIP_API_VERSIONS, CIP_KIND } from './cluster-image-policy.js';
export type { DocumentErrorCode } from './failure.js';
