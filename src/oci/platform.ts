// Platforms: the `--platform` specifier syntax and matching rules of containerd (github.com/containerd/platforms
// Parse, Normalize, NewMatcher), and the choice of one manifest from an index.
import { arch, endianness, platform as nodePlatform } from 'node:os';
import { ProvenantError } from '../core/errors.js';
import type { ImageIndex } from './manifest.js';
import { isIndexFormat, manifestFormatOf } from './media-types.js';
import type { Descriptor, Platform } from './types.js';

const OS_RE = /^([A-Za-z0-9_-]+)(?:\(([A-Za-z0-9_.%-]*)((?:\+[A-Za-z0-9_.%-]+)*)\))?$/;
const COMPONENT_RE = /^[A-Za-z0-9_.-]+$/;
const KNOWN_OS = new Set(
  'aix android darwin dragonfly freebsd hurd illumos ios js linux nacl netbsd openbsd plan9 solaris windows zos'.split(' '),
);
const KNOWN_ARCH = new Set(
  ('386 amd64 amd64p32 arm armbe arm64 arm64be ppc64 ppc64le loong64 mips mipsle mips64 mips64le mips64p32 ' +
    'mips64p32le ppc riscv riscv64 s390 s390x sparc sparc64 wasm').split(' '),
);

function usage(spec: string, reason: string): never {
  throw new ProvenantError('USAGE', `invalid platform ${JSON.stringify(spec)}: ${reason}`, { details: { platform: spec } });
}

/** containerd normalizeArch: canonical architecture names and the variants that mean "the default". */
function normalizeArch(architecture: string, variant: string): [string, string] {
  const a = architecture.toLowerCase();
  const v = variant.toLowerCase();
  switch (a) {
    case 'i386':
      return ['386', ''];
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      return ['amd64', v === 'v1' ? '' : v];
    case 'aarch64':
    case 'arm64':
      if (v === '8' || v === 'v8' || v === 'v8.0') return ['arm64', ''];
      return ['arm64', v === '9' || v === '9.0' || v === 'v9.0' ? 'v9' : v];
    case 'armhf':
      return ['arm', 'v7'];
    case 'armel':
      return ['arm', 'v6'];
    case 'arm':
      if (v === '' || v === '7') return ['arm', 'v7'];
      return ['arm', v === '5' || v === '6' || v === '8' ? `v${v}` : v];
  }
  return [a, v];
}

function normalizeOs(os: string): string {
  const o = os.toLowerCase();
  return o === 'macos' ? 'darwin' : o;
}

/** The platform this process runs on, in OCI terms. */
export function hostPlatform(): Platform {
  const osMap: Record<string, string> = { win32: 'windows', sunos: 'solaris' };
  const archMap: Record<string, string> = { x64: 'amd64', ia32: '386', mipsel: 'mipsle' };
  const p = nodePlatform();
  const a = arch();
  const host: Platform = { os: osMap[p] ?? p, architecture: archMap[a] ?? a };
  if (a === 'ppc64' && endianness() === 'LE') host.architecture = 'ppc64le';
  if (a === 'arm') {
    const version = (process.config.variables as Record<string, unknown>)['arm_version'];
    if (typeof version === 'string' && /^[5-8]$/.test(version)) host.variant = `v${version}`;
  }
  return normalizePlatform(host);
}

/**
 * Parses `<os>[(<os.version>[+<feature>]*)][/<arch>[/<variant>]]` or a lone `<arch>`; the missing half is taken
 * from `host`, as containerd does. Errors: USAGE.
 */
export function parsePlatform(spec: string, host: Platform = hostPlatform()): Platform {
  if (spec.length > 256) usage(spec.slice(0, 64), 'too long');
  if (spec.includes('*')) usage(spec, 'wildcards are not supported');
  const parts = spec.split('/');
  if (parts.length > 3) usage(spec, 'expected at most os/arch/variant');
  const osMatch = OS_RE.exec(parts[0]!);
  if (osMatch === null) usage(spec, 'invalid OS component');
  if (!parts.slice(1).every((p) => COMPONENT_RE.test(p))) usage(spec, 'invalid architecture or variant component');
  const out: Platform = { os: normalizeOs(osMatch[1]!), architecture: '' };
  const version = decodeOption(spec, osMatch[2] ?? '');
  if (version !== '') out['os.version'] = version;
  const features = (osMatch[3] ?? '').split('+').filter((f) => f !== '').map((f) => decodeOption(spec, f));
  if (features.length > 0) out['os.features'] = features;

  let variant: string;
  if (parts.length === 1) {
    if (KNOWN_OS.has(out.os)) {
      return { ...out, architecture: host.architecture, ...(host.variant === undefined ? {} : { variant: host.variant }) };
    }
    if (version !== '' || features.length > 0) usage(spec, 'unknown operating system');
    [out.architecture, variant] = normalizeArch(parts[0]!, '');
    if (!KNOWN_ARCH.has(out.architecture)) usage(spec, 'unknown operating system or architecture');
    out.os = host.os;
    if (out.architecture === 'arm' && variant === 'v7') variant = '';
  } else if (parts.length === 2) {
    [out.architecture, variant] = normalizeArch(parts[1]!, '');
    if (out.architecture === 'arm' && variant === 'v7') variant = '';
  } else {
    [out.architecture, variant] = normalizeArch(parts[1]!, parts[2]!);
    if (out.architecture === 'arm64' && variant === '') variant = 'v8';
  }
  if (variant !== '') out.variant = variant;
  return out;
}

function decodeOption(spec: string, value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return usage(spec, 'bad percent-encoding');
  }
}

/** containerd Normalize: canonical os/architecture/variant; "" variants dropped; features sorted and unique. */
export function normalizePlatform(p: Platform): Platform {
  const [architecture, variant] = normalizeArch(p.architecture, p.variant ?? '');
  const out: Platform = { os: normalizeOs(p.os), architecture };
  if (variant !== '') out.variant = variant;
  if (p['os.version'] !== undefined && p['os.version'] !== '') out['os.version'] = p['os.version'];
  if (p['os.features'] !== undefined && p['os.features'].length > 0) {
    out['os.features'] = [...new Set(p['os.features'])].sort();
  }
  return out;
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter((x) => x !== undefined && x !== '').join('/');
}

/**
 * Whether `candidate` (from an index) satisfies `wanted`: same normalised os, architecture and variant; an
 * os.version, when wanted, equal to the candidate's or a prefix of it at a "." boundary; the candidate's
 * os.features a subset of the wanted ones.
 */
export function platformMatches(wanted: Platform, candidate: Platform): boolean {
  const w = normalizePlatform(wanted);
  const c = normalizePlatform(candidate);
  if (w.os !== c.os || w.architecture !== c.architecture || (w.variant ?? '') !== (c.variant ?? '')) return false;
  const wv = w['os.version'];
  const cv = c['os.version'] ?? '';
  if (wv !== undefined && cv !== wv && !cv.startsWith(`${wv}.`)) return false;
  const features = new Set(w['os.features'] ?? []);
  return (c['os.features'] ?? []).every((f) => features.has(f));
}

/** Index entries that are runnable images: single-image manifests, not attestations (BuildKit "unknown/unknown"). */
function imageCandidates(index: ImageIndex): Descriptor[] {
  return index.manifests.filter((d) => {
    const format = manifestFormatOf(d.mediaType);
    if (format === undefined || isIndexFormat(format)) return false;
    if (d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest') return false;
    return d.platform === undefined || (d.platform.os !== 'unknown' && d.platform.architecture !== 'unknown');
  });
}

/**
 * Picks the manifest for one platform. With `wanted`, the first matching entry (image-index.md: "the first
 * matching entry SHOULD be used"), else PLATFORM_NOT_FOUND. Without it: the first entry for the host platform
 * if there is one; else the only image entry; else PLATFORM_AMBIGUOUS (several) or PLATFORM_NOT_FOUND (none).
 */
export function selectPlatformManifest(index: ImageIndex, wanted?: Platform, host: Platform = hostPlatform()): Descriptor {
  const candidates = imageCandidates(index);
  const available = candidates.map((d) => (d.platform === undefined ? 'unspecified' : formatPlatform(d.platform)));
  const target = wanted ?? host;
  const match = candidates.find((d) => d.platform !== undefined && platformMatches(target, d.platform));
  if (match !== undefined) return match;
  if (wanted === undefined && candidates.length === 1) return candidates[0]!;
  if (wanted === undefined && candidates.length > 1) {
    throw new ProvenantError('PLATFORM_AMBIGUOUS', `the index holds images for ${available.join(', ')}; choose one`, {
      details: { available },
    });
  }
  throw new ProvenantError('PLATFORM_NOT_FOUND', `no image in the index for ${formatPlatform(target)}`, {
    details: { wanted: formatPlatform(target), available },
  });
}
