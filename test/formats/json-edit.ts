// Path-based edits of JSON text for building malformed and tampered variants in tests.
type Container = Record<string, unknown> | unknown[];

function isContainer(v: unknown): v is Container {
  return typeof v === 'object' && v !== null;
}

/** Value at a dotted path ("a.b.0.c"); throws if the path does not exist. */
export function jsonAt(json: string, path: string): unknown {
  let node: unknown = JSON.parse(json);
  for (const part of path.split('.')) {
    if (!isContainer(node) || !(part in node)) throw new Error(`no ${path} in the JSON`);
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** JSON text with the value at `path` replaced (created if the parent exists), or deleted when undefined. */
export function jsonEdit(json: string, path: string, value: unknown): string {
  const root: unknown = JSON.parse(json);
  const parts = path.split('.');
  const last = parts.pop() as string;
  let node: unknown = root;
  for (const part of parts) {
    if (!isContainer(node) || !(part in node)) throw new Error(`no ${path} in the JSON`);
    node = (node as Record<string, unknown>)[part];
  }
  if (!isContainer(node)) throw new Error(`${path} has no parent object`);
  const parent = node as Record<string, unknown>;
  if (value === undefined) delete parent[last];
  else parent[last] = value;
  return JSON.stringify(root);
}
