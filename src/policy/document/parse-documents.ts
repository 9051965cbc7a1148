// Policy documents in, validated policies out. A YAML stream may hold several documents, each a ProvenancePolicy
// or a sigstore ClusterImagePolicy, told apart by apiVersion and kind. Each policy carries the digest of its
// document's JSON value (RFC 8785 canonical form), so reformatting or commenting the YAML keeps the digest.
import { sha256Digest } from '../../core/digest.js';
import { canonicalJson } from '../../core/json.js';
import type { Policy } from '../policy.js';
import { CIP_API_VERSIONS, CIP_KIND, readClusterImagePolicy } from './cluster-image-policy.js';
import { failAt } from './failure.js';
import { Fields, mapping, text } from './read-fields.js';
import { PROVENANCE_API_VERSION, PROVENANCE_KIND, readProvenancePolicy } from './provenance-policy.js';
import { readYamlStream } from './yaml-stream.js';
import { plainValue, type YamlNode } from './yaml-tree.js';

const TOP_LEVEL = ['apiVersion', 'kind', 'metadata', 'spec'];

/**
 * Every policy of `text`, in document order. `origin` (a file name) prefixes error messages. Empty documents (and
 * a text of only comments) hold no policy and are skipped; whether no policy at all is acceptable is the caller's
 * to say. Errors: POLICY_INVALID and POLICY_UNSUPPORTED, with details
 * { line, column, field, problem, document } (see docs/policy.md).
 */
export function parsePolicyDocuments(text: string, origin?: string): Policy[] {
  const documents = readYamlStream(text, origin);
  const names = new Set<string>();
  return documents.map(({ root }) => {
    const policy = readPolicy(root);
    if (names.has(policy.name)) failAt(nameNode(root), `another document of this text is also named ${JSON.stringify(policy.name)}`);
    names.add(policy.name);
    return policy;
  });
}

function readPolicy(root: YamlNode): Policy {
  // apiVersion and kind first, so that a document of another kind is named as such, not by its first odd field.
  const map = mapping(root);
  const need = (name: string): YamlNode => map.entries.get(name)?.value ?? failAt({ at: map.at, field: name, source: map.source }, 'is required');
  const apiVersionNode = need('apiVersion');
  const apiVersion = text(apiVersionNode, { max: 256 });
  const kindNode = need('kind');
  const kind = text(kindNode, { max: 256 });
  const digest = (): string => sha256Digest(canonicalJson(plainValue(root)));
  if (apiVersion === PROVENANCE_API_VERSION) {
    if (kind !== PROVENANCE_KIND) failAt(kindNode, `kind ${JSON.stringify(kind)} is not defined in ${apiVersion} (only ${PROVENANCE_KIND})`);
    return { ...readProvenancePolicy(Fields.of(root, TOP_LEVEL)), origin: { format: 'ProvenancePolicy', digest: digest() } };
  }
  if (CIP_API_VERSIONS.includes(apiVersion)) {
    if (kind !== CIP_KIND) failAt(kindNode, `kind ${JSON.stringify(kind)} of ${apiVersion} is not read (only ${CIP_KIND})`);
    return { ...readClusterImagePolicy(Fields.of(root, TOP_LEVEL)), origin: { format: 'ClusterImagePolicy', digest: digest() } };
  }
  return failAt(
    apiVersionNode,
    `apiVersion ${JSON.stringify(apiVersion)} (kind ${JSON.stringify(kind)}) is not a policy; use ${PROVENANCE_API_VERSION} ${PROVENANCE_KIND} or ${CIP_API_VERSIONS.join(' / ')} ${CIP_KIND}`,
  );
}

function nameNode(root: YamlNode): YamlNode {
  return Fields.of(Fields.of(root, TOP_LEVEL).need('metadata'), ['name', 'labels', 'annotations']).need('name');
}
