import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import { buildEnvironment } from '../../src/analyze/environment/index.js';
import { isProvenantError, ProvenantError } from '../../src/core/errors.js';
import { collectHostFacts, type RunOptions, type RunResult, type SystemInfo } from '../../src/host/index.js';

const SYSTEM: SystemInfo = { release: () => '6.1.0-18-amd64', machine: () => 'aarch64', homedir: () => '/home/builder' };
const OS_RELEASE = 'ID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME="Alpine Linux v3.19"\n';

function enoent(path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
}

/** A temp dir of stand-in programs: executable gcc, node and java; go without the x bit; rustc a directory. */
function fakeBin(): string {
  const dir = mkdtempSync(join(tmpdir(), 'provenant-host-'));
  for (const name of ['gcc', 'node', 'java']) {
    writeFileSync(join(dir, name), '#!/bin/sh\nexit 99\n');
    chmodSync(join(dir, name), 0o755);
  }
  writeFileSync(join(dir, 'go'), '');
  chmodSync(join(dir, 'go'), 0o644);
  mkdirSync(join(dir, 'rustc'));
  return dir;
}

interface Call {
  file: string;
  args: readonly string[];
  options: RunOptions;
}

test('collectHostFacts with a scripted runner: PATH search, exact arguments, C locale, failures recorded', async () => {
  const bin = fakeBin();
  // Same programs again behind a relative PATH entry, which must never be used.
  const shadow = mkdtempSync(join(tmpdir(), 'provenant-host-shadow-'));
  writeFileSync(join(shadow, 'clang'), '');
  chmodSync(join(shadow, 'clang'), 0o755);
  try {
    const calls: Call[] = [];
    const outputs: Record<string, RunResult | Error> = {
      gcc: { exitCode: 0, stdout: 'gcc (Debian 12.2.0-14) 12.2.0\n', stderr: '' },
      node: { exitCode: 0, stdout: 'v20.11.1\n', stderr: '' },
      java: new ProvenantError('COMMAND_FAILED', 'java: did not finish in time', { details: { reason: 'timeout' } }),
    };
    const run = async (file: string, args: readonly string[], options: RunOptions): Promise<RunResult> => {
      calls.push({ file, args, options });
      const out = outputs[file.slice(bin.length + 1)];
      if (out === undefined) throw new Error(`unexpected program ${file}`);
      if (out instanceof Error) throw out;
      return out;
    };
    const env = { PATH: ['', relative(process.cwd(), shadow), bin].join(delimiter), SECRET_TOKEN: 'tok', LANG: 'de_DE.UTF-8' };
    const read: string[] = [];
    const readFile = async (path: string) => {
      read.push(path);
      if (path === '/usr/lib/os-release') return Buffer.from(OS_RELEASE);
      throw enoent(path);
    };
    const facts = await collectHostFacts({ env, run, readFile, system: SYSTEM });

    assert.deepEqual(read, ['/etc/os-release', '/usr/lib/os-release']);
    assert.equal(Buffer.from(facts.osRelease!).toString(), OS_RELEASE);
    assert.deepEqual(facts.kernel, { release: '6.1.0-18-amd64', machine: 'aarch64' });
    assert.equal(facts.home, '/home/builder');
    assert.deepEqual([...facts.env], Object.entries(env));
    assert.deepEqual(
      calls.map((c) => [c.file, c.args]).sort(),
      [[join(bin, 'gcc'), ['--version']], [join(bin, 'java'), ['-version']], [join(bin, 'node'), ['--version']]],
    );
    for (const c of calls) {
      assert.equal(c.options.env.LC_ALL, 'C');
      assert.equal(c.options.env.LANG, 'C');
      assert.equal(c.options.env.SECRET_TOKEN, 'tok');
      assert.equal(c.options.timeoutMs, 5_000);
    }
    assert.deepEqual(facts.toolchains, [
      { name: 'gcc', path: join(bin, 'gcc'), outcome: { kind: 'ran', exitCode: 0, stdout: 'gcc (Debian 12.2.0-14) 12.2.0\n', stderr: '' } },
      { name: 'node', path: join(bin, 'node'), outcome: { kind: 'ran', exitCode: 0, stdout: 'v20.11.1\n', stderr: '' } },
      { name: 'java', path: join(bin, 'java'), outcome: { kind: 'failed', reason: 'timeout' } },
    ]);

    const record = buildEnvironment(facts, { salt: randomBytes(32), allowInClear: [] });
    assert.deepEqual(record.os, { id: 'alpine', versionId: '3.19.1', prettyName: 'Alpine Linux v3.19' });
    assert.deepEqual(record.toolchains.map((t) => [t.name, t.version]), [['gcc', '12.2.0'], ['node', 'v20.11.1']]);
  } finally {
    rmSync(bin, { recursive: true, force: true });
    rmSync(shadow, { recursive: true, force: true });
  }
});

test('os-release: /etc wins, neither is no os-release, an unreadable one is IO_ERROR', async () => {
  const base = { env: { PATH: '' }, system: SYSTEM, run: () => Promise.reject(new Error('no program should run')) };
  const etc = await collectHostFacts({ ...base, readFile: async (p) => Buffer.from(p === '/etc/os-release' ? 'ID=debian\n' : 'ID=other\n') });
  assert.equal(Buffer.from(etc.osRelease!).toString(), 'ID=debian\n');
  const none = await collectHostFacts({ ...base, readFile: async (p) => Promise.reject(enoent(p)) });
  assert.equal(none.osRelease, undefined);
  assert.deepEqual(none.toolchains, []);
  const eacces = Object.assign(new Error('EACCES'), { code: 'EACCES' });
  await assert.rejects(collectHostFacts({ ...base, readFile: async () => Promise.reject(eacces) }), (e) => isProvenantError(e, 'IO_ERROR'));
});

test('collectHostFacts on this machine: node on PATH reports the running version', async () => {
  const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` };
  const facts = await collectHostFacts({ env });
  const record = buildEnvironment(facts, { salt: randomBytes(32), allowInClear: [] });
  const nodeEntry = record.toolchains.find((t) => t.name === 'node');
  assert.equal(nodeEntry?.version, process.version);
  assert.ok(record.kernel !== undefined && record.kernel.release.length > 0);
  assert.equal(record.environment.variables.length, Object.values(env).filter((v) => v !== undefined).length);
});
