// The dpkg cataloger against dpkg itself: a real Debian bookworm root made by debootstrap (minbase), compared
// with what dpkg-query reports from the same database. Needs root, debootstrap and dpkg-query, and a Debian
// mirror: PROVENANT_DEBIAN_MIRROR, or the first bookworm source apt is configured with. The root is cached
// under the system temp directory, so only the first run downloads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalogAll } from '../../../src/analyze/catalog/index.js';
import { parseParagraphs } from '../../../src/analyze/catalog/deb822.js';

const SUITE = 'bookworm';
const ROOT = join(tmpdir(), `provenant-debootstrap-${SUITE}-minbase`);
const DONE = `${ROOT}.complete`;

function tool(name: string, candidates: string[]): string {
  const found = candidates.find((p) => existsSync(p));
  assert.ok(found, `${name} is required for this test (apt-get install ${name}); looked in ${candidates.join(', ')}`);
  return found;
}

function run(cmd: string, args: string[], timeout = 120_000): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout, maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`}):\n${(r.stderr ?? '').slice(-4000)}`);
  return r.stdout;
}

/** The Debian mirror apt uses for the suite: one-line sources.list entries or deb822 .sources files. */
function mirror(): string {
  if (process.env.PROVENANT_DEBIAN_MIRROR) return process.env.PROVENANT_DEBIAN_MIRROR;
  const dir = '/etc/apt/sources.list.d';
  const files = ['/etc/apt/sources.list', ...(existsSync(dir) ? readdirSync(dir).map((f) => join(dir, f)) : [])].filter((f) => existsSync(f));
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    if (file.endsWith('.sources')) {
      const uncommented = text.split('\n').filter((l) => !l.startsWith('#')).join('\n');
      for (const p of parseParagraphs(uncommented, file)) {
        const suites = (p.fields.get('suites') ?? '').split(/\s+/);
        if ((p.fields.get('types') ?? '').split(/\s+/).includes('deb') && suites.includes(SUITE)) return p.fields.get('uris')!.split(/\s+/)[0]!;
      }
    } else {
      for (const line of text.split('\n')) {
        const m = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line.trim());
        if (m !== null && m[2] === SUITE) return m[1]!;
      }
    }
  }
  return assert.fail(`no apt source for ${SUITE} found; set PROVENANT_DEBIAN_MIRROR`);
}

function bookwormRoot(): string {
  // Required even when the cached root would do, so that a machine without the peer fails the same way.
  const debootstrap = tool('debootstrap', ['/usr/sbin/debootstrap', '/usr/bin/debootstrap']);
  if (existsSync(DONE) && existsSync(join(ROOT, 'var/lib/dpkg/status'))) return ROOT;
  const partial = `${ROOT}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  try {
    run(debootstrap, ['--variant=minbase', SUITE, partial, mirror()], 20 * 60_000);
    rmSync(ROOT, { recursive: true, force: true });
    renameSync(partial, ROOT);
    writeFileSync(DONE, `${new Date().toISOString()}\n`);
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
  return ROOT;
}

function imageFiles(root: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>([
    ['var/lib/dpkg/status', readFileSync(join(root, 'var/lib/dpkg/status'))],
    ['usr/lib/os-release', readFileSync(join(root, 'usr/lib/os-release'))],
  ]);
  for (const name of readdirSync(join(root, 'usr/share/doc'))) {
    const copyright = join(root, 'usr/share/doc', name, 'copyright');
    if (existsSync(copyright)) files.set(`usr/share/doc/${name}/copyright`, readFileSync(copyright));
  }
  return files;
}

test('the dpkg cataloger agrees with dpkg-query on a debootstrapped bookworm', { timeout: 25 * 60_000 }, () => {
  const dpkgQuery = tool('dpkg-query', ['/usr/bin/dpkg-query']);
  const root = bookwormRoot();
  const files = imageFiles(root);
  const result = catalogAll(files);
  assert.deepEqual(result.problems, []);
  const pkgs = result.packages;
  const query = (format: string) =>
    run(dpkgQuery, [`--admindir=${join(root, 'var/lib/dpkg')}`, '-W', '-f', format]).split('\n').filter((l) => l !== '').sort();

  assert.ok(pkgs.length > 50, `only ${pkgs.length} packages`);
  assert.deepEqual(pkgs.map((p) => `${p.name} ${p.version} ${p.arch}`).sort(), query('${Package} ${Version} ${Architecture}\n'));
  assert.deepEqual(
    pkgs.map((p) => `${p.name}:${p.arch} ${p.source?.name} ${p.source?.version}`).sort(),
    query('${Package}:${Architecture} ${source:Package} ${source:Version}\n'),
  );
  // dpkg-query prints the relationship fields normalised; their package names are the first word of each alternative.
  const relations = new Map(
    query('${Package}:${Architecture}\t${Pre-Depends}, ${Depends}\n').map((line) => {
      const [key, rel] = line.split('\t') as [string, string];
      const names = rel.split(/[,|]/).map((s) => s.trim().split(/[\s:(]/)[0]!).filter((s) => s !== '');
      return [key, [...new Set(names)]];
    }),
  );
  for (const p of pkgs) assert.deepEqual(p.dependsOn ?? [], relations.get(`${p.name}:${p.arch}`), p.name);

  for (const p of pkgs) {
    assert.ok(p.purl.startsWith(`pkg:deb/debian/${encodeURIComponent(p.name)}@`) && p.purl.endsWith(`?arch=${p.arch}&distro=debian-12`), p.purl);
    const copyright = files.get(`usr/share/doc/${p.name}/copyright`)?.toString('utf8');
    assert.equal(p.licenses !== undefined, copyright !== undefined && /^License:[ \t]*\S/im.test(copyright), p.name);
  }
});
