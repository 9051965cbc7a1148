import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layerHistory, MAX_CONFIG_BYTES, parseImageConfig } from '../../src/oci/image-config.js';
import { buildImage } from '../helpers/oci-image.js';

const DIFF = `sha256:${'c'.repeat(64)}`;
const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const base = { os: 'linux', architecture: 'arm64', variant: 'v8', rootfs: { type: 'layers', diff_ids: [DIFF] } };

test('config fields and diff_ids are read from a built image', async () => {
  const image = await buildImage();
  const config = parseImageConfig(image.config.bytes);
  assert.deepEqual(config.diffIds, image.layers.map((l) => l.diffId));
  assert.equal(config.os, 'linux');
  assert.equal(config.architecture, 'amd64');
  assert.deepEqual(config.runtime?.['Cmd'], ['/bin/sh']);
});

test('layers map to history entries, skipping empty_layer steps', async () => {
  const image = await buildImage({
    emptySteps: [
      { before: 0, createdBy: 'ARG VERSION' },
      { before: 1, createdBy: 'ENV A=1' },
      { before: 1, createdBy: 'WORKDIR /app' },
    ],
  });
  const config = parseImageConfig(image.config.bytes);
  assert.equal(config.history.length, 5);
  const { perLayer, consistent } = layerHistory(config);
  assert.equal(consistent, true);
  assert.deepEqual(perLayer.map((h) => h?.createdBy), image.layers.map((l) => l.createdBy));
});

test('missing or surplus history is reported, not invented', () => {
  const none = layerHistory(parseImageConfig(json(base)));
  assert.deepEqual(none, { perLayer: [undefined], consistent: false });
  const surplus = parseImageConfig(json({ ...base, history: [{ created_by: 'a' }, { created_by: 'b' }] }));
  assert.deepEqual(layerHistory(surplus).perLayer.map((h) => h?.createdBy), ['a']);
  assert.equal(layerHistory(surplus).consistent, false);
  const onlyEmpty = parseImageConfig(json({ ...base, history: [{ created_by: 'ENV x', empty_layer: true }] }));
  assert.deepEqual(layerHistory(onlyEmpty), { perLayer: [undefined], consistent: false });
});

test('malformed configs are CONFIG_MALFORMED; JSON and size errors keep their codes', () => {
  const cases: unknown[] = [
    { ...base, rootfs: undefined },
    { ...base, rootfs: { type: 'other', diff_ids: [] } },
    { ...base, rootfs: { type: 'layers', diff_ids: ['sha256:xyz'] } },
    { ...base, rootfs: { type: 'layers', diff_ids: {} } },
    { ...base, os: undefined },
    { ...base, architecture: 3 },
    { ...base, history: [{ created_by: 'x', empty_layer: 'yes' }] },
    { ...base, history: {} },
    { ...base, history: ['x'] },
    { ...base, config: [] },
  ];
  for (const doc of cases) assert.throws(() => parseImageConfig(json(doc)), { code: 'CONFIG_MALFORMED' }, JSON.stringify(doc));
  assert.throws(() => parseImageConfig(Buffer.from('{"os":"linux","os":"windows"}')), { code: 'JSON_DUPLICATE_KEY' });
  assert.throws(() => parseImageConfig(Buffer.alloc(MAX_CONFIG_BYTES + 1, 0x20)), { code: 'INPUT_TOO_LARGE' });
  assert.throws(() => parseImageConfig(json({ ...base, rootfs: { type: 'layers', diff_ids: Array(10_001).fill(DIFF) } })), {
    code: 'INPUT_TOO_LARGE',
  });
  assert.equal(parseImageConfig(json({ ...base, config: null })).runtime, undefined);
});
