// `spec.rules` of a ProvenancePolicy: each rule has a unique name, an action, and exactly one kind. A sandbox
// (the changes a `sandbox` outcome asks the interceptor to make) belongs to action `sandbox` and only to it.
import type { Rule, RuleAction, SandboxChanges } from '../policy.js';
import { failAt } from './failure.js';
import { exactlyOne, Fields, flag, list, oneOf, text, textMap } from './read-fields.js';
import { ruleBody, RULE_KINDS } from './rule-kinds.js';
import { DNS_SUBDOMAIN_RULE, LABEL_KEY_RULE, LABEL_VALUE_RULE, NAME_RULE, quantity } from './values.js';
import type { YamlNode } from './yaml-tree.js';

export const MAX_RULES = 500;
const ACTIONS: readonly RuleAction[] = ['deny', 'warn', 'sandbox'];
const COMMON_FIELDS = ['name', 'action', 'message', 'sandbox'];

export function readRules(node: YamlNode): Rule[] {
  const names = new Set<string>();
  return list(node, MAX_RULES, 1).map((item) => {
    const f = Fields.of(item, [...COMMON_FIELDS, ...RULE_KINDS]);
    const nameNode = f.need('name');
    const name = text(nameNode, NAME_RULE);
    if (names.has(name)) failAt(nameNode, `another rule is already named ${JSON.stringify(name)}`);
    names.add(name);
    return readRule(f, name);
  });
}

function readRule(f: Fields, name: string): Rule {
  const action = f.has('action') ? oneOf(f.need('action'), ACTIONS) : 'deny';
  const message = f.has('message') ? { message: text(f.need('message'), { max: 1024 }) } : {};
  const kind = exactlyOne(f, RULE_KINDS);
  const body = ruleBody(kind, f.need(kind));
  if (action === 'sandbox') {
    return { ...body, name, action, ...message, sandbox: sandbox(f.get('sandbox') ?? failAt(f.missing('sandbox'), 'is required when the action is sandbox')) };
  }
  if (f.has('sandbox')) failAt(f.keyOf('sandbox'), 'is allowed only with action: sandbox');
  return { ...body, name, action, ...message };
}

function sandbox(node: YamlNode): SandboxChanges {
  const f = Fields.of(node, ['runtimeClassName', 'readOnlyRootFilesystem', 'allowPrivilegeEscalation', 'nodeSelector', 'limits']);
  if (f.node.entries.size === 0) failAt(node, 'a sandbox must ask for at least one change');
  const out: {
    runtimeClassName?: string;
    nodeSelector?: Record<string, string>;
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: false;
    limits?: { cpu?: string; memory?: string };
  } = {};
  if (f.has('runtimeClassName')) out.runtimeClassName = text(f.need('runtimeClassName'), DNS_SUBDOMAIN_RULE);
  if (f.has('readOnlyRootFilesystem')) out.readOnlyRootFilesystem = flag(f.need('readOnlyRootFilesystem'));
  if (f.has('allowPrivilegeEscalation')) {
    const escalation = f.need('allowPrivilegeEscalation');
    if (flag(escalation)) failAt(escalation, 'can only be false: a sandbox never grants privilege escalation');
    out.allowPrivilegeEscalation = false;
  }
  if (f.has('nodeSelector')) out.nodeSelector = textMap(f.need('nodeSelector'), 64, LABEL_KEY_RULE, LABEL_VALUE_RULE);
  if (f.has('limits')) {
    const limits = Fields.of(f.need('limits'), ['cpu', 'memory']);
    if (limits.node.entries.size === 0) failAt(limits.node, 'needs cpu or memory');
    out.limits = {
      ...(limits.has('cpu') ? { cpu: quantity(limits.need('cpu')) } : {}),
      ...(limits.has('memory') ? { memory: quantity(limits.need('memory')) } : {}),
    };
  }
  return out;
}
