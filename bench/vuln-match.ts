// Matching an image's packages against a large OSV data set: --advisories synthetic records (default 200,000) in
// the shapes of real ones (GHSA records for npm and PyPI, Debian tracker records for Debian 12: ECOSYSTEM ranges
// with introduced/fixed, last_affected, explicit versions lists, withdrawn records, aliases), loaded from NDJSON
// through the real loader, indexed, and matched against an SBOM of --packages packages (default 2,000) whose
// names are drawn from the advisories' packages, so each has several candidate records to order versions against.
// Baselines, same process, same bytes: reading the NDJSON file and JSON.parse of every line (the least any loader
// does), and one Map lookup per package (the least any index does).
// Usage: node --expose-gc --import tsx bench/vuln-match.ts [--advisories 200000] [--packages 2000] [--runs 20]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Package } from '../src/formats/sbom-package.js';
import { AdvisoryIndex } from '../src/vuln/advisory-index.js';
import { loadOsv } from '../src/vuln/osv-load.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i < 0 ? fallback : Number(args[i + 1]);
};
const advisoryCount = option('--advisories', 200_000);
const packageCount = option('--packages', 2_000);
const runs = option('--runs', 20);

// A seeded generator, so two runs measure the same data.
let seed = 0x2545f491;
const random = (): number => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 0x100000000;
};
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
const int = (below: number): number => Math.floor(random() * below);

type Kind = 'npm' | 'PyPI' | 'Debian:12';
const KINDS: readonly Kind[] = ['npm', 'PyPI', 'Debian:12'];
const names = new Map<Kind, string[]>(KINDS.map((k) => [k, Array.from({ length: Math.ceil(advisoryCount / 15) }, (_, i) => `${k === 'Debian:12' ? 'src' : 'pkg'}-${k.replace(/\W/g, '').toLowerCase()}-${i}`)]));

function version(kind: Kind, major: number, minor: number, patch: number): string {
  switch (kind) {
    case 'npm':
      return `${major}.${minor}.${patch}`;
    case 'PyPI':
      return patch % 7 === 0 ? `${major}.${minor}.${patch}rc1` : `${major}.${minor}.${patch}`;
    case 'Debian:12':
      return `${major % 3 === 0 ? '1:' : ''}${major}.${minor}.${patch}-${1 + (patch % 4)}${patch % 5 === 0 ? '~deb12u1' : ''}`;
  }
}

function record(n: number): object {
  const kind = pick(KINDS);
  const name = pick(names.get(kind)!);
  const major = int(5);
  const published = new Date(Date.UTC(2015 + int(11), int(12), 1 + int(28))).toISOString().replace('.000Z', 'Z');
  const introduced = int(4) === 0 ? '0' : version(kind, major, int(10), int(20));
  const events: object[] = [{ introduced }];
  const shape = int(10);
  if (shape < 7) events.push({ fixed: version(kind, major + 1, int(10), int(20)) });
  else if (shape < 9) events.push({ last_affected: version(kind, major, 9, 19) });
  const affected: Record<string, unknown> = {
    package: { ecosystem: kind, name },
    ranges: [{ type: 'ECOSYSTEM', events }],
  };
  if (kind === 'Debian:12') affected.ecosystem_specific = { urgency: pick(['low', 'medium', 'high', 'unimportant']) };
  if (shape === 9) affected.versions = Array.from({ length: 1 + int(6) }, () => version(kind, major, int(10), int(20)));
  const id = kind === 'Debian:12' ? `DEBIAN-CVE-${2015 + (n % 11)}-${100000 + n}` : `GHSA-${n.toString(36).padStart(4, '0')}-bnch-${(n * 7919).toString(36).slice(-4).padStart(4, 'x')}`;
  return {
    schema_version: '1.6.0',
    id,
    modified: published,
    published,
    ...(n % 997 === 0 ? { withdrawn: published } : {}),
    aliases: [`CVE-${2015 + (n % 11)}-${100000 + n}`],
    summary: `synthetic advisory ${n}`,
    ...(kind === 'Debian:12' ? {} : { severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }] }),
    affected: [affected],
  };
}

function sbomPackages(): Package[] {
  return Array.from({ length: packageCount }, (_, i) => {
    const kind = KINDS[i % KINDS.length]!;
    const name = pick(names.get(kind)!);
    const v = version(kind, int(5), int(10), int(20));
    switch (kind) {
      case 'npm':
        return { ecosystem: 'npm', name, version: v, purl: `pkg:npm/${name}@${v}`, locations: [] };
      case 'PyPI':
        return { ecosystem: 'pypi', name, version: v, purl: `pkg:pypi/${name}@${v}`, locations: [] };
      case 'Debian:12':
        return { ecosystem: 'deb', name: `lib${name}`, version: v, source: { name, version: v }, purl: `pkg:deb/debian/lib${name}@${v}`, locations: [] };
    }
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p99 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))]!;
const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
const heapMb = (): number => process.memoryUsage().heapUsed / 2 ** 20;

const dir = mkdtempSync(join(tmpdir(), 'bench-vuln-'));
try {
  const file = join(dir, 'advisories.ndjson');
  writeFileSync(file, Array.from({ length: advisoryCount }, (_, n) => JSON.stringify(record(n))).join('\n') + '\n');
  const packages = sbomPackages();
  const release = { distro: 'debian', versionId: '12' };

  let t0 = process.hrtime.bigint();
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as unknown);
  const baselineLoad = ms(t0);
  const lineCount = lines.length;
  lines.length = 0;

  gc();
  const heapBefore = heapMb();
  t0 = process.hrtime.bigint();
  const dataset = await loadOsv({ ndjson: file });
  const loadMs = ms(t0);
  t0 = process.hrtime.bigint();
  const index = AdvisoryIndex.build(dataset.advisories);
  const buildMs = ms(t0);
  gc();
  const heapAfter = heapMb();

  const keys = new Map<string, number>();
  for (const a of dataset.advisories) for (const af of a.affected) keys.set(`${af.package.ecosystem}\0${af.package.name}`, 1);
  const lookupKeys = packages.map((p) => (p.ecosystem === 'deb' ? `Debian:12\0${p.source!.name}` : `${p.ecosystem === 'npm' ? 'npm' : 'PyPI'}\0${p.name}`));

  const matchTimes: number[] = [];
  const lookupTimes: number[] = [];
  let findings = 0;
  let candidates = 0;
  for (let r = 0; r < runs; r++) {
    t0 = process.hrtime.bigint();
    let hits = 0;
    for (const k of lookupKeys) if (keys.get(k) !== undefined) hits++;
    lookupTimes.push(ms(t0));
    candidates = hits;
    t0 = process.hrtime.bigint();
    let found = 0;
    for (const p of packages) found += index.match(p, release).length;
    matchTimes.push(ms(t0));
    findings = found;
  }

  const rss = process.memoryUsage().rss / 2 ** 20;
  console.log(`advisories: ${dataset.identity.advisories} kept of ${lineCount} records (${index.size} indexed, ${index.keys} package keys); packages: ${packages.length} (${candidates} with candidate advisories); findings per run: ${findings}`);
  console.log('');
  console.log('| step | time (ms) | baseline (ms) | ratio |');
  console.log('|---|---|---|---|');
  console.log(`| load NDJSON (read, parse, validate, dedupe, identity digest) | ${loadMs.toFixed(0)} | ${baselineLoad.toFixed(0)} (read + JSON.parse) | ${(loadMs / baselineLoad).toFixed(1)}x |`);
  console.log(`| build index | ${buildMs.toFixed(0)} | | |`);
  console.log(`| match ${packages.length} packages, median of ${runs} | ${median(matchTimes).toFixed(2)} | ${median(lookupTimes).toFixed(3)} (one Map lookup each) | ${(median(matchTimes) / median(lookupTimes)).toFixed(0)}x |`);
  console.log(`| match ${packages.length} packages, p99 of ${runs} | ${p99(matchTimes).toFixed(2)} | | |`);
  console.log('');
  console.log(`heap held by the loaded data set and index: ${(heapAfter - heapBefore).toFixed(0)} MB${(globalThis as { gc?: unknown }).gc === undefined ? ' (run with --expose-gc for an exact figure)' : ''}; process RSS ${rss.toFixed(0)} MB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
