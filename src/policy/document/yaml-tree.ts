// A policy document as a tree of plain nodes that remember where they were written. Only the JSON subset of YAML
// is taken: string keys, each at most once, and scalars that are strings, finite numbers, booleans or null. Anchors
// and aliases are refused (an alias can multiply a small text into a huge value, "billion laughs"), and so is every
// explicit tag (`!!js/function`, `!!binary`, even `!!str`): a policy means what its plain text says.
import { isAlias, isMap, isPair, isScalar, isSeq, type LineCounter, type Node as YamlLibNode } from 'yaml';
import type { JsonValue } from '../../core/json.js';
import { childField, failAt, itemField, type DocumentSource, type Spot } from './failure.js';

export type ScalarValue = string | number | boolean | null;

export interface MapEntry {
  /** Where the key is written: the spot of an unknown or misplaced field. */
  readonly key: Spot;
  readonly value: YamlNode;
}

export interface MapNode extends Spot {
  readonly kind: 'map';
  /** In the order written. */
  readonly entries: ReadonlyMap<string, MapEntry>;
}

export interface SeqNode extends Spot {
  readonly kind: 'seq';
  readonly items: readonly YamlNode[];
}

export interface ScalarNode extends Spot {
  readonly kind: 'scalar';
  readonly value: ScalarValue;
}

export type YamlNode = MapNode | SeqNode | ScalarNode;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Builds the tree of one composed document. Errors: POLICY_INVALID at the first node outside the subset. */
export function yamlTree(contents: unknown, lines: LineCounter, source: DocumentSource, offset: number): YamlNode {
  const spot = (at: number, field: string): Spot => {
    const { line, col } = lines.linePos(at);
    return { at: { line, column: col }, field, source };
  };

  const convert = (node: unknown, field: string, fallbackOffset: number): YamlNode => {
    if (node === null || node === undefined) return { kind: 'scalar', value: null, ...spot(fallbackOffset, field) };
    const start = (node as YamlLibNode).range?.[0] ?? fallbackOffset;
    const here = spot(start, field);
    if (isAlias(node)) failAt(here, `aliases (*${node.source}) are not allowed in a policy document`);
    const props = node as YamlLibNode;
    if (props.anchor !== undefined) failAt(here, `anchors (&${props.anchor}) are not allowed in a policy document`);
    if (props.tag !== undefined) failAt(here, `explicit tags (${props.tag}) are not allowed in a policy document`);
    if (isMap(node)) {
      const entries = new Map<string, MapEntry>();
      for (const pair of node.items) {
        if (!isPair(pair)) failAt(here, 'a mapping entry is not a key and a value');
        const keyNode: unknown = pair.key;
        const keyOffset = (keyNode as YamlLibNode | null)?.range?.[0] ?? start;
        const keySpot = spot(keyOffset, field);
        if (isAlias(keyNode)) failAt(keySpot, 'aliases are not allowed in a policy document');
        if (!isScalar(keyNode) || typeof keyNode.value !== 'string') failAt(keySpot, 'mapping keys must be strings');
        if (keyNode.anchor !== undefined || keyNode.tag !== undefined) failAt(keySpot, 'mapping keys may carry no anchor or tag');
        const key = keyNode.value;
        checkText(key, keySpot);
        const keyField = childField(field, key);
        const keyAt: Spot = { ...keySpot, field: keyField };
        if (entries.has(key)) failAt(keyAt, `the key ${JSON.stringify(key)} is repeated`);
        const valueFallback = (keyNode.range?.[2] ?? keyOffset) as number;
        entries.set(key, { key: keyAt, value: convert(pair.value, keyField, valueFallback) });
      }
      return { kind: 'map', entries, ...here };
    }
    if (isSeq(node)) {
      const items = node.items.map((item, i) => convert(item, itemField(field, i), start));
      return { kind: 'seq', items, ...here };
    }
    if (isScalar(node)) {
      const value: unknown = node.value;
      if (typeof value === 'string') checkText(value, here);
      else if (typeof value === 'number') {
        if (!Number.isFinite(value)) failAt(here, 'numbers must be finite (no .inf or .nan)');
      } else if (typeof value !== 'boolean' && value !== null) failAt(here, 'only strings, numbers, booleans and null are allowed');
      return { kind: 'scalar', value: value as ScalarValue, ...here };
    }
    return failAt(here, 'only mappings, sequences and scalars are allowed');
  };

  return convert(contents, '', offset);
}

// Lone surrogates (from "\uD800" escapes) cannot be canonical JSON, so the document could not be digested.
function checkText(text: string, at: Spot): void {
  if (LONE_SURROGATE.test(text)) failAt(at, 'text holds an unpaired UTF-16 surrogate');
}

/** The document as plain JSON: what its origin digest hashes, so reformatting the YAML keeps the digest. */
export function plainValue(node: YamlNode): JsonValue {
  switch (node.kind) {
    case 'scalar':
      return node.value;
    case 'seq':
      return node.items.map(plainValue);
    case 'map':
      // fromEntries defines own properties, so a "__proto__" key stays data.
      return Object.fromEntries([...node.entries].map(([key, entry]) => [key, plainValue(entry.value)]));
  }
}
