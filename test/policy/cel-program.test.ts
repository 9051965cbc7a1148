import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isProvenantError } from '../../src/core/errors.js';
import { CEL_LIMITS, compileCel, type CelBindings } from '../../src/policy/cel-program.js';

const EMPTY: CelBindings = {
  image: { reference: 'ghcr.io/acme/app:1', registry: 'ghcr.io' },
  build: null,
  packages: [],
  signatures: [],
  attestations: [],
  audits: [],
  vulnerabilities: [],
  reputation: {},
  request: {},
  now: '2024-06-01T12:00:00Z',
};

function invalid(source: string): void {
  assert.throws(() => compileCel(source), (e) => isProvenantError(e, 'POLICY_INVALID') && typeof e.details?.['problem'] === 'string', JSON.stringify(source.slice(0, 60)));
}

test('evaluates over the bindings and lists the variables read, sorted', () => {
  const program = compileCel('build.toolchains.exists(t, t.name == "gcc" && t.version == "12.2.0") && image.registry == "ghcr.io"');
  assert.deepEqual(program.variables, ['build', 'image']);
  const gcc = { ...EMPTY, build: { toolchains: [{ name: 'gcc', version: '12.2.0' }] } };
  assert.deepEqual(program.evaluate(gcc), { ok: true, value: true });
  const clang = { ...EMPTY, build: { toolchains: [{ name: 'clang', version: '17' }] } };
  assert.deepEqual(program.evaluate(clang), { ok: true, value: false });
  assert.deepEqual(compileCel('true').variables, []);
});

test('an evaluation error or a non-boolean result is an error value, never a throw', () => {
  const missing = compileCel('build.toolchains.size() > 0').evaluate(EMPTY);
  assert.equal(missing.ok, false);
  const number = compileCel('packages.size()').evaluate(EMPTY);
  assert.equal(number.ok, false);
  const badRegexp = compileCel('image.reference.matches("(")').evaluate(EMPTY);
  assert.equal(badRegexp.ok, false);
});

test('variables bound by comprehensions are not free; anything else must be a known fact', () => {
  assert.deepEqual(compileCel('packages.all(p, p.name != "left-pad")').variables, ['packages']);
  invalid('pkgs.size() == 0');
  invalid('packages.exists(p, true) && p == 1');
  invalid('{"a": foo}');
});

test('refuses syntax errors, empty and over-long expressions, too many nodes and deep nesting, always as POLICY_INVALID', () => {
  invalid('1 +');
  invalid('');
  invalid('   ');
  invalid(`"${'x'.repeat(CEL_LIMITS.maxSourceLength)}" == ""`);
  invalid(`[1${',1'.repeat(CEL_LIMITS.maxNodes)}] == []`);
  // Arithmetic nests once per term; thousands of levels would exhaust the stack of the walk and the planner.
  invalid(`1${'+1'.repeat(CEL_LIMITS.maxNesting + 1)} == 0`);
  invalid(`1${'+1'.repeat(1500)} == 0`);
  assert.doesNotThrow(() => compileCel(`1${'+1'.repeat(CEL_LIMITS.maxNesting - 5)} > 0`));
  invalid('packages.exists(a, packages.exists(b, packages.exists(c, true)))');
  assert.doesNotThrow(() => compileCel('packages.exists(a, packages.exists(b, true))'));
  // Comprehensions one after the other do not multiply: the nesting is what counts.
  assert.doesNotThrow(() => compileCel('packages.filter(a, true).map(b, b).exists(c, packages.exists(d, true))'));
});
