// A small RFC 6902 applier for the tests (add and replace, RFC 6901 pointers), written independently of the patch
// builder so that a patch is checked by applying it, as the API server does.
import assert from 'node:assert/strict';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function applyPatch(document: Json, ops: readonly { op: string; path: string; value?: unknown }[]): Json {
  const doc = structuredClone(document);
  for (const op of ops) {
    assert.ok(op.op === 'add' || op.op === 'replace', `unsupported op ${op.op}`);
    const tokens = op.path.split('/').slice(1).map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = tokens.pop()!;
    let parent: Json = doc;
    for (const t of tokens) {
      parent = Array.isArray(parent) ? parent[Number(t)]! : (parent as Record<string, Json>)[t]!;
      assert.ok(parent !== undefined && parent !== null && typeof parent === 'object', `${op.path}: parent ${t} does not exist`);
    }
    if (Array.isArray(parent)) {
      const i = last === '-' ? parent.length : Number(last);
      if (op.op === 'add') parent.splice(i, 0, op.value as Json);
      else {
        assert.ok(i < parent.length, `${op.path}: replace of a missing element`);
        parent[i] = op.value as Json;
      }
    } else {
      const o = parent as Record<string, Json>;
      if (op.op === 'replace') assert.ok(last in o, `${op.path}: replace of a missing member`);
      o[last] = op.value as Json;
    }
  }
  return doc;
}
