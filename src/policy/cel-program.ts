// CEL expressions in policies (https://cel.dev, evaluated by @bufbuild/cel, the language Kubernetes admission
// policies use). An expression is parsed and planned once, when the policy is accepted; its free variables must
// be among the facts a policy can read (CEL_VARIABLES), so a typo is a policy error, not a deny at admission time.
// Evaluation never throws: @bufbuild/cel returns errors as values, and a non-boolean result is an error too.
import { celEnv, isCelError, parse, plan, type CelInput } from '@bufbuild/cel';
import { ProvenantError } from '../core/errors.js';

/** The variables an expression can read; policy/cel-facts.ts builds them from the facts. */
export const CEL_VARIABLES = [
  'image',
  'build',
  'packages',
  'signatures',
  'attestations',
  'audits',
  'vulnerabilities',
  'reputation',
  'request',
  'now',
] as const;
export type CelVariable = (typeof CEL_VARIABLES)[number];
export type CelBindings = Readonly<Record<CelVariable, CelInput>>;

export const CEL_LIMITS = {
  maxSourceLength: 4096,
  maxNodes: 2000,
  /** Nested comprehensions (exists/all/map/filter inside another) multiply work by the list sizes. */
  maxComprehensionDepth: 2,
  /**
   * Nesting of the syntax tree. The parser balances && and || chains, but not arithmetic ("1+1+...+1" nests once
   * per term); walking or planning a tree nested thousands deep exhausts the stack, which is not a policy error.
   */
  maxNesting: 100,
} as const;

export type CelOutcome = { readonly ok: true; readonly value: boolean } | { readonly ok: false; readonly error: string };

export interface CelProgram {
  readonly source: string;
  /** Free variables the expression reads, sorted. */
  readonly variables: readonly CelVariable[];
  evaluate(bindings: CelBindings): CelOutcome;
}

const ENV = celEnv();

/** Parses and plans an expression. Errors: POLICY_INVALID (syntax, unknown variable, size). */
export function compileCel(source: string): CelProgram {
  const bad = (problem: string): never => {
    throw new ProvenantError('POLICY_INVALID', `CEL expression: ${problem}`, { details: { expression: source.slice(0, 200), problem } });
  };
  if (typeof source !== 'string' || source.trim() === '') bad('is empty');
  if (source.length > CEL_LIMITS.maxSourceLength) bad(`is longer than ${CEL_LIMITS.maxSourceLength} characters`);
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(source);
  } catch (e) {
    return bad(e instanceof Error ? e.message : String(e));
  }
  const free = new Set<string>();
  const walk = { nodes: 0 };
  freeVariables(parsed.expr, new Set(), 0, free, walk, bad);
  const known = new Set<string>(CEL_VARIABLES);
  for (const name of free) if (!known.has(name)) bad(`unknown variable ${JSON.stringify(name)} (known: ${CEL_VARIABLES.join(', ')})`);
  const run = plan(ENV, parsed);
  return {
    source,
    variables: [...free].sort() as CelVariable[],
    evaluate(bindings: CelBindings): CelOutcome {
      let result: unknown;
      try {
        result = run(bindings as Record<string, CelInput>);
      } catch (e) {
        return { ok: false, error: e instanceof Error ? e.message : String(e) };
      }
      if (isCelError(result)) return { ok: false, error: result.message };
      if (typeof result !== 'boolean') return { ok: false, error: `the expression gave a ${typeof result}, not a bool` };
      return { ok: true, value: result };
    },
  };
}

interface ExprNode {
  exprKind: { case: string | undefined; value?: unknown };
}

function freeVariables(
  expr: ExprNode | undefined,
  bound: ReadonlySet<string>,
  depth: number,
  free: Set<string>,
  walk: { nodes: number },
  bad: (p: string) => never,
  level = 1,
): void {
  if (expr === undefined) return;
  if (++walk.nodes > CEL_LIMITS.maxNodes) bad(`has more than ${CEL_LIMITS.maxNodes} nodes`);
  if (level > CEL_LIMITS.maxNesting) bad(`nests deeper than ${CEL_LIMITS.maxNesting} levels`);
  const k = expr.exprKind;
  // The AST node shapes of cel.expr.Expr (cel-spec syntax.proto).
  const v = k.value as Record<string, unknown> | undefined;
  const sub = (e: unknown, b = bound, d = depth): void => freeVariables(e as ExprNode | undefined, b, d, free, walk, bad, level + 1);
  switch (k.case) {
    case 'identExpr': {
      const name = (v as { name: string }).name;
      if (!bound.has(name)) free.add(name);
      return;
    }
    case 'selectExpr':
      sub(v!.operand);
      return;
    case 'callExpr':
      sub(v!.target);
      for (const a of v!.args as unknown[]) sub(a);
      return;
    case 'listExpr':
      for (const e of v!.elements as unknown[]) sub(e);
      return;
    case 'structExpr':
      for (const entry of v!.entries as { keyKind: { case: string; value: unknown }; value: unknown }[]) {
        if (entry.keyKind.case === 'mapKey') sub(entry.keyKind.value);
        sub(entry.value);
      }
      return;
    case 'comprehensionExpr': {
      if (depth + 1 > CEL_LIMITS.maxComprehensionDepth) bad(`nests comprehensions deeper than ${CEL_LIMITS.maxComprehensionDepth}`);
      sub(v!.iterRange);
      sub(v!.accuInit);
      const inner = new Set(bound);
      for (const name of [v!.iterVar, v!.iterVar2, v!.accuVar]) if (typeof name === 'string' && name !== '') inner.add(name);
      sub(v!.loopCondition, inner, depth + 1);
      sub(v!.loopStep, inner, depth + 1);
      sub(v!.result, inner, depth + 1);
      return;
    }
    case 'constExpr':
    case undefined:
      return;
  }
  // A node kind added to cel-spec after this walker would read variables it cannot see: refuse it.
  bad(`uses an expression kind this version cannot check (${String(k.case)})`);
}
