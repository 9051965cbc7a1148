// What a backend's test file hands the policy store contract suite, and the decisions it records.
import { sha256Digest } from '../../src/core/digest.js';
import type { NewDecision, ProvenantStore } from '../../src/store/policy-ports.js';
import type { IntegrationBatch } from '../../src/store/ports.js';

export interface PolicyStoreUnderTest {
  readonly store: ProvenantStore;
  /** Opens another store on the same database (another handle or pool); the first one stays open. */
  readonly reopen: () => Promise<ProvenantStore>;
  /** The schema_version setting, read with the backend's own client. */
  readonly schemaVersion: () => Promise<string>;
  /** Removes the database once every store opened on it is closed. */
  readonly cleanup: () => Promise<void>;
}

export interface PolicyBackend {
  /** A fresh database opened with the current code. */
  readonly open: () => Promise<PolicyStoreUnderTest>;
  /**
   * A fresh database given only migration 1 of the current code, with `batch` written by the version-1 log's own
   * statements, then opened with the current code.
   */
  readonly openFromVersion1: (batch: IntegrationBatch) => Promise<PolicyStoreUnderTest>;
}

/** sha256 of the tag: a valid, distinct digest per tag. */
export function digestOf(tag: string): string {
  return sha256Digest(tag);
}

export function testDecision(overrides: Partial<NewDecision> & { readonly tag?: string } = {}): NewDecision {
  const { tag = 'app', ...rest } = overrides;
  return {
    imageDigest: digestOf(tag),
    reference: `registry.example/${tag}:1.0`,
    namespace: null,
    source: 'admission',
    policyVersion: 'policy-1',
    dataVersion: 'data-1',
    outcome: 'allow',
    decidedAt: 1_700_000_000_000,
    decision: Buffer.from(JSON.stringify({ tag, outcome: rest.outcome ?? 'allow' })),
    ...rest,
  };
}
