// Every refusal of a policy document names where it is: the 1-based line and column of the offending YAML node
// (for an unknown or misplaced field, its key; for a wrong value, the value), the dotted path of the field, the
// 0-based index of the document in the stream, and what is wrong with it. The contracts the reader calls
// (globs, version ranges, CEL, keys) throw without positions; `rethrowAt` gives their errors one.
import { isProvenantError, ProvenantError } from '../../core/errors.js';

export type DocumentErrorCode = 'POLICY_INVALID' | 'POLICY_UNSUPPORTED';

export interface Position {
  readonly line: number;
  readonly column: number;
}

/** The document a node belongs to, shared by all of its nodes. */
export interface DocumentSource {
  readonly document: number;
  readonly origin?: string;
}

/** A place in a document: a node, a key, or a field that is missing from a mapping. */
export interface Spot {
  readonly at: Position;
  readonly field: string;
  readonly source: DocumentSource;
}

export function failAt(spot: Spot, problem: string, code: DocumentErrorCode = 'POLICY_INVALID', cause?: unknown): never {
  const { at, field, source } = spot;
  const where = `${source.origin ?? 'policy'}:${at.line}:${at.column}`;
  const what = field === '' ? '' : ` ${field}:`;
  const doc = source.document === 0 ? '' : ` (document ${source.document})`;
  throw new ProvenantError(code, `${where}${doc}${what} ${problem}`, {
    details: {
      line: at.line,
      column: at.column,
      field,
      problem,
      document: source.document,
      ...(source.origin === undefined ? {} : { origin: source.origin }),
    },
    ...(cause === undefined ? {} : { cause }),
  });
}

export function unsupportedAt(spot: Spot, problem: string): never {
  return failAt(spot, problem, 'POLICY_UNSUPPORTED');
}

/**
 * Re-throws an error of a contract (compileImageGlob, parseVersionRange, compileCel, key loading, predicate type
 * aliases) at `spot`. A key type Provenant does not verify cannot be honoured, so it is POLICY_UNSUPPORTED; any
 * other input error of the contract is POLICY_INVALID. Anything that is not a ProvenantError is a bug and passes.
 */
export function rethrowAt(spot: Spot, e: unknown): never {
  if (!isProvenantError(e)) throw e;
  return failAt(spot, e.message, e.code === 'KEY_UNSUPPORTED' ? 'POLICY_UNSUPPORTED' : 'POLICY_INVALID', e);
}

/** The path of `key` under `parent`: "spec.rules", or `metadata.annotations["acme.dev/owner"]` for odd keys. */
export function childField(parent: string, key: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) return parent === '' ? key : `${parent}.${key}`;
  return `${parent}[${JSON.stringify(key)}]`;
}

export function itemField(parent: string, index: number): string {
  return `${parent}[${index}]`;
}
