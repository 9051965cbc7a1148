import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { terminalProgress } from '../../src/cli/progress.js';

function terminal(isTTY: boolean): { stream: Writable & { isTTY?: boolean }; text: () => string } {
  let text = '';
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer | string, _e, done) {
        text += chunk.toString();
        done();
      },
    }),
    { isTTY },
  );
  return { stream, text: () => text };
}

const DIGEST = `sha256:${'a'.repeat(64)}` as const;

test('progress shows on a terminal: layer, bytes and rate', () => {
  const t = terminal(true);
  const progress = terminalProgress(t.stream, false);
  assert.ok(progress);
  progress.layerStarted(0, 2, { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: DIGEST, size: 2_500_000 });
  progress.layerDone(0, { diffId: DIGEST, entries: 42, compressedBytes: 2_500_000, uncompressedBytes: 10_000_000 });
  assert.match(t.text(), /layer 1\/2 aaaaaaaaaaaa 2\.5 MB/);
  assert.match(t.text(), /10\.0 MB unpacked, 42 entries, [\d.]+ MB\/s\n$/);
});

test('progress is silent when not a terminal or with --quiet', () => {
  assert.equal(terminalProgress(terminal(false).stream, false), undefined);
  assert.equal(terminalProgress(terminal(true).stream, true), undefined);
});
