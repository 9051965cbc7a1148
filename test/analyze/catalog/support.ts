// Shared by the catalog tests: error-code capture and fixture loading.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ProvenantError } from '../../../src/core/errors.js';

export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ProvenantError, `expected a ProvenantError, got ${String(e)}`);
    return e.code;
  }
  return 'ok';
}

export function fixture(path: string): Buffer {
  return readFileSync(new URL(`../../fixtures/catalog/${path}`, import.meta.url));
}
