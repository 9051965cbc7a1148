import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { batchRows, checkSequence } from '../../src/store/batch-rows.js';
import type { IntegrationBatch } from '../../src/store/ports.js';
import { INT64_MAX, MAX_SEARCH_TERMS, normaliseSearch } from '../../src/store/stored-values.js';
import { isCode } from './store-under-test.js';
import { TreeBuilder, testBlob, testEntry } from './tree-batches.js';

const three = TreeBuilder.empty().batch([testEntry('v', 0), testEntry('v', 1), testEntry('v', 2)]);
const base = three.next.batch([
  testEntry('v', 3, [{ name: 'kind', value: 'a' }, { name: 'kind', value: 'a' }, { name: 'subject', value: 's' }], [testBlob('x')]),
  testEntry('v', 4, [{ name: 'kind', value: 'a' }], [testBlob('x'), testBlob('y')]),
]).batch;
const altered = (change: Partial<IntegrationBatch>): IntegrationBatch => ({ ...base, ...change });

describe('batchRows', () => {
  it('flattens a batch: indices from fromSize, terms distinct per leaf, blobs distinct by digest', () => {
    const rows = batchRows(base);
    assert.equal(rows.fromSize, 3n);
    assert.equal(rows.toSize, 5n);
    assert.deepEqual(rows.leaves.map((l) => l.index), [3n, 4n]);
    assert.deepEqual(rows.terms.map((t) => `${t.name}=${t.value}@${t.index}`), ['kind=a@3', 'subject=s@3', 'kind=a@4']);
    assert.deepEqual(rows.blobs.map((b) => b.digest), [testBlob('x').digest, testBlob('y').digest]);
    assert.equal(rows.nodes.length, 4);
  });

  it('refuses a batch that is not the exact tree step it claims (INTERNAL)', () => {
    const bad: IntegrationBatch[] = [
      altered({ checkpoint: { ...base.checkpoint, size: 6n } }),
      altered({ checkpoint: { ...base.checkpoint, rootHash: Buffer.alloc(31) } }),
      altered({ leaves: [{ ...base.leaves[0]!, entry: Buffer.from('other') }, base.leaves[1]!] }),
      altered({ nodes: base.nodes.slice(1) }),
      altered({ nodes: [...base.nodes.slice(1), base.nodes[1]!] }),
      altered({ nodes: [{ level: 0, index: 2n, hash: base.nodes[0]!.hash }, ...base.nodes.slice(1)] }),
      altered({ nodes: [{ ...base.nodes[0]!, hash: Buffer.alloc(32) }, ...base.nodes.slice(1)] }),
      altered({ nodes: [{ ...base.nodes[0]!, hash: Buffer.alloc(16) }, ...base.nodes.slice(1)] }),
      altered({ integratedAt: -1 }),
      altered({ checkpoint: { ...base.checkpoint, note: '' } }),
    ];
    bad.forEach((batch, i) => assert.throws(() => batchRows(batch), isCode('INTERNAL'), `case ${i}`));
  });

  it('refuses the same leaf twice in one batch (LOG_DUPLICATE_LEAF)', () => {
    const twice = three.next.batch([testEntry('v', 3), testEntry('v', 3)]).batch;
    assert.throws(() => batchRows(twice), isCode('LOG_DUPLICATE_LEAF'));
  });

  it('refuses terms no backend can index and blobs whose digest does not name their data', () => {
    const term = (value: string) => three.next.batch([testEntry('v', 3, [{ name: 'repository', value }])]).batch;
    assert.throws(() => batchRows(term('r'.repeat(1025))), isCode('INPUT_TOO_LARGE'));
    assert.doesNotThrow(() => batchRows(term('r'.repeat(1024))));
    assert.throws(() => batchRows(term('a\u0000b')), isCode('UNSUPPORTED'));
    const blob = (b: ReturnType<typeof testBlob>) => three.next.batch([testEntry('v', 3, [], [b])]).batch;
    assert.throws(() => batchRows(blob({ ...testBlob('x'), data: Buffer.from('y') })), isCode('DIGEST_MISMATCH'));
    assert.throws(() => batchRows(blob({ ...testBlob('x'), digest: 'md5:00' })), isCode('UNSUPPORTED'));
    assert.throws(() => batchRows(blob({ ...testBlob('x'), digest: 'sha256:AB' })), isCode('DIGEST_MALFORMED'));
  });

  it('refuses to grow past 2^63 - 1 entries (INPUT_TOO_LARGE)', () => {
    assert.throws(() => batchRows(altered({ fromSize: INT64_MAX - 1n })), isCode('INPUT_TOO_LARGE'));
  });
});

describe('checkSequence', () => {
  const rows = batchRows(base);
  const empty = batchRows(three.next.batch([]).batch);

  it('accepts a batch on the size leaves and checkpoints agree on', () => {
    assert.doesNotThrow(() => checkSequence({ checkpoint: 3n, leaf: 2n }, rows));
    assert.doesNotThrow(() => checkSequence({ checkpoint: '3', leaf: '2' }, rows));
    assert.doesNotThrow(() => checkSequence({ checkpoint: null, leaf: null }, batchRows(three.batch)));
    assert.doesNotThrow(() => checkSequence({ checkpoint: 0n, leaf: null }, batchRows(three.batch)));
  });

  it('refuses another size, or a second head of the same size (LOG_SEQUENCE_CONFLICT)', () => {
    assert.throws(() => checkSequence({ checkpoint: 4n, leaf: 3n }, rows), isCode('LOG_SEQUENCE_CONFLICT'));
    assert.throws(() => checkSequence({ checkpoint: 2n, leaf: 1n }, rows), isCode('LOG_SEQUENCE_CONFLICT'));
    assert.throws(() => checkSequence({ checkpoint: 3n, leaf: 2n }, empty), isCode('LOG_SEQUENCE_CONFLICT'));
  });

  it('reports leaves and checkpoints out of step as STORE_CORRUPT', () => {
    assert.throws(() => checkSequence({ checkpoint: 5n, leaf: 2n }, rows), isCode('STORE_CORRUPT'));
    assert.throws(() => checkSequence({ checkpoint: 3n, leaf: null }, rows), isCode('STORE_CORRUPT'));
    assert.throws(() => checkSequence({ checkpoint: null, leaf: 2n }, empty), isCode('STORE_CORRUPT'));
    assert.throws(() => checkSequence({ checkpoint: -1n, leaf: null }, rows), isCode('STORE_CORRUPT'));
  });
});

describe('normaliseSearch', () => {
  it('refuses searches with no terms, too many, unknown names or a bad limit (USAGE)', () => {
    const terms = (n: number) => Array.from({ length: n }, (_, i) => ({ name: 'subject' as const, value: `s${i}` }));
    assert.throws(() => normaliseSearch({ terms: [], limit: 1 }), isCode('USAGE'));
    assert.throws(() => normaliseSearch({ terms: terms(MAX_SEARCH_TERMS + 1), limit: 1 }), isCode('USAGE'));
    assert.equal(normaliseSearch({ terms: terms(MAX_SEARCH_TERMS), limit: 1 }).kind, 'query');
    assert.throws(() => normaliseSearch({ terms: [{ name: 'colour' as 'kind', value: 'x' }], limit: 1 }), isCode('USAGE'));
    assert.throws(() => normaliseSearch({ terms: terms(1), limit: -1 }), isCode('USAGE'));
    assert.throws(() => normaliseSearch({ terms: terms(1), limit: 1.5 }), isCode('USAGE'));
  });
});
