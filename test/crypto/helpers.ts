// Shared by the crypto tests: fixture access and error-code assertions.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ProvenantError, type ErrorCode } from '../../src/core/errors.js';

export function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/crypto/${name}`, import.meta.url), 'utf8');
}

export const isCode =
  (code: ErrorCode) =>
  (e: unknown): boolean =>
    e instanceof ProvenantError && e.code === code;

export function throwsCode(fn: () => unknown, code: ErrorCode, message?: string): void {
  assert.throws(fn, isCode(code), message);
}

export async function rejectsCode(promise: Promise<unknown>, code: ErrorCode, message?: string): Promise<void> {
  await assert.rejects(promise, isCode(code), message);
}

/** DSSE pre-authentication encoding (DSSE protocol.md), written out here so the test does not depend on src/formats. */
export function pae(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}
