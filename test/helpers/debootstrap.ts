// A real Debian bookworm root filesystem made by `debootstrap --variant=minbase`, for integration tests that
// compare Provenant with dpkg itself. Needs root and debootstrap, and a Debian mirror: PROVENANT_DEBIAN_MIRROR,
// or the first bookworm source apt is configured with. The root is cached under the system temp directory,
// so only the first run downloads; a missing tool is a failure, never a skip.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseParagraphs } from '../../src/analyze/catalog/deb822.js';

export const SUITE = 'bookworm';
const ROOT = join(tmpdir(), `provenant-debootstrap-${SUITE}-minbase`);
const DONE = `${ROOT}.complete`;

/** The first of `candidates` that exists; fails the test when none does. */
export function tool(name: string, candidates: string[]): string {
  const found = candidates.find((p) => existsSync(p));
  assert.ok(found, `${name} is required for this test (apt-get install ${name}); looked in ${candidates.join(', ')}`);
  return found;
}

/** Runs a program to completion and returns its stdout; a non-zero exit fails the test with its stderr. */
export function run(cmd: string, args: string[], timeout = 120_000): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout, maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`}):\n${(r.stderr ?? '').slice(-4000)}`);
  return r.stdout;
}

/** The Debian mirror apt uses for the suite: one-line sources.list entries or deb822 .sources files. */
export function debianMirror(): string {
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

/**
 * The cached minbase root, made on first use. Built under a per-process name and renamed into place, so two
 * test files asking at once do not see each other's half-made root. Treat it as read-only: copy it to change it.
 */
export function bookwormRoot(): string {
  // Required even when the cached root would do, so that a machine without the peer fails the same way.
  const debootstrap = tool('debootstrap', ['/usr/sbin/debootstrap', '/usr/bin/debootstrap']);
  if (existsSync(DONE) && existsSync(join(ROOT, 'var/lib/dpkg/status'))) return ROOT;
  const partial = `${ROOT}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  try {
    run(debootstrap, ['--variant=minbase', SUITE, partial, debianMirror()], 20 * 60_000);
    rmSync(ROOT, { recursive: true, force: true });
    renameSync(partial, ROOT);
    writeFileSync(DONE, `${new Date().toISOString()}\n`);
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
  return ROOT;
}

/** `dpkg-query -W -f FORMAT` over the dpkg database under `root`, one sorted line per package. */
export function dpkgQuery(root: string, format: string): string[] {
  const bin = tool('dpkg-query', ['/usr/bin/dpkg-query']);
  return run(bin, [`--admindir=${join(root, 'var/lib/dpkg')}`, '-W', '-f', format])
    .split('\n')
    .filter((l) => l !== '')
    .sort();
}
