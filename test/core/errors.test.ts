import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERROR_CODES, ExitCode, ProvenantError, toProvenantError, type ErrorCode } from '../../src/core/errors.js';
import { renderErrorDocs } from '../../scripts/error-docs.js';

test('docs/errors.md lists exactly the registry (regenerate with scripts/error-docs.ts --write)', () => {
  const committed = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  assert.equal(committed, renderErrorDocs());
});

test('every code maps to a documented exit code and an HTTP error status', () => {
  const exits = new Set<number>(Object.values(ExitCode));
  for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
    const err = new ProvenantError(code, 'x');
    assert.ok(exits.has(err.exitCode), code);
    assert.notEqual(err.exitCode, 0, code);
    assert.ok(err.status >= 400 && err.status < 600, code);
  }
});

test('error body carries code, message and details only when given', () => {
  assert.deepEqual(new ProvenantError('DIGEST_MISMATCH', 'm').toBody(), { code: 'DIGEST_MISMATCH', message: 'm' });
  assert.deepEqual(new ProvenantError('USAGE', 'm', { details: { a: 1 } }).toBody(), {
    code: 'USAGE',
    message: 'm',
    details: { a: 1 },
  });
});

test('foreign errors are wrapped as INTERNAL with their cause kept', () => {
  const original = new TypeError('boom');
  const wrapped = toProvenantError(original);
  assert.equal(wrapped.code, 'INTERNAL');
  assert.equal(wrapped.cause, original);
  const own = new ProvenantError('USAGE', 'x');
  assert.equal(toProvenantError(own), own);
});
