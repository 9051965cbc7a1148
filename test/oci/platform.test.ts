import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arch } from 'node:os';
import { sha256Digest } from '../../src/core/digest.js';
import type { ImageIndex } from '../../src/oci/manifest.js';
import { MediaType } from '../../src/oci/media-types.js';
import { formatPlatform, hostPlatform, parsePlatform, platformMatches, selectPlatformManifest } from '../../src/oci/platform.js';
import type { Descriptor, Platform } from '../../src/oci/types.js';

const AMD64_HOST: Platform = { os: 'linux', architecture: 'amd64' };

test('platform specifiers parse like containerd', () => {
  const cases: [string, Platform][] = [
    ['linux/amd64', { os: 'linux', architecture: 'amd64' }],
    ['linux/arm64/v8', { os: 'linux', architecture: 'arm64', variant: 'v8' }],
    ['linux/arm64', { os: 'linux', architecture: 'arm64' }],
    ['linux/aarch64', { os: 'linux', architecture: 'arm64' }],
    ['linux/arm/v7', { os: 'linux', architecture: 'arm', variant: 'v7' }],
    ['linux/arm', { os: 'linux', architecture: 'arm' }],
    ['linux/armel', { os: 'linux', architecture: 'arm', variant: 'v6' }],
    ['Linux/X86_64', { os: 'linux', architecture: 'amd64' }],
    ['macos/arm64', { os: 'darwin', architecture: 'arm64' }],
    ['linux/386', { os: 'linux', architecture: '386' }],
    ['linux', { os: 'linux', architecture: 'amd64' }],
    ['arm64', { os: 'linux', architecture: 'arm64' }],
    ['i386', { os: 'linux', architecture: '386' }],
    ['windows(10.0.17763)/amd64', { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763' }],
    ['windows(10.0.17763+win32k)/amd64', { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763', 'os.features': ['win32k'] }],
  ];
  for (const [spec, expected] of cases) assert.deepEqual(parsePlatform(spec, AMD64_HOST), expected, spec);
  for (const bad of ['', '/amd64', 'linux/', 'linux/amd64/v8/x', 'linux/*', 'plan10', 'linux/am d64', 'x'.repeat(300), 'lin(ux/amd64']) {
    assert.throws(() => parsePlatform(bad, AMD64_HOST), { code: 'USAGE' }, bad);
  }
  assert.equal(formatPlatform(parsePlatform('linux/arm64/v8')), 'linux/arm64/v8');
});

test('matching normalises variants that mean the default', () => {
  assert.ok(platformMatches(parsePlatform('linux/arm64/v8'), { os: 'linux', architecture: 'arm64' }));
  assert.ok(platformMatches(parsePlatform('linux/arm64'), { os: 'linux', architecture: 'arm64', variant: 'v8' }));
  assert.ok(platformMatches(parsePlatform('linux/arm'), { os: 'linux', architecture: 'arm', variant: 'v7' }));
  assert.ok(!platformMatches(parsePlatform('linux/arm/v6'), { os: 'linux', architecture: 'arm', variant: 'v7' }));
  assert.ok(!platformMatches(parsePlatform('linux/amd64'), { os: 'windows', architecture: 'amd64' }));
  const win = { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.5206' };
  assert.ok(platformMatches(parsePlatform('windows(10.0.17763)/amd64'), win));
  assert.ok(!platformMatches(parsePlatform('windows(10.0.1776)/amd64'), win));
  assert.ok(!platformMatches(parsePlatform('windows/amd64'), { ...win, 'os.features': ['win32k'] }));
});

function entry(name: string, platform?: Platform, annotations?: Record<string, string>): Descriptor {
  return { mediaType: MediaType.ociManifest, digest: sha256Digest(name), size: 100, ...(platform ? { platform } : {}), ...(annotations ? { annotations } : {}) };
}

function index(...manifests: Descriptor[]): ImageIndex {
  return { kind: 'index', format: 'oci-index', mediaType: MediaType.ociIndex, manifests };
}

const amd = entry('amd', { os: 'linux', architecture: 'amd64' });
const arm = entry('arm', { os: 'linux', architecture: 'arm64', variant: 'v8' });
const attestation = entry('att', { os: 'unknown', architecture: 'unknown' }, { 'vnd.docker.reference.type': 'attestation-manifest' });

test('an explicit platform selects the first matching entry or fails with PLATFORM_NOT_FOUND', () => {
  const idx = index(attestation, amd, arm, entry('arm-dup', { os: 'linux', architecture: 'arm64' }));
  assert.equal(selectPlatformManifest(idx, parsePlatform('linux/arm64')), arm);
  assert.equal(selectPlatformManifest(idx, parsePlatform('linux/amd64')), amd);
  assert.throws(() => selectPlatformManifest(idx, parsePlatform('linux/s390x')), { code: 'PLATFORM_NOT_FOUND' });
  assert.throws(() => selectPlatformManifest(idx, { os: 'unknown', architecture: 'unknown' }), { code: 'PLATFORM_NOT_FOUND' });
});

test('by default the host platform is used only if present; otherwise one candidate or an error', () => {
  const idx = index(attestation, amd, arm);
  assert.equal(selectPlatformManifest(idx, undefined, AMD64_HOST), amd);
  assert.equal(selectPlatformManifest(idx, undefined, { os: 'linux', architecture: 'arm64', variant: 'v8' }), arm);
  assert.throws(() => selectPlatformManifest(idx, undefined, { os: 'linux', architecture: 'riscv64' }), { code: 'PLATFORM_AMBIGUOUS' });
  assert.equal(selectPlatformManifest(index(attestation, arm), undefined, AMD64_HOST), arm);
  assert.throws(() => selectPlatformManifest(index(attestation), undefined, AMD64_HOST), { code: 'PLATFORM_NOT_FOUND' });
  const nested = { ...amd, mediaType: MediaType.ociIndex };
  assert.throws(() => selectPlatformManifest(index(nested), undefined, AMD64_HOST), { code: 'PLATFORM_NOT_FOUND' });
});

test('the host platform is described in OCI terms', () => {
  const host = hostPlatform();
  const expected: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ia32: '386' };
  if (expected[arch()] !== undefined) assert.equal(host.architecture, expected[arch()]);
  if (process.platform === 'linux') assert.equal(host.os, 'linux');
});
