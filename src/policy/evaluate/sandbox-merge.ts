// The changes of every failed sandbox rule, merged into one set the interceptor applies. Each merge moves towards
// safety: booleans are OR'ed (read-only root filesystem if any rule asks), no privilege escalation if any rule
// says so, the smaller of two limits, the union of node selectors. What cannot be merged safely (two runtime
// classes, one node-selector key with two values, a limit that is not a quantity) is a conflict: the decision
// becomes deny, because no single workload satisfies both rules.
import type { SandboxChanges } from '../policy.js';
import { compareQuantities, parseQuantity } from './kubernetes-quantity.js';

export interface SandboxRequest {
  /** "policy/rule". */
  readonly source: string;
  readonly changes: SandboxChanges;
}

export type SandboxMerge =
  | { readonly ok: true; readonly changes: SandboxChanges }
  | { readonly ok: false; readonly source: string; readonly conflict: string };

export function mergeSandbox(requests: readonly SandboxRequest[]): SandboxMerge {
  let runtime: { name: string; source: string } | undefined;
  const nodeSelector = new Map<string, { value: string; source: string }>();
  let readOnly: boolean | undefined;
  let noEscalation = false;
  const limits: Partial<Record<'cpu' | 'memory', string>> = {};
  for (const { source, changes } of requests) {
    if (changes.runtimeClassName !== undefined) {
      if (runtime !== undefined && runtime.name !== changes.runtimeClassName) {
        return conflict(source, `runtimeClassName ${JSON.stringify(changes.runtimeClassName)} conflicts with ${JSON.stringify(runtime.name)} of ${runtime.source}`);
      }
      runtime ??= { name: changes.runtimeClassName, source };
    }
    for (const [key, value] of Object.entries(changes.nodeSelector ?? {})) {
      const seen = nodeSelector.get(key);
      if (seen !== undefined && seen.value !== value) {
        return conflict(source, `nodeSelector ${key}=${JSON.stringify(value)} conflicts with ${JSON.stringify(seen.value)} of ${seen.source}`);
      }
      if (seen === undefined) nodeSelector.set(key, { value, source });
    }
    if (changes.readOnlyRootFilesystem !== undefined) readOnly = readOnly === true || changes.readOnlyRootFilesystem;
    if (changes.allowPrivilegeEscalation === false) noEscalation = true;
    for (const resource of ['cpu', 'memory'] as const) {
      const text = changes.limits?.[resource];
      if (text === undefined) continue;
      const next = parseQuantity(text);
      if (next === undefined) return conflict(source, `${resource} limit ${JSON.stringify(text)} is not a Kubernetes quantity`);
      const current = limits[resource];
      if (current === undefined || compareQuantities(next, parseQuantity(current)!) < 0) limits[resource] = text;
    }
  }
  const selector = Object.fromEntries([...nodeSelector].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, v.value]));
  return {
    ok: true,
    changes: {
      ...(runtime === undefined ? {} : { runtimeClassName: runtime.name }),
      ...(nodeSelector.size === 0 ? {} : { nodeSelector: selector }),
      ...(readOnly === undefined ? {} : { readOnlyRootFilesystem: readOnly }),
      ...(noEscalation ? { allowPrivilegeEscalation: false as const } : {}),
      ...(Object.keys(limits).length === 0 ? {} : { limits }),
    },
  };
}

function conflict(source: string, text: string): SandboxMerge {
  return { ok: false, source, conflict: text };
}
