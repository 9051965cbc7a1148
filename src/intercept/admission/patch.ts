// The JSONPatch (RFC 6902) a mutating webhook answers with: the resolved digests recorded as pod template
// annotations, images optionally pinned to those digests, and a sandbox decision's changes applied to the pod spec
// and every container. "add" replaces an existing member and creates a missing one, but not its missing parents,
// so parents are added first; pointer tokens are escaped as RFC 6901 §3 requires ("~" → "~0", "/" → "~1").
import { isJsonObject, type JsonObject, type JsonValue } from '../../core/json.js';
import { compareQuantities, parseQuantity } from '../../policy/evaluate/index.js';
import type { SandboxChanges } from '../../policy/policy.js';
import { at, type WorkloadImages } from './workload-images.js';

export type JsonPatchOp = { readonly op: 'add' | 'replace'; readonly path: string; readonly value: JsonValue };

export const RESOLVED_IMAGES_ANNOTATION = 'provenant.dev/resolved-images';
export const DECISION_ANNOTATION = 'provenant.dev/decision';

export interface PatchRequest {
  /** The object as admitted (request.object). */
  readonly object: JsonValue;
  readonly workload: WorkloadImages;
  /** Digest per image reference, for every image of the workload. */
  readonly digests: ReadonlyMap<string, string>;
  readonly outcome: string;
  /** The image references to replace by their digest-pinned form (each image's decision or the service's setting). */
  readonly pin: ReadonlySet<string>;
  readonly sandbox?: SandboxChanges;
}

export function escapeToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function workloadPatch(p: PatchRequest): JsonPatchOp[] {
  const ops: JsonPatchOp[] = [];
  const resolved: Record<string, string> = {};
  for (const use of p.workload.images) {
    const digest = p.digests.get(use.image);
    if (digest === undefined) continue;
    resolved[use.container] = digest;
    if (p.pin.has(use.image)) ops.push({ op: 'replace', path: use.pointer, value: pinned(use.image, digest) });
  }
  ensureObject(p.object, p.workload.templateMetadataPointer, ops);
  ensureObject(p.object, `${p.workload.templateMetadataPointer}/annotations`, ops);
  const annotations = `${p.workload.templateMetadataPointer}/annotations`;
  ops.push({ op: 'add', path: `${annotations}/${escapeToken(RESOLVED_IMAGES_ANNOTATION)}`, value: JSON.stringify(resolved) });
  ops.push({ op: 'add', path: `${annotations}/${escapeToken(DECISION_ANNOTATION)}`, value: p.outcome });
  if (p.sandbox !== undefined) ops.push(...sandboxOps(p.object, p.workload, p.sandbox));
  return ops;
}

/** "repo:tag" → "repo:tag@sha256:…"; an already pinned reference gets the resolved digest in place of its own. */
function pinned(image: string, digest: string): string {
  const at = image.indexOf('@');
  return `${at === -1 ? image : image.slice(0, at)}@${digest}`;
}

function sandboxOps(object: JsonValue, workload: WorkloadImages, s: SandboxChanges): JsonPatchOp[] {
  const ops: JsonPatchOp[] = [];
  const spec = workload.podSpecPointer;
  if (s.runtimeClassName !== undefined) ops.push({ op: 'add', path: `${spec}/runtimeClassName`, value: s.runtimeClassName });
  if (s.nodeSelector !== undefined && Object.keys(s.nodeSelector).length > 0) {
    ensureObject(object, `${spec}/nodeSelector`, ops);
    for (const [k, v] of Object.entries(s.nodeSelector)) ops.push({ op: 'add', path: `${spec}/nodeSelector/${escapeToken(k)}`, value: v });
  }
  const specValue = at(object, spec);
  if (!isJsonObject(specValue ?? null)) return ops;
  for (const member of ['initContainers', 'containers', 'ephemeralContainers']) {
    const list = (specValue as JsonObject)[member];
    if (!Array.isArray(list)) continue;
    list.forEach((c, i) => {
      const base = `${spec}/${member}/${i}`;
      if (s.readOnlyRootFilesystem === true || s.allowPrivilegeEscalation === false) {
        ensureObject(object, `${base}/securityContext`, ops);
        if (s.readOnlyRootFilesystem === true) ops.push({ op: 'add', path: `${base}/securityContext/readOnlyRootFilesystem`, value: true });
        if (s.allowPrivilegeEscalation === false) ops.push({ op: 'add', path: `${base}/securityContext/allowPrivilegeEscalation`, value: false });
      }
      // Ephemeral containers may not set resources (the API refuses them).
      if (s.limits !== undefined && member !== 'ephemeralContainers') ops.push(...limitOps(object, base, c, s.limits));
    });
  }
  return ops;
}

function limitOps(object: JsonValue, base: string, container: JsonValue, limits: NonNullable<SandboxChanges['limits']>): JsonPatchOp[] {
  const ops: JsonPatchOp[] = [];
  const current = isJsonObject(container) ? at(container, '/resources/limits') : undefined;
  const wanted = Object.entries(limits).filter((e): e is [string, string] => typeof e[1] === 'string');
  const toSet = wanted.filter(([name, value]) => {
    const existing = isJsonObject(current ?? null) ? (current as JsonObject)[name] : undefined;
    // An existing lower limit is already stricter than the sandbox asks; an unreadable one is replaced.
    if (typeof existing !== 'string' && typeof existing !== 'number') return true;
    const have = parseQuantity(String(existing));
    const want = parseQuantity(value);
    return have === undefined || want === undefined || compareQuantities(want, have) < 0;
  });
  if (toSet.length === 0) return ops;
  ensureObject(object, `${base}/resources`, ops);
  ensureObject(object, `${base}/resources/limits`, ops);
  for (const [name, value] of toSet) ops.push({ op: 'add', path: `${base}/resources/limits/${name}`, value });
  return ops;
}

/** Adds an empty object at `pointer` when the object has none there (its parent must exist). */
function ensureObject(object: JsonValue, pointer: string, ops: JsonPatchOp[]): void {
  const tokens = pointer.split('/').slice(1).map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  let here: JsonValue | undefined = object;
  for (const token of tokens) here = Array.isArray(here) ? here[Number(token)] : isJsonObject(here ?? null) ? (here as JsonObject)[token] : undefined;
  if (isJsonObject(here ?? null)) return;
  if (ops.some((o) => o.path === pointer)) return;
  ops.push({ op: 'add', path: pointer, value: {} });
}
