// Closed-schema reading of document nodes. A mapping lists the fields it may hold, so a misspelt field is an
// error at its key rather than a silently ignored setting; every value has one type. Null is a value like any
// other ("annotations:" with nothing after it is null, not an empty mapping) and must match the field's type.
import { childField, failAt, type Spot } from './failure.js';
import type { MapEntry, MapNode, ScalarNode, SeqNode, YamlNode } from './yaml-tree.js';

export function describe(node: YamlNode): string {
  switch (node.kind) {
    case 'map':
      return 'a mapping';
    case 'seq':
      return 'a sequence';
    case 'scalar':
      return node.value === null ? 'null' : `a ${typeof node.value}`;
  }
}

/** The fields of one mapping, checked against the names it may hold. */
export class Fields {
  private constructor(readonly node: MapNode) {}

  /** Errors: POLICY_INVALID when `node` is not a mapping or holds a field outside `allowed` (at its key). */
  static of(node: YamlNode, allowed: readonly string[]): Fields {
    const map = mapping(node);
    for (const [name, entry] of map.entries) {
      if (!allowed.includes(name)) failAt(entry.key, `unknown field ${JSON.stringify(name)} (allowed: ${allowed.join(', ')})`);
    }
    return new Fields(map);
  }

  has(name: string): boolean {
    return this.node.entries.has(name);
  }

  get(name: string): YamlNode | undefined {
    return this.node.entries.get(name)?.value;
  }

  entry(name: string): MapEntry | undefined {
    return this.node.entries.get(name);
  }

  /** Errors: POLICY_INVALID at the mapping, naming the missing field. */
  need(name: string): YamlNode {
    return this.get(name) ?? failAt(this.missing(name), 'is required');
  }

  /** The spot of a field that is absent: the mapping's position, the field's path. */
  missing(name: string): Spot {
    return { at: this.node.at, field: childField(this.node.field, name), source: this.node.source };
  }

  /** The spot of a present field's key. */
  keyOf(name: string): Spot {
    return this.node.entries.get(name)?.key ?? this.missing(name);
  }

  /** The names present among `names`, in the order written. */
  present(names: readonly string[]): string[] {
    return [...this.node.entries.keys()].filter((k) => names.includes(k));
  }
}

export function mapping(node: YamlNode): MapNode {
  return node.kind === 'map' ? node : failAt(node, `must be a mapping, not ${describe(node)}`);
}

function scalar(node: YamlNode, type: 'string' | 'number' | 'boolean'): ScalarNode {
  if (node.kind !== 'scalar' || typeof node.value !== type) failAt(node, `must be a ${type}, not ${describe(node)}`);
  return node as ScalarNode;
}

export interface TextRule {
  /** Default 1: empty strings are refused. */
  readonly min?: number;
  /** Default 1024 characters. */
  readonly max?: number;
  readonly pattern?: RegExp;
  /** What `pattern` asks for, for the error. */
  readonly shape?: string;
}

export const DEFAULT_MAX_TEXT = 1024;

export function text(node: YamlNode, rule: TextRule = {}): string {
  const value = scalar(node, 'string').value as string;
  const min = rule.min ?? 1;
  const max = rule.max ?? DEFAULT_MAX_TEXT;
  if (value.length < min) failAt(node, min === 1 ? 'must not be empty' : `must be at least ${min} characters`);
  if (value.length > max) failAt(node, `must be at most ${max} characters`);
  if (rule.pattern !== undefined && !rule.pattern.test(value)) failAt(node, `${JSON.stringify(value.slice(0, 80))} is not ${rule.shape ?? 'well formed'}`);
  return value;
}

export function flag(node: YamlNode): boolean {
  return scalar(node, 'boolean').value as boolean;
}

export function num(node: YamlNode, min: number, max: number, integer = false): number {
  const value = scalar(node, 'number').value as number;
  if (integer && !Number.isInteger(value)) failAt(node, 'must be a whole number');
  if (value < min || value > max) failAt(node, `must be between ${min} and ${max}`);
  return value;
}

export function oneOf<T extends string>(node: YamlNode, values: readonly T[]): T {
  const value = scalar(node, 'string').value as string;
  if (!(values as readonly string[]).includes(value)) failAt(node, `${JSON.stringify(value.slice(0, 80))} is not one of ${values.join(', ')}`);
  return value as T;
}

export function list(node: YamlNode, max: number, min = 0): readonly YamlNode[] {
  if (node.kind !== 'seq') failAt(node, `must be a sequence, not ${describe(node)}`);
  const seq = node as SeqNode;
  if (seq.items.length < min) failAt(node, min === 1 ? 'must not be empty' : `must hold at least ${min} entries`);
  if (seq.items.length > max) failAt(seq.items[max]!, `a sequence here holds at most ${max} entries`);
  return seq.items;
}

export function textList(node: YamlNode, max: number, rule: TextRule = {}, min = 0): string[] {
  return list(node, max, min).map((item) => text(item, rule));
}

/** A mapping of strings to strings (labels, annotations, node selectors). */
export function textMap(node: YamlNode, max: number, keyRule: TextRule, valueRule: TextRule): Record<string, string> {
  const map = mapping(node);
  if (map.entries.size > max) failAt(node, `holds at most ${max} entries`);
  const out: [string, string][] = [];
  for (const [key, entry] of map.entries) {
    const bad = key.length === 0 || key.length > (keyRule.max ?? DEFAULT_MAX_TEXT) || (keyRule.pattern !== undefined && !keyRule.pattern.test(key));
    if (bad) failAt(entry.key, `the key ${JSON.stringify(key.slice(0, 80))} is not ${keyRule.shape ?? 'well formed'}`);
    out.push([key, text(entry.value, valueRule)]);
  }
  return Object.fromEntries(out);
}

/** At most one of `names` may be present; the second one written is the error, at its key. */
export function atMostOne<T extends string>(fields: Fields, names: readonly T[]): T | undefined {
  const present = fields.present(names) as T[];
  if (present.length > 1) failAt(fields.keyOf(present[1]!), `only one of ${names.join(', ')} may be given`);
  return present[0];
}

/** Exactly one of `names`. */
export function exactlyOne<T extends string>(fields: Fields, names: readonly T[]): T {
  return atMostOne(fields, names) ?? failAt(fields.node, `needs one of ${names.join(', ')}`);
}
