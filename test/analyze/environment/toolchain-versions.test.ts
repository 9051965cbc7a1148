import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseToolchainVersion } from '../../../src/analyze/environment/index.js';
import type { ToolchainName } from '../../../src/host/index.js';
import { CLANG, GCC, GO, JAVA, NODE, PYTHON, RUSTC, type Sample } from './version-samples.js';

function check(name: ToolchainName, samples: Record<string, Sample>): void {
  for (const [what, sample] of Object.entries(samples)) {
    const output = { stdout: sample.stdout ?? '', stderr: sample.stderr ?? '' };
    assert.equal(parseToolchainVersion(name, output), sample.version, what);
  }
}

test('gcc, clang, go, rustc, java, python3 and node versions are read from their real output shapes', () => {
  check('gcc', GCC);
  check('clang', CLANG);
  check('go', GO);
  check('rustc', RUSTC);
  check('java', JAVA);
  check('python3', PYTHON);
  check('node', NODE);
});

test('cc is read as gcc or as clang, whichever it links to', () => {
  check('cc', { ...GCC, ...CLANG });
  const debianCc = GCC['gcc 12 on Debian 12']!.stdout!.replace(/^gcc/, 'cc');
  assert.equal(parseToolchainVersion('cc', { stdout: debianCc, stderr: '' }), '12.2.0');
});

test('java is read from stderr, the stream `java -version` writes to, past any "Picked up" lines', () => {
  const sample = JAVA['OpenJDK 17 after "Picked up JAVA_TOOL_OPTIONS"']!;
  assert.equal(parseToolchainVersion('java', { stdout: '', stderr: sample.stderr! }), '17.0.9');
  assert.equal(parseToolchainVersion('java', { stdout: '', stderr: sample.stderr!.split('\n')[0]! }), undefined);
});

test('each parser refuses the output of the other tools', () => {
  const all: [ToolchainName, Record<string, Sample>][] = [
    ['gcc', GCC], ['clang', CLANG], ['go', GO], ['rustc', RUSTC], ['java', JAVA], ['python3', PYTHON], ['node', NODE],
  ];
  for (const [name] of all) {
    for (const [other, samples] of all) {
      if (other === name || (name === 'gcc' && other === 'clang') || (name === 'clang' && other === 'gcc')) continue;
      for (const [what, s] of Object.entries(samples)) {
        assert.equal(parseToolchainVersion(name, { stdout: s.stdout ?? '', stderr: s.stderr ?? '' }), undefined, `${name} on ${what}`);
      }
    }
  }
});

test('error messages, garbage and hostile version strings yield no version', () => {
  const cases: [ToolchainName, string, string][] = [
    ['gcc', '', ''],
    ['gcc', '', 'gcc: fatal error: no input files\ncompilation terminated.\n'],
    ['node', 'v20.11.1 extra\n', ''],
    ['node', `v20.11.1-${'a'.repeat(80)}\n`, ''],
    ['java', '', 'openjdk version "17<script>" 2023-10-17\n'],
    ['java', '', 'Error: Could not create the Java Virtual Machine.\n'],
    ['python3', 'Python 3.11.2 (main, Feb  6 2024)\n', ''],
    ['go', 'go: unknown command "version"\n', ''],
    ['rustc', "error: toolchain 'stable' is not installed\n", ''],
    ['clang', 'clang version 14\n', ''],
  ];
  for (const [name, stdout, stderr] of cases) {
    assert.equal(parseToolchainVersion(name, { stdout, stderr }), undefined, `${name}: ${JSON.stringify(stdout || stderr)}`);
  }
});
