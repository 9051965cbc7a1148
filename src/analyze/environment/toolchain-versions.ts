// Version parsers for the output of each toolchain's version command. Only a version-shaped token is ever
// taken from the output: the rest (install paths, the "Picked up JAVA_TOOL_OPTIONS: ..." line java echoes
// from the environment) is never recorded. Each version is reported in the tool's own spelling: node as
// `process.version` ("v20.11.1"), go as `runtime.Version()` ("go1.22.1"), the others as bare numbers.
import type { ToolchainName } from '../../host/facts.js';

export interface VersionOutput {
  readonly stdout: string;
  readonly stderr: string;
}

/** What a recorded version may look like; anything else is dropped rather than published. */
const VERSION_SHAPE = /^[0-9A-Za-z][0-9A-Za-z.+_~-]{0,63}$/;
const MAX_LINES = 64;

type Parser = (output: VersionOutput) => string | undefined;

/** "gcc (Debian 12.2.0-14) 12.2.0", "gcc (GCC) 12.2.1 20221121 (Red Hat 12.2.1-4)": the version follows the package in parentheses. */
export function parseGccVersion({ stdout }: VersionOutput): string | undefined {
  return /^\S+ \((?:[^()]|\([^()]*\))*\) (\d+\.\d+(?:\.\d+)?)(?:\s|$)/.exec(firstLine(stdout))?.[1];
}

/** "Ubuntu clang version 14.0.0-1ubuntu1.1", "clang version 14.0.6 (https://...)", "Apple clang version 14.0.3 (clang-...)". */
export function parseClangVersion({ stdout }: VersionOutput): string | undefined {
  return /^(?:[\w .-]* )?clang version (\d+\.\d+\.\d+)/.exec(firstLine(stdout))?.[1];
}

/** `cc` is whichever compiler the system links it to. */
export function parseCcVersion(output: VersionOutput): string | undefined {
  return parseClangVersion(output) ?? parseGccVersion(output);
}

/** "v20.11.1". */
export function parseNodeVersion({ stdout }: VersionOutput): string | undefined {
  return /^(v\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?)$/.exec(firstLine(stdout))?.[1];
}

/** "go version go1.22.1 linux/amd64", "go version go1.22rc1 linux/amd64", "go version devel go1.23-0a1b2c3 ...". */
export function parseGoVersion({ stdout }: VersionOutput): string | undefined {
  return /^go version (?:devel )?(go\d+\.\d+(?:\.\d+)?(?:(?:rc|beta)\d+)?(?:-[0-9a-f]+)?)(?:\s|$)/.exec(firstLine(stdout))?.[1];
}

/** "rustc 1.75.0 (82e1608df 2023-12-21)", "rustc 1.77.0-nightly (...)", "rustc 1.63.0". */
export function parseRustcVersion({ stdout }: VersionOutput): string | undefined {
  return /^rustc (\d+\.\d+\.\d+(?:-(?:beta(?:\.\d+)?|nightly|dev))?)(?:\s|$)/.exec(firstLine(stdout))?.[1];
}

/**
 * `java -version` writes to stderr: 'openjdk version "17.0.9" 2023-10-17' (or 'java version "..."' from
 * Oracle), possibly after "Picked up JAVA_TOOL_OPTIONS: ..." lines, so every line is tried.
 */
export function parseJavaVersion({ stdout, stderr }: VersionOutput): string | undefined {
  for (const line of lines(`${stderr}\n${stdout}`)) {
    const m = /^(?:openjdk|java) version "([0-9][0-9A-Za-z._+-]*)"/.exec(line);
    if (m !== null) return m[1];
  }
  return undefined;
}

/** "Python 3.11.2", "Python 3.13.0rc1"; Python before 3.4 printed it on stderr. */
export function parsePythonVersion({ stdout, stderr }: VersionOutput): string | undefined {
  const re = /^Python (\d+\.\d+\.\d+(?:(?:a|b|rc)\d+)?\+?)$/;
  return re.exec(firstLine(stdout))?.[1] ?? re.exec(firstLine(stderr))?.[1];
}

const PARSERS: Record<ToolchainName, Parser> = {
  gcc: parseGccVersion,
  cc: parseCcVersion,
  clang: parseClangVersion,
  node: parseNodeVersion,
  go: parseGoVersion,
  rustc: parseRustcVersion,
  java: parseJavaVersion,
  python3: parsePythonVersion,
};

/** The version of `name` from its output, or undefined when the output is not in a known shape. */
export function parseToolchainVersion(name: ToolchainName, output: VersionOutput): string | undefined {
  const version = PARSERS[name](output);
  return version !== undefined && VERSION_SHAPE.test(version) ? version : undefined;
}

function lines(text: string): string[] {
  return text.split(/\r?\n/, MAX_LINES).map((l) => l.trim());
}

function firstLine(text: string): string {
  return lines(text).find((l) => l !== '') ?? '';
}
