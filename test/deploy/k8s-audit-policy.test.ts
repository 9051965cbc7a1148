// deploy/kubernetes/audit-policy.yaml, read the way kube-apiserver reads an audit policy: rules in order, the first
// whose verbs and resources match sets the level (apiserver/pkg/audit/policy/checker.go; "*", "*/sub" and "res/*"
// patterns). Every kind the webhooks gate is logged whole when written, the rest of those resources by metadata,
// reads and status writes not at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { GATED_RESOURCES } from '../../src/intercept/k8s/webhooks.js';

interface GroupResources {
  group?: string;
  resources?: string[];
}
interface PolicyRule {
  level: string;
  verbs?: string[];
  resources?: GroupResources[];
}
interface Policy {
  apiVersion: string;
  kind: string;
  omitStages?: string[];
  rules: PolicyRule[];
}

const policy = parse(await readFile(new URL('../../deploy/kubernetes/audit-policy.yaml', import.meta.url), 'utf8')) as Policy;

function resourceMatches(rule: PolicyRule, group: string, resource: string): boolean {
  if (rule.resources === undefined) return true;
  const [main, sub] = resource.split('/') as [string, string | undefined];
  return rule.resources.some((gr) => {
    if ((gr.group ?? '') !== group) return false;
    if (gr.resources === undefined || gr.resources.length === 0) return true;
    return gr.resources.some((r) => r === resource || r === '*' || (sub !== undefined && r === `*/${sub}`) || (r.endsWith('/*') && r.slice(0, -2) === main));
  });
}

function level(verb: string, group: string, resource: string): string {
  const rule = policy.rules.find((r) => (r.verbs === undefined || r.verbs.includes(verb)) && resourceMatches(r, group, resource));
  return rule?.level ?? 'None';
}

test('the policy is an audit.k8s.io/v1 Policy using only the fields this reading understands', () => {
  assert.equal(policy.apiVersion, 'audit.k8s.io/v1');
  assert.equal(policy.kind, 'Policy');
  assert.deepEqual(policy.omitStages, ['RequestReceived']);
  for (const rule of policy.rules) {
    assert.deepEqual(Object.keys(rule).filter((k) => !['level', 'verbs', 'resources'].includes(k)), [], JSON.stringify(rule));
    assert.ok(['None', 'Metadata', 'Request', 'RequestResponse'].includes(rule.level));
    for (const gr of rule.resources ?? []) assert.deepEqual(Object.keys(gr).filter((k) => !['group', 'resources'].includes(k)), []);
  }
});

test('every gated kind: writes logged whole, other requests by metadata, reads and status writes not at all', () => {
  for (const { group, resources } of GATED_RESOURCES) {
    for (const resource of resources) {
      for (const verb of ['create', 'update', 'patch']) assert.equal(level(verb, group, resource), 'RequestResponse', `${verb} ${resource}`);
      for (const verb of ['delete', 'deletecollection']) assert.equal(level(verb, group, resource), 'Metadata', `${verb} ${resource}`);
      for (const verb of ['get', 'list', 'watch']) assert.equal(level(verb, group, resource), 'None', `${verb} ${resource}`);
      assert.equal(level('update', group, `${resource}/status`), 'None', `${resource}/status`);
    }
  }
});

test('kubectl debug, exec and scaling; webhook configurations; nothing else', () => {
  const cases: [string, string, string, string][] = [
    ['patch', '', 'pods/ephemeralcontainers', 'RequestResponse'],
    ['update', '', 'pods/ephemeralcontainers', 'RequestResponse'],
    ['create', '', 'pods/exec', 'Metadata'],
    ['create', '', 'pods/eviction', 'Metadata'],
    ['get', '', 'pods/log', 'None'],
    ['patch', 'apps', 'deployments/scale', 'Metadata'],
    ['delete', 'admissionregistration.k8s.io', 'validatingwebhookconfigurations', 'RequestResponse'],
    ['patch', 'admissionregistration.k8s.io', 'mutatingwebhookconfigurations', 'RequestResponse'],
    ['list', 'admissionregistration.k8s.io', 'mutatingwebhookconfigurations', 'None'],
    ['create', '', 'configmaps', 'None'],
    ['create', '', 'secrets', 'None'],
    ['update', '', 'nodes/status', 'None'],
    ['create', 'apps', 'controllerrevisions', 'None'],
  ];
  for (const [verb, group, resource, expected] of cases) assert.equal(level(verb, group, resource), expected, `${verb} ${group}/${resource}`);
});
