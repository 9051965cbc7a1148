// Matching an image's packages against a large OSV data set: --advisories synthetic records (default 200,000) in
// the shapes of real ones (GHSA records for npm and PyPI, Debian tracker records for Debian 12: ECOSYSTEM ranges
// with introduced/fixed, last_affected, explicit versions lists, withdrawn records, aliases), loaded from NDJSON
// through the real loader, indexed, and matched against an SBOM of --packages packages (default 2,000) whose
// names are drawn from the advisories' packages (bench/osv-synthetic.ts), so each has several candidate records to order versions against.
// Baselines, same process, same bytes: reading the NDJSON file and JSON.parse of every line (the least any loader
// does), and one Map lookup per package (the least any index does).
// Usage: node --expose-gc --import tsx bench/vuln-match.ts [--advisories 200000] [--packages 2000] [--runs 20]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdvisoryIndex } from '../src/vuln/advisory-index.js';
import { loadOsv } from '../src/vuln/osv-load.js';
import { SyntheticOsv } from './osv-synthetic.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i < 0 ? fallback : Number(args[i + 1]);
};
const advisoryCount = option('--advisories', 200_000);
const packageCount = option('--packages', 2_000);
const runs = option('--runs', 20);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p99 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))]!;
const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
const heapMb = (): number => process.memoryUsage().heapUsed / 2 ** 20;

const synthetic = new SyntheticOsv(advisoryCount);
const dir = mkdtempSync(join(tmpdir(), 'bench-vuln-'));
try {
  const file = join(dir, 'advisories.ndjson');
  writeFileSync(file, Array.from({ length: advisoryCount }, (_, n) => JSON.stringify(synthetic.record(n))).join('\n') + '\n');
  const packages = synthetic.packages(packageCount);
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
