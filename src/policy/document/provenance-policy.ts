// `apiVersion: provenant.dev/v1, kind: ProvenancePolicy` (docs/policy.md): metadata, then a spec of mode, match,
// attestors and rules. Every mapping is closed.
import type { LabelSelector, Policy, PolicyMatch, PolicyMode } from '../policy.js';
import { failAt } from './failure.js';
import { Fields, flag, list, oneOf, text, textList, textMap } from './read-fields.js';
import { globList } from './rule-kinds.js';
import { readRules } from './rules.js';
import { signerList } from './signers.js';
import { DNS_LABEL_RULE, KIND_RULE, LABEL_KEY_RULE, LABEL_VALUE_RULE, NAME_RULE, REGISTRY_RULE } from './values.js';
import type { YamlNode } from './yaml-tree.js';

export const PROVENANCE_API_VERSION = 'provenant.dev/v1';
export const PROVENANCE_KIND = 'ProvenancePolicy';

const MODES: readonly PolicyMode[] = ['enforce', 'warn', 'audit'];
const MAX_MATCH_ENTRIES = 256;
const MAX_ANNOTATIONS = 256;
const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

export function readProvenancePolicy(root: Fields): Omit<Policy, 'origin'> {
  const metadata = Fields.of(root.need('metadata'), ['name', 'annotations']);
  const name = text(metadata.need('name'), NAME_RULE);
  if (metadata.has('annotations')) textMap(metadata.need('annotations'), MAX_ANNOTATIONS, LABEL_KEY_RULE, { min: 0, max: 64 * 1024 });
  const spec = Fields.of(root.need('spec'), ['mode', 'match', 'attestors', 'rules', 'pinDigests']);
  const mode = spec.has('mode') ? oneOf(spec.need('mode'), MODES) : 'enforce';
  const match = spec.has('match') ? readMatch(spec.need('match')) : { images: [], registries: [], namespaces: [], kinds: [] };
  const attestors = spec.has('attestors') ? signerList(spec.need('attestors'), 0) : [];
  const rules = readRules(spec.need('rules'));
  const pinDigests = spec.has('pinDigests') && flag(spec.need('pinDigests'));
  return { name, mode, match, attestors, rules, ...(pinDigests ? { pinDigests } : {}) };
}

function readMatch(node: YamlNode): PolicyMatch {
  const f = Fields.of(node, ['images', 'registries', 'namespaces', 'namespaceSelector', 'kinds']);
  const strings = (key: string, rule: Parameters<typeof textList>[2]): string[] => (f.has(key) ? textList(f.need(key), MAX_MATCH_ENTRIES, rule) : []);
  return {
    images: f.has('images') ? globList(f.need('images')) : [],
    registries: strings('registries', REGISTRY_RULE).map((host) => (host === 'index.docker.io' ? 'docker.io' : host)),
    namespaces: strings('namespaces', DNS_LABEL_RULE),
    ...(f.has('namespaceSelector') ? { namespaceSelector: labelSelector(f.need('namespaceSelector')) } : {}),
    kinds: strings('kinds', KIND_RULE),
  };
}

/** A Kubernetes label selector (metav1.LabelSelector) with its validation rules for operators and values. */
export function labelSelector(node: YamlNode): LabelSelector {
  const f = Fields.of(node, ['matchLabels', 'matchExpressions']);
  const matchLabels = f.has('matchLabels') ? textMap(f.need('matchLabels'), MAX_MATCH_ENTRIES, LABEL_KEY_RULE, LABEL_VALUE_RULE) : {};
  const matchExpressions = f.has('matchExpressions')
    ? list(f.need('matchExpressions'), MAX_MATCH_ENTRIES).map((item) => {
        const e = Fields.of(item, ['key', 'operator', 'values']);
        const key = text(e.need('key'), LABEL_KEY_RULE);
        const operator = oneOf(e.need('operator'), OPERATORS);
        const values = e.has('values') ? textList(e.need('values'), MAX_MATCH_ENTRIES, LABEL_VALUE_RULE) : [];
        const needsValues = operator === 'In' || operator === 'NotIn';
        if (needsValues && values.length === 0) failAt(e.get('values') ?? e.missing('values'), `operator ${operator} needs at least one value`);
        if (!needsValues && values.length > 0) failAt(e.keyOf('values'), `operator ${operator} takes no values`);
        return { key, operator, values };
      })
    : [];
  return { matchLabels, matchExpressions };
}
