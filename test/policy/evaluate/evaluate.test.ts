// Matching, policy modes, the decision's outcome, reasons and warnings, and the request-time check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProvenantError } from '../../../src/core/errors.js';
import { evaluate } from '../../../src/policy/evaluate/evaluate.js';
import type { Rule } from '../../../src/policy/policy.js';
import { KEY_A, KEY_B, globs, imageFacts, input, match, policy, policySet, rule, signature } from './policy-fixtures.js';

const signedByB = rule({ kind: 'signature', signers: [{ kind: 'key', keyId: KEY_B.keyId, publicKey: KEY_B.publicKey }], count: 1 }, { name: 'signed-by-b' });
const fromEvilRegistry = (action: Rule['action'], name: string, sandbox?: Rule['sandbox']) =>
  rule(
    { kind: 'dependencies', blocked: [], trustedSources: globs('oci://registry.example.com/nowhere/**'), allowedLicenses: [] },
    { name, action, ...(sandbox === undefined ? {} : { sandbox }) },
  );

test('matching: every criterion the policy gives must hold', () => {
  const applies = (m: Parameters<typeof match>[0], context = {}) => evaluate(input(policySet([policy('p', [], { match: match(m) })]), imageFacts(), undefined, context)).policies[0]!;
  assert.equal(applies({}).matched, true);
  assert.equal(applies({ images: ['registry.example.com/acme/*'] }).matched, true);
  assert.equal(applies({ images: ['registry.example.com/other/**'] }).matched, false);
  assert.equal(applies({ images: ['registry.example.com/acme/payments@sha256:*'] }).matched, true, 'the digest form is tried too');
  assert.equal(applies({ registries: ['registry.example.com'] }).matched, true);
  assert.equal(applies({ registries: ['ghcr.io'] }).matched, false);
  assert.equal(applies({ namespaces: ['payments'] }).matched, true);
  assert.equal(applies({ namespaces: ['payments'] }, { namespace: undefined }).matched, false, 'a request without a namespace');
  assert.equal(applies({ kinds: ['Deployment', 'Pod'] }).matched, true);
  assert.equal(applies({ kinds: ['CronJob'] }).matched, false);
  assert.equal(applies({ kinds: ['Pod'] }, { kind: undefined }).matched, false);
  const selector = (expressions: NonNullable<Parameters<typeof match>[0]['namespaceSelector']>['matchExpressions'], matchLabels = {}) => ({ namespaceSelector: { matchLabels, matchExpressions: expressions } });
  assert.equal(applies(selector([], { env: 'prod' })).matched, true);
  assert.equal(applies(selector([], { env: 'dev' })).matched, false);
  assert.equal(applies(selector([{ key: 'env', operator: 'In', values: ['prod', 'staging'] }])).matched, true);
  assert.equal(applies(selector([{ key: 'env', operator: 'NotIn', values: ['prod'] }])).matched, false);
  assert.equal(applies(selector([{ key: 'tier', operator: 'NotIn', values: ['prod'] }])).matched, true, 'NotIn holds for an absent label');
  assert.equal(applies(selector([{ key: 'team', operator: 'Exists', values: [] }])).matched, true);
  assert.equal(applies(selector([{ key: 'team', operator: 'DoesNotExist', values: [] }])).matched, false);
  assert.equal(applies(selector([{ key: 'team', operator: 'Exists', values: [] }]), { namespace: undefined, namespaceLabels: undefined }).matched, false);
  assert.match(applies({ kinds: ['CronJob'] }).matchReason, /^kind Deployment is not one of CronJob$/);
});

test('pinning: a matched policy that asks for it, in enforce or warn mode, marks the decision; audit mode does not', () => {
  const pinning = (mode: 'enforce' | 'warn' | 'audit', m = match({})) => ({ ...policy('pin', [signedByB], { mode, match: m }), pinDigests: true });
  const facts = imageFacts({ signatures: [signature(KEY_B, 'b')] });
  const decide = (...ps: ReturnType<typeof pinning>[]) => evaluate(input(policySet([policy('plain', []), ...ps]), facts));
  assert.equal(decide().pinDigest, undefined);
  assert.equal(decide(pinning('enforce')).pinDigest, true);
  assert.equal(decide(pinning('warn')).pinDigest, true);
  assert.equal(decide(pinning('audit')).pinDigest, undefined);
  assert.equal(decide(pinning('enforce', match({ namespaces: ['elsewhere'] }))).pinDigest, undefined, 'not matched');
  assert.equal(decide(pinning('enforce')).outcome, 'allow');
});

test('no policy matched: the set’s noMatch outcome, with a reason saying so', () => {
  const other = policy('elsewhere', [signedByB], { match: match({ namespaces: ['other'] }) });
  for (const noMatch of ['allow', 'warn', 'deny'] as const) {
    const d = evaluate(input(policySet([other], noMatch)));
    assert.equal(d.outcome, noMatch);
    assert.equal(d.rules.length, 0);
    assert.match(d.reasons[0]!, /^no policy matches registry\.example\.com\/acme\/payments:1\.4\.2 \(sha256:[0-9a-f]{64}\) in namespace payments for a Deployment; policies\.noMatch is /);
    assert.equal(d.warnings.length, noMatch === 'warn' ? 1 : 0);
  }
  assert.equal(evaluate(input(policySet([]), undefined, undefined)).outcome, 'deny');
});

test('modes: enforce denies; warn turns deny into warn and keeps sandbox; audit records and allows', () => {
  const facts = imageFacts({ signatures: [signature(KEY_A, 'a')] });
  const run = (mode: 'enforce' | 'warn' | 'audit', rules: Rule[]) => evaluate(input(policySet([policy('p', rules, { mode })]), facts));
  const enforce = run('enforce', [signedByB]);
  assert.deepEqual([enforce.outcome, enforce.rules[0]!.effect, enforce.warnings.length], ['deny', 'deny', 0]);
  const warn = run('warn', [signedByB]);
  assert.deepEqual([warn.outcome, warn.rules[0]!.effect, warn.policies[0]!.outcome], ['warn', 'warn', 'warn']);
  assert.deepEqual(warn.warnings, warn.reasons);
  const warnSandbox = run('warn', [fromEvilRegistry('sandbox', 's', { runtimeClassName: 'gvisor' })]);
  assert.deepEqual([warnSandbox.outcome, warnSandbox.sandbox], ['sandbox', { runtimeClassName: 'gvisor' }]);
  const audit = run('audit', [signedByB, fromEvilRegistry('sandbox', 's')]);
  assert.deepEqual([audit.outcome, audit.policies[0]!.outcome, audit.rules.map((r) => r.effect)], ['allow', 'allow', ['audit', 'audit']]);
  assert.deepEqual(audit.reasons, []);
  assert.equal(audit.warnings.length, 2);
  assert.match(audit.warnings[0]!, /^p\/signed-by-b: .+ \[audit mode: would deny\]$/);
  assert.equal(audit.sandbox, undefined);
});

test('outcome: deny over sandbox over warn; reasons deny first, then sandbox, then warn; a rule message leads its reason', () => {
  const d = evaluate(
    input(
      policySet([
        policy('warns', [fromEvilRegistry('warn', 'w')]),
        policy('sandboxes', [fromEvilRegistry('sandbox', 's', { readOnlyRootFilesystem: true })]),
        policy('denies', [{ ...signedByB, message: 'Images must be signed by the release key' }]),
      ]),
    ),
  );
  assert.equal(d.outcome, 'deny');
  assert.deepEqual(d.policies.map((p) => p.outcome), ['warn', 'sandbox', 'deny']);
  assert.deepEqual(d.reasons.map((r) => r.split(':')[0]), ['denies/signed-by-b', 'sandboxes/s', 'warns/w']);
  assert.match(d.reasons[0]!, /^denies\/signed-by-b: Images must be signed by the release key \(requires signatures/);
  assert.equal(d.sandbox, undefined, 'changes are given only with a sandbox outcome');
  assert.deepEqual(d.warnings.map((w) => w.split(':')[0]), ['warns/w']);
  const signedByA = rule({ kind: 'signature', signers: [{ kind: 'key', keyId: KEY_A.keyId, publicKey: KEY_A.publicKey }], count: 1 });
  const passing = evaluate(input(policySet([policy('ok', [signedByA])])));
  assert.deepEqual([passing.outcome, passing.reasons, passing.warnings], ['allow', [], []]);
});

test('outcome: sandbox changes that cannot be merged make the decision deny, saying why', () => {
  const d = evaluate(
    input(
      policySet([
        policy('a', [fromEvilRegistry('sandbox', 'gvisor', { runtimeClassName: 'gvisor' })]),
        policy('b', [fromEvilRegistry('sandbox', 'kata', { runtimeClassName: 'kata' })]),
      ]),
    ),
  );
  assert.equal(d.outcome, 'deny');
  assert.equal(d.sandbox, undefined);
  assert.equal(d.reasons[0], 'b/kata: sandbox changes cannot be merged: runtimeClassName "kata" conflicts with "gvisor" of a/gvisor');
  assert.equal(d.reasons.length, 3);
});

test('decision: versions, image and time come from the input; a request time that is not an instant is refused', () => {
  const d = evaluate(input(policySet([policy('p', [])], 'deny', 'policy-set@17')));
  assert.equal(d.policyVersion, 'policy-set@17');
  assert.equal(d.decidedAt, '2024-06-01T12:00:00Z');
  assert.deepEqual(d.image, { reference: 'registry.example.com/acme/payments:1.4.2', digest: imageFacts().image.digest });
  assert.match(d.dataVersion, /^sha256:[0-9a-f]{64}\|reputation@77\|[0-9a-f]{32}$/);
  for (const at of ['yesterday', '2024-13-01T00:00:00Z', '']) {
    assert.throws(() => evaluate(input(policySet([]), undefined, undefined, { at })), (e: unknown) => e instanceof ProvenantError && e.code === 'EVALUATION_INPUT_INVALID');
  }
});
