// Benchmark of `provenant build` and `provenant sbom` on a generated image of about --size-mb MB (uncompressed)
// in five gzip layers, against the floor of the same work done by the system tools: every layer decompressed
// and hashed (`gzip -dc BLOB | sha256sum`). Prints wall time (median of --runs), throughput, CPU time and peak
// RSS, and with --profile (or when build is over its target) a CPU profile of one build run.
//
//   node --import tsx bench/build.ts [--size-mb 1024] [--runs 3] [--level 6] [--rev REV] [--profile] [--keep] [--check]
//
// By default the CLI measured is this tree's dist/ (rebuilt first if older than src/); with --rev, the src/ of
// that git revision is compiled in the temp dir and measured instead, which leaves work in progress out.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { imagePlan } from './layers.js';
import { measured, measuredNode, median, rssMethod, type RunResult } from './measure.js';
import { writeLayer, writeLayout, makeLayoutDir, type WrittenLayer } from './oci-writer.js';
import { summarizeProfile } from './profile.js';

const TARGET_RATIO = 1.5;
const TARGET_RSS_MB = 300;
const MB = 1e6;

const { values: opts } = parseArgs({
  options: {
    'size-mb': { type: 'string', default: '1024' },
    runs: { type: 'string', default: '3' },
    level: { type: 'string', default: '6' },
    profile: { type: 'boolean', default: false },
    'profile-out': { type: 'string' },
    keep: { type: 'boolean', default: false },
    'skip-build': { type: 'boolean', default: false },
    rev: { type: 'string' },
    'generate-only': { type: 'boolean', default: false },
    check: { type: 'boolean', default: false },
  },
});
const sizeMb = Number(opts['size-mb']);
const runs = Number(opts.runs);
const level = Number(opts.level);
if (!(sizeMb > 0) || !(runs >= 1) || !(level >= 1 && level <= 9)) throw new Error('--size-mb > 0, --runs >= 1, --level 1..9');

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const log = (line = ''): void => void process.stdout.write(`${line}\n`);
let cli = join(root, 'dist', 'cli', 'main.js');

/** dist is missing a command, or some src file is newer than its compiled output. */
function distStale(): boolean {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
  return walk(join(root, 'src')).some((src) => {
    const out = join(root, 'dist', src.slice(root.length + 1 + 'src/'.length).replace(/\.ts$/, '.js'));
    return !existsSync(out) || statSync(out).mtimeMs < statSync(src).mtimeMs;
  });
}

function sh(script: string, ...args: string[]): string {
  const r = spawnSync('sh', ['-c', script, 'sh', ...args], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${script}: ${r.stderr}`);
  return r.stdout.trim();
}

/** The CLI to measure, and a line saying which code it is. */
async function prepareCli(dir: string): Promise<string> {
  const head = sh('git rev-parse --short HEAD');
  if (opts.rev !== undefined) {
    const tree = join(dir, 'rev');
    await mkdir(tree);
    sh('git archive "$1" src package.json tsconfig.json tsconfig.build.json | tar -x -C "$2"', opts.rev, tree);
    await symlink(join(root, 'node_modules'), join(tree, 'node_modules'));
    const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(tree, 'tsconfig.build.json')], { stdio: 'inherit' });
    if (tsc.status !== 0) throw new Error(`compiling ${opts.rev} failed`);
    cli = join(tree, 'dist', 'cli', 'main.js');
    return `git ${sh('git rev-parse --short "$1"', opts.rev)} (${opts.rev}), compiled apart from the working tree`;
  }
  if (!opts['skip-build'] && distStale()) {
    log('dist is missing or older than src: npm run build');
    const built = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
    if (built.status !== 0) throw new Error('npm run build failed');
  }
  const changed = sh('git status --porcelain -- src').split('\n').filter((l) => l !== '');
  return `this tree's dist/ (HEAD ${head}${changed.length === 0 ? ', src/ clean' : ` + uncommitted changes to ${changed.length} src/ files`})`;
}

const scratch = await mkdtemp(join(tmpdir(), 'provenant-bench-'));
try {
  await main(scratch);
} finally {
  if (opts.keep) log(`kept ${scratch}`);
  else await rm(scratch, { recursive: true, force: true });
}

async function main(dir: string): Promise<void> {
  const code = opts['generate-only'] ? '' : await prepareCli(dir);
  log(`machine: ${availableParallelism()} CPUs (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, node ${process.version}, peak RSS via ${rssMethod()}`);

  const layout = join(dir, 'image');
  await makeLayoutDir(layout);
  const plan = imagePlan(sizeMb * 1024 * 1024);
  const genStart = Date.now();
  const layers = await Promise.all(plan.layers.map((l, i) => writeLayer(layout, l, i, level)));
  const digest = await writeLayout(layout, layers, 'bench');
  const tarBytes = layers.reduce((a, l) => a + l.tarBytes, 0);
  const blobBytes = layers.reduce((a, l) => a + l.size, 0);
  log(`generated ${digest.slice(0, 19)} in ${((Date.now() - genStart) / 1000).toFixed(1)} s (gzip level ${level}):`);
  log('| layer | files | entries | content MB | tar MB | gzip MB | ratio |');
  log('|---|---:|---:|---:|---:|---:|---:|');
  layers.forEach((l, i) =>
    log(`| ${i + 1} ${l.createdBy.slice(0, 40)} | ${l.files} | ${l.entries} | ${(l.contentBytes / MB).toFixed(0)} | ${(l.tarBytes / MB).toFixed(0)} | ${(l.size / MB).toFixed(0)} | ${(l.tarBytes / l.size).toFixed(2)} |`),
  );
  const entries = layers.reduce((a, l) => a + l.entries, 0);
  log(`| total | ${layers.reduce((a, l) => a + l.files, 0)} | ${entries} | ${(layers.reduce((a, l) => a + l.contentBytes, 0) / MB).toFixed(0)} | ${(tarBytes / MB).toFixed(0)} | ${(blobBytes / MB).toFixed(0)} | ${(tarBytes / blobBytes).toFixed(2)} |`);
  log(`(${plan.debs} dpkg packages, ${plan.npm} npm packages)`);
  if (opts['generate-only']) return;
  log(`measuring ${code}`);

  const env = { ...process.env, PROVENANT_PASSWORD: 'bench-password' };
  const key = join(dir, 'cosign');
  checked(await measuredNode(cli, ['keygen', '--output-key-prefix', key], dir, env), 'keygen');
  const ref = `oci:${layout}:bench`;
  const buildArgs = ['build', ref, '--key', `${key}.key`, '--out', join(dir, 'out'), '--quiet'];
  const sbomArgs = ['sbom', ref, '--format', 'table', '--quiet'];

  const results: Record<'baseline' | 'build' | 'sbom', RunResult[]> = { baseline: [], build: [], sbom: [] };
  for (let r = 1; r <= runs; r++) {
    results.baseline.push(await baseline(layers, dir));
    results.build.push(checked(await measuredNode(cli, buildArgs, dir, env), 'build'));
    results.sbom.push(checked(await measuredNode(cli, sbomArgs, dir, env), 'sbom'));
    log(`run ${r}/${runs}: baseline ${results.baseline.at(-1)!.seconds.toFixed(2)} s, build ${results.build.at(-1)!.seconds.toFixed(2)} s, sbom ${results.sbom.at(-1)!.seconds.toFixed(2)} s (load average ${loadavg()[0]!.toFixed(2)})`);
  }
  const built = JSON.parse(results.build[0]!.stdout) as { packages: number; layers: unknown[] };
  const tableRows = results.sbom[0]!.stdout.trim().split('\n').length - 1;
  log(`build: ${built.layers.length} layers, ${built.packages} packages; sbom table: ${tableRows} rows`);

  const base = median(results.baseline.map((x) => x.seconds));
  const row = (name: string, rs: RunResult[], rss: boolean): string => {
    const s = median(rs.map((x) => x.seconds));
    const cpu = rs.every((x) => x.cpuSeconds !== undefined) ? median(rs.map((x) => x.cpuSeconds!)).toFixed(1) : 'n/a';
    const peak = rs.every((x) => x.peakRssMb !== undefined) ? Math.max(...rs.map((x) => x.peakRssMb!)) : undefined;
    const ratio = s / base;
    const ratioText = name === 'baseline' ? '1.00' : `${ratio.toFixed(2)} ${ratio <= TARGET_RATIO ? 'ok' : 'OVER'}`;
    const rssText = peak === undefined ? 'n/a' : rss ? `${peak.toFixed(0)} ${peak < TARGET_RSS_MB ? 'ok' : 'OVER'}` : `(${peak.toFixed(0)})`;
    return `| ${name} | ${s.toFixed(2)} | ${rs.map((x) => x.seconds.toFixed(2)).join(' / ')} | ${ratioText} | ${(tarBytes / MB / s).toFixed(0)} | ${cpu} | ${rssText} |`;
  };
  log();
  log(`${(tarBytes / MB).toFixed(0)} MB of tar in ${layers.length} gzip layers (${(blobBytes / MB).toFixed(0)} MB), ${entries} entries; median of ${runs}`);
  log(`| command | median s | runs s | ratio (target <= ${TARGET_RATIO}) | MB/s | CPU s | peak RSS MB (target < ${TARGET_RSS_MB}) |`);
  log('|---|---:|---:|---:|---:|---:|---:|');
  log(row('baseline', results.baseline, false));
  log(row('provenant build', results.build, true));
  log(row('provenant sbom --format table', results.sbom, true));

  const buildRatio = median(results.build.map((x) => x.seconds)) / base;
  const buildRss = Math.max(...results.build.map((x) => x.peakRssMb ?? 0));
  if (opts.profile || buildRatio > TARGET_RATIO) await profile(dir, buildArgs, env);
  if (opts.check && (buildRatio > TARGET_RATIO || buildRss >= TARGET_RSS_MB)) process.exitCode = 1;
}

/** The floor: each layer decompressed and hashed by gzip and sha256sum, one layer after the other. */
async function baseline(layers: WrittenLayer[], dir: string): Promise<RunResult> {
  let seconds = 0;
  let cpu = 0;
  let peak = 0;
  for (const l of layers) {
    const r = await measured('sh', ['-c', 'gzip -dc "$1" | sha256sum', 'sh', l.path], dir);
    if (r.code !== 0 || r.stdout.split(' ')[0] !== l.diffId.slice('sha256:'.length)) throw new Error(`baseline of ${l.digest} failed: ${r.stderr}${r.stdout}`);
    seconds += r.seconds;
    cpu += r.cpuSeconds ?? NaN;
    peak = Math.max(peak, r.peakRssMb ?? 0);
  }
  return { seconds, code: 0, stdout: '', stderr: '', ...(Number.isNaN(cpu) ? {} : { cpuSeconds: cpu, peakRssMb: peak }) };
}

function checked(r: RunResult, what: string): RunResult {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}: ${r.stderr.slice(0, 2000)}`);
  return r;
}

async function profile(dir: string, buildArgs: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const profDir = join(dir, 'profile');
  await mkdir(profDir, { recursive: true });
  const r = checked(await measuredNode(cli, buildArgs, dir, env, ['--cpu-prof', '--cpu-prof-dir', profDir]), 'build --cpu-prof');
  const file = (await readdir(profDir)).find((f) => f.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error('no .cpuprofile written');
  if (opts['profile-out'] !== undefined) await copyFile(join(profDir, file), opts['profile-out']);
  const summary = await summarizeProfile(join(profDir, file), resolve(dirname(cli), '..', '..'));
  log();
  log(`CPU profile of one build run (${r.seconds.toFixed(2)} s wall with the profiler, ${(summary.totalMs / 1000).toFixed(2)} s sampled on the main thread):`);
  log('| function | where | self ms | self % | total ms |');
  log('|---|---|---:|---:|---:|');
  for (const f of summary.functions) log(`| ${f.name} | ${f.where} | ${f.selfMs.toFixed(0)} | ${(f.share * 100).toFixed(1)} | ${f.totalMs.toFixed(0)} |`);
  log();
  log('| file | self ms | self % |');
  log('|---|---:|---:|');
  for (const f of summary.files) log(`| ${f.where} | ${f.selfMs.toFixed(0)} | ${(f.share * 100).toFixed(1)} |`);
}
