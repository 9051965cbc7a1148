// The printed manifests read by the real kubectl, offline (no cluster: `kubectl create --dry-run=client` needs an API
// server for discovery, so other offline paths are used):
// - `kubectl kustomize` of a directory holding the output as its resource: every document has the apiVersion, kind
//   and name kubectl's resource loader requires, with no duplicate object;
// - `kubectl set env --local`: kubectl decodes every document into its own typed API structs (a field of the wrong
//   type is an "unable to decode" error); it then edits only objects with a pod template and names the Go type of
//   each other object it decoded. The Deployment it prints back went through that typed decoding, which drops any
//   field the API does not have, so it must still hold every field written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { cli } from '../../cli/cli-helpers.js';
import { requireProgram } from '../../helpers/registry.js';
import type { K8sObject } from './manifest-objects.js';

const PROBE = 'PROVENANT_DECODE_PROBE';
const TYPED = [
  '*v1.ClusterRole', '*v1.ClusterRoleBinding', '*v1.MutatingWebhookConfiguration', '*v1.Namespace', '*v1.PodDisruptionBudget',
  '*v1.Secret', '*v1.Secret', '*v1.Service', '*v1.ServiceAccount', '*v1.ValidatingWebhookConfiguration',
];

function kubectl(args: string[], home: string): { status: number | null; stdout: string; stderr: string } {
  const bin = requireProgram('kubectl', 'kubectl 1.32');
  // A kubeconfig that does not exist and a private HOME: nothing is read from, or cached for, a real cluster.
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, KUBECONFIG: join(home, 'no-kubeconfig') };
  const r = spawnSync(bin, args, { env, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function parse(text: string): K8sObject[] {
  return parseAllDocuments(text).map((d) => d.toJSON() as K8sObject).filter((d) => d !== null);
}

/** Every value of `expected` is in `actual` at the same place; arrays have the same length. */
function assertHolds(actual: unknown, expected: unknown, path: string): void {
  if (expected !== null && typeof expected === 'object') {
    assert.ok(actual !== null && typeof actual === 'object', `${path}: missing after kubectl's decoding`);
    if (Array.isArray(expected)) {
      assert.ok(Array.isArray(actual) && actual.length === expected.length, `${path}: length changed`);
    }
    for (const [k, v] of Object.entries(expected)) assertHolds((actual as Record<string, unknown>)[k], v, `${path}.${k}`);
    return;
  }
  assert.deepEqual(actual, expected, path);
}

async function setEnv(yamlText: string, dir: string): Promise<{ typed: string[]; decodeErrors: string[]; printed: K8sObject[] }> {
  const file = join(dir, 'manifests.yaml');
  await writeFile(file, yamlText);
  const r = kubectl(['set', 'env', '--local', '-f', file, '-o', 'json', `${PROBE}=1`], dir);
  const typed = [...r.stderr.matchAll(/does not have a pod template: (\*v1\.\w+)/g)].map((m) => m[1]!).sort();
  const decodeErrors = r.stderr.split('\n').filter((l) => l.includes('unable to decode'));
  return { typed, decodeErrors, printed: r.stdout.trim() === '' ? [] : [JSON.parse(r.stdout) as K8sObject] };
}

test('kubectl kustomize loads every printed document', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'provenant-kubectl-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const out = await cli(['k8s', 'manifests', '--namespace', 'security']);
  assert.equal(out.exit, 0, out.stderr);
  await mkdir(join(dir, 'base'));
  await writeFile(join(dir, 'base', 'manifests.yaml'), out.stdout);
  await writeFile(join(dir, 'base', 'kustomization.yaml'), 'resources:\n  - manifests.yaml\n');
  const r = kubectl(['kustomize', join(dir, 'base')], dir);
  assert.equal(r.status, 0, r.stderr);
  const id = (d: K8sObject): string => `${d.kind}/${d.metadata.namespace ?? ''}/${d.metadata.name}`;
  assert.deepEqual(parse(r.stdout).map(id).sort(), parse(out.stdout).map(id).sort());
});

test('kubectl decodes every document into its API types; the Deployment keeps every field', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'provenant-kubectl-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const out = await cli(['k8s', 'manifests']);
  assert.equal(out.exit, 0, out.stderr);
  const { typed, decodeErrors, printed } = await setEnv(out.stdout, dir);
  assert.deepEqual(decodeErrors, []);
  assert.deepEqual(typed, TYPED);
  assert.equal(printed.length, 1);
  const [deployment] = printed;
  const container = deployment!.spec!.template!.spec.containers[0]! as unknown as { env: { name: string }[] };
  assert.equal(container.env.at(-1)!.name, PROBE);
  container.env.pop();
  assertHolds(deployment, parse(out.stdout).find((d) => d.kind === 'Deployment'), 'Deployment');
});

test('a document with a field of the wrong type is not decoded (the check can fail)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'provenant-kubectl-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const out = await cli(['k8s', 'manifests']);
  const broken = out.stdout.replace(/^(\s+)timeoutSeconds: 8$/m, '$1timeoutSeconds: eight');
  assert.notEqual(broken, out.stdout);
  const { decodeErrors, typed } = await setEnv(broken, dir);
  assert.equal(decodeErrors.length, 1, decodeErrors.join('\n'));
  assert.match(decodeErrors[0]!, /ValidatingWebhook\.webhooks\.timeoutSeconds/);
  assert.ok(!typed.includes('*v1.ValidatingWebhookConfiguration'));
});
