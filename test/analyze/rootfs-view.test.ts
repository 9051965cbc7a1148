import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RootfsView } from '../../src/analyze/rootfs-view.js';
import { usrMergePath } from '../../src/analyze/usrmerge.js';
import type { LayerEntry } from '../../src/analyze/layer-entry.js';
import { packTar, walkBytes, type PackEntry, isCode } from './layer-fixtures.js';

const dir = (name: string, mode = 0o755): PackEntry => ({ name, type: 'directory', mode });
const file = (name: string, data = name): PackEntry => ({ name, data });
const link = (name: string, linkname: string): PackEntry => ({ name, type: 'symlink', linkname });

async function layer(entries: PackEntry[]): Promise<LayerEntry[]> {
  return (await walkBytes(await packTar(entries), { gzip: true })).entries;
}

const paths = (view: RootfsView, prefix = '') => [...view.entries(prefix)].map(([path]) => path);
const files = (view: RootfsView) => [...view.entries()].filter(([, e]) => e.type !== 'dir').map(([path]) => path);

test('three layers: whiteouts delete lower files and trees, opaque directories drop lower children only', async () => {
  const view = new RootfsView();
  view.applyLayer(
    await layer([
      dir('etc'),
      file('etc/a'),
      file('etc/b'),
      dir('opt/app'),
      file('opt/app/x'),
      file('opt/app/sub/y'),
      file('usr/bin/ls'),
      file('var/lib/dpkg/status', 'Package: a\n'),
    ]),
  );
  assert.deepEqual(files(view), ['etc/a', 'etc/b', 'opt/app/sub/y', 'opt/app/x', 'usr/bin/ls', 'var/lib/dpkg/status']);
  assert.equal(view.get('opt')!.implicit, true);
  assert.equal(view.get('etc')!.implicit, false);

  // The opaque marker comes after the layer's own new child, and a whiteout names a file the layer also writes:
  // neither touches the layer's own entries (layer.md, "Whiteouts").
  view.applyLayer(
    await layer([
      file('etc/.wh.a', ''),
      file('opt/app/new'),
      file('opt/app/.wh..wh..opq', ''),
      file('usr/bin/ls', 'new ls'),
      file('usr/bin/.wh.ls', ''),
      file('etc/c'),
      file('.wh.nothing-there', ''),
    ]),
  );
  assert.deepEqual(files(view), ['etc/b', 'etc/c', 'opt/app/new', 'usr/bin/ls', 'var/lib/dpkg/status']);
  assert.equal(view.get('usr/bin/ls')!.layer, 1);
  assert.equal(view.get('etc/a'), undefined);
  assert.equal(view.has('opt/app/sub'), false);

  view.applyLayer(await layer([file('.wh.opt', ''), file('var/lib/.wh.dpkg', ''), file('var/lib/dpkg/status', 'Package: b\n'), dir('etc', 0o700)]));
  assert.deepEqual(paths(view), ['etc', 'etc/b', 'etc/c', 'usr', 'usr/bin', 'usr/bin/ls', 'var', 'var/lib', 'var/lib/dpkg', 'var/lib/dpkg/status']);
  assert.deepEqual([view.get('etc')!.mode, view.get('etc')!.layer], [0o700, 2]);
  assert.equal(view.get('var/lib/dpkg/status')!.layer, 2);
  assert.equal(view.layers, 3);
  assert.equal(view.size, 10);
});

test('a non-directory replaces a directory tree; a directory under a lower symlink hides the symlink', async () => {
  const view = new RootfsView();
  view.applyLayer(await layer([file('a/b/c'), link('lib', 'usr/lib'), file('usr/lib/libc.so')]));
  view.applyLayer(await layer([file('a', 'now a file'), file('lib/extra.so')]));
  assert.deepEqual(paths(view), ['a', 'lib', 'lib/extra.so', 'usr', 'usr/lib', 'usr/lib/libc.so']);
  assert.deepEqual([view.get('lib')!.type, view.get('lib')!.implicit], ['dir', true]);
  assert.equal(view.size, 6);
  assert.deepEqual(paths(view, '/usr/'), ['usr/lib', 'usr/lib/libc.so']);
  assert.deepEqual(paths(view, 'missing'), []);
});

test('an opaque marker at the root clears everything below', async () => {
  const view = new RootfsView();
  view.applyLayer(await layer([file('a'), file('b/c')]));
  view.applyLayer(await layer([file('.wh..wh..opq', ''), file('d')]));
  assert.deepEqual(paths(view), ['d']);
  assert.equal(view.size, 1);
});

test('usrmerge: bin/, sbin/ and lib/ paths meet their usr/ spelling when those are symlinks into usr', async () => {
  const view = new RootfsView();
  view.applyLayer(
    await layer([
      link('bin', 'usr/bin'),
      link('sbin', '/usr/sbin'),
      link('lib', './usr/lib/'),
      link('lib64', '../usr/lib64'),
      file('usr/bin/ls'),
      file('usr/lib/x86_64-linux-gnu/libc.so.6'),
      dir('etc'),
      link('var/run', '/run'),
      link('loop1', 'loop2'),
      link('loop2', 'loop1'),
    ]),
  );
  assert.equal(usrMergePath(view, '/bin/ls'), 'usr/bin/ls');
  assert.equal(usrMergePath(view, '/sbin/ldconfig'), 'usr/sbin/ldconfig');
  assert.equal(usrMergePath(view, 'lib/x86_64-linux-gnu/libc.so.6'), 'usr/lib/x86_64-linux-gnu/libc.so.6');
  assert.equal(usrMergePath(view, 'lib64/ld-linux-x86-64.so.2'), 'lib64/ld-linux-x86-64.so.2');
  assert.equal(usrMergePath(view, '/bin'), 'bin');
  assert.equal(usrMergePath(view, '/etc/passwd'), 'etc/passwd');
  assert.throws(() => usrMergePath(view, '/bin/../etc/shadow'), isCode('ARCHIVE_PATH_UNSAFE'));

  assert.equal(view.resolveParents('/lib64/ld.so'), 'usr/lib64/ld.so');
  assert.equal(view.resolveParents('var/run/docker.sock'), 'run/docker.sock');
  assert.equal(view.resolveParents('bin'), 'bin');
  assert.equal(view.resolveParents('loop1/x'), undefined);

  const unmerged = new RootfsView();
  unmerged.applyLayer(await layer([file('bin/ls'), file('usr/bin/env')]));
  assert.equal(usrMergePath(unmerged, '/bin/ls'), 'bin/ls');
});

test('the node limit bounds the view, implied directories included', async () => {
  const view = new RootfsView({ maxNodes: 5 });
  view.applyLayer(await layer([file('a/b/c')]));
  assert.throws(() => view.applyLayer([{ path: 'x/y/z', type: 'file', mode: 0o644, size: 0, sha256: '' }]), isCode('LAYER_TOO_MANY_ENTRIES'));
});

test('entries that are not normalised are refused', () => {
  for (const path of ['/etc/passwd', 'a/../b', '', 'a//b']) {
    const view = new RootfsView();
    assert.throws(() => view.applyLayer([{ path, type: 'file', mode: 0o644, size: 0, sha256: '' }]), isCode('ARCHIVE_PATH_UNSAFE'), path);
  }
});
