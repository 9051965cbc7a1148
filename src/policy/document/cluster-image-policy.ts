// sigstore policy-controller's ClusterImagePolicy (policy.sigstore.dev v1alpha1 and v1beta1; the fields of
// config/300-clusterimagepolicy.yaml, the rules of pkg/apis/policy/v1beta1/clusterimagepolicy_validation.go).
// A policy applies to the images its globs match and passes when at least one authority is satisfied: a key or a
// keyless identity that signed the image, or, for an authority with attestations, signed an attestation of each
// listed predicate type; a static authority always passes or always fails. What Provenant cannot honour exactly
// (keys held in a KMS or a Secret, cue and rego policies, other signature sources, private certificate
// authorities, skipped SCT checks, resource matching) is refused with POLICY_UNSUPPORTED rather than loosened.
import type { Policy, PolicyMode, SignerMatcher } from '../policy.js';
import { authoritiesRule, type Authority } from './cip-authorities.js';
import { failAt, unsupportedAt } from './failure.js';
import { exactlyOne, Fields, flag, list, oneOf, text, textMap } from './read-fields.js';
import { glob, predicateType } from './rule-kinds.js';
import { identityMatcher, keyMatcher } from './signers.js';
import { LABEL_KEY_RULE, LABEL_VALUE_RULE, NAME_RULE } from './values.js';
import type { YamlNode } from './yaml-tree.js';

export const CIP_API_VERSIONS: readonly string[] = ['policy.sigstore.dev/v1alpha1', 'policy.sigstore.dev/v1beta1'];
export const CIP_KIND = 'ClusterImagePolicy';

const MODES: readonly PolicyMode[] = ['enforce', 'warn'];
const MAX_IMAGES = 256;
const MAX_AUTHORITIES = 64;
const MAX_IDENTITIES = 64;
const MAX_ATTESTATIONS = 32;

export function readClusterImagePolicy(root: Fields): Omit<Policy, 'origin'> {
  const metadata = Fields.of(root.need('metadata'), ['name', 'labels', 'annotations']);
  const name = text(metadata.need('name'), NAME_RULE);
  if (metadata.has('labels')) textMap(metadata.need('labels'), 256, LABEL_KEY_RULE, LABEL_VALUE_RULE);
  if (metadata.has('annotations')) textMap(metadata.need('annotations'), 256, LABEL_KEY_RULE, { min: 0, max: 64 * 1024 });
  const spec = Fields.of(root.need('spec'), ['images', 'authorities', 'mode', 'policy', 'match']);
  if (spec.has('policy')) unsupportedAt(spec.keyOf('policy'), 'a cue or rego policy over the authorities cannot be evaluated; use a ProvenancePolicy expression rule');
  if (spec.has('match')) unsupportedAt(spec.keyOf('match'), 'matching by resource group, version and labels is not supported; use a ProvenancePolicy with match.kinds');
  const images = list(spec.need('images'), MAX_IMAGES, 1).map((item) => glob(Fields.of(item, ['glob']).need('glob')));
  const mode = spec.has('mode') ? oneOf(spec.need('mode'), MODES) : 'enforce';
  const authorities = list(spec.need('authorities'), MAX_AUTHORITIES, 1).map(authority);
  return {
    name,
    mode,
    match: { images, registries: [], namespaces: [], kinds: [] },
    attestors: [],
    rules: [authoritiesRule(authorities, spec.keyOf('authorities'))],
  };
}

function authority(node: YamlNode, index: number): Authority {
  const f = Fields.of(node, ['name', 'key', 'keyless', 'static', 'source', 'ctlog', 'attestations', 'rfc3161timestamp']);
  const name = f.has('name') ? text(f.need('name'), { max: 256 }) : `authority-${index}`;
  if (f.has('rfc3161timestamp')) unsupportedAt(f.keyOf('rfc3161timestamp'), 'RFC 3161 timestamp authorities are not supported');
  if (f.has('source')) source(f.need('source'));
  if (f.has('ctlog')) {
    const ctlog = Fields.of(f.need('ctlog'), ['url', 'trustRootRef']);
    if (ctlog.has('trustRootRef')) unsupportedAt(ctlog.keyOf('trustRootRef'), 'TrustRoot resources are not supported');
    if (ctlog.has('url')) text(ctlog.need('url'), { max: 2048 });
  }
  const form = exactlyOne(f, ['key', 'keyless', 'static']);
  if (form === 'static') {
    const given = (other: string): boolean => f.has(other) && (other === 'ctlog' || list(f.need(other), MAX_ATTESTATIONS).length > 0);
    for (const other of ['attestations', 'source', 'ctlog']) if (given(other)) failAt(f.keyOf(other), 'a static authority takes no attestations, source or ctlog');
    const s = Fields.of(f.need('static'), ['action', 'message']);
    const actionNode = s.need('action');
    const action = text(actionNode, { max: 64 });
    if (action !== 'pass' && action !== 'fail') unsupportedAt(actionNode, `static action ${JSON.stringify(action)} is not supported (pass or fail)`);
    const message = s.has('message') ? { message: text(s.need('message'), { max: 1024 }) } : {};
    return { kind: 'static', name, pass: action === 'pass', ...message };
  }
  const signers = form === 'key' ? [key(f.need('key'), name)] : keyless(f.need('keyless'), name);
  const predicateTypes = f.has('attestations') ? list(f.need('attestations'), MAX_ATTESTATIONS).map(attestation) : [];
  return { kind: 'signers', name, signers, predicateTypes };
}

function key(node: YamlNode, name: string): SignerMatcher {
  const f = Fields.of(node, ['data', 'kms', 'secretRef', 'hashAlgorithm']);
  if (f.has('kms')) unsupportedAt(f.keyOf('kms'), 'keys held in a KMS are not supported; give the public key as data');
  if (f.has('secretRef')) unsupportedAt(f.keyOf('secretRef'), 'keys read from a Kubernetes Secret are not supported; give the public key as data');
  if (f.has('hashAlgorithm')) {
    const algorithm = f.need('hashAlgorithm');
    if (text(algorithm, { max: 32 }) !== 'sha256') unsupportedAt(algorithm, 'only sha256 signatures are verified');
  }
  return { ...keyMatcher(f.need('data')), name };
}

function keyless(node: YamlNode, name: string): SignerMatcher[] {
  const f = Fields.of(node, ['url', 'identities', 'ca-cert', 'insecureIgnoreSCT', 'trustRootRef']);
  if (f.has('ca-cert')) unsupportedAt(f.keyOf('ca-cert'), 'certificates from a private certificate authority are not supported');
  if (f.has('trustRootRef')) unsupportedAt(f.keyOf('trustRootRef'), 'TrustRoot resources are not supported');
  if (f.has('insecureIgnoreSCT') && flag(f.need('insecureIgnoreSCT'))) {
    unsupportedAt(f.keyOf('insecureIgnoreSCT'), 'certificates are always checked for their SCT');
  }
  // The Fulcio URL says where certificates were issued; Provenant checks them against its own trust root.
  if (f.has('url')) text(f.need('url'), { max: 2048 });
  const identities = f.get('identities');
  if (identities === undefined) unsupportedAt(f.missing('identities'), 'trusting every identity a Fulcio instance certifies is not supported; list identities');
  return list(identities!, MAX_IDENTITIES, 1).map((item) => {
    const identity = Fields.of(item, ['issuer', 'subject', 'issuerRegExp', 'subjectRegExp']);
    return { ...identityMatcher(identity, { requireBoth: false }), name };
  });
}

function source(node: YamlNode): void {
  for (const item of list(node, 16)) {
    const f = Fields.of(item, ['oci', 'signaturePullSecrets', 'tagPrefix']);
    if (f.has('oci')) unsupportedAt(f.keyOf('oci'), 'signatures stored in another repository are not supported');
    if (f.has('tagPrefix')) unsupportedAt(f.keyOf('tagPrefix'), 'signature tag prefixes are not supported');
    failAt(f.missing('oci'), 'is required');
  }
}

function attestation(node: YamlNode): string {
  const f = Fields.of(node, ['name', 'predicateType', 'policy']);
  text(f.need('name'), { max: 256 });
  if (f.has('policy')) unsupportedAt(f.keyOf('policy'), 'cue and rego attestation policies are not supported');
  return predicateType(f.need('predicateType'));
}
