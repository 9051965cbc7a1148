// What `collectHostFacts` learns about the build machine, as raw material: file text and program output are
// kept unparsed so that every decision about what may be published is made in one pure place
// (src/analyze/environment). HostFacts holds secrets (the whole environment); it must never be serialised.

export type ToolchainName = 'gcc' | 'cc' | 'clang' | 'node' | 'go' | 'rustc' | 'java' | 'python3';

export interface ToolchainCommand {
  readonly name: ToolchainName;
  /** Arguments that make the program print its version. */
  readonly args: readonly string[];
}

/** The programs probed, in the order they are reported. `go` has no `--version`; `java -version` prints on stderr. */
export const TOOLCHAIN_COMMANDS: readonly ToolchainCommand[] = [
  { name: 'gcc', args: ['--version'] },
  { name: 'cc', args: ['--version'] },
  { name: 'clang', args: ['--version'] },
  { name: 'node', args: ['--version'] },
  { name: 'go', args: ['version'] },
  { name: 'rustc', args: ['--version'] },
  { name: 'java', args: ['-version'] },
  { name: 'python3', args: ['--version'] },
];

export type ProbeOutcome =
  | { readonly kind: 'ran'; readonly exitCode: number | null; readonly stdout: string; readonly stderr: string }
  | { readonly kind: 'failed'; readonly reason: string };

export interface ToolchainProbe {
  readonly name: ToolchainName;
  /** Absolute path of the program found on PATH. */
  readonly path: string;
  readonly outcome: ProbeOutcome;
}

export interface HostFacts {
  /** Bytes of /etc/os-release (or /usr/lib/os-release); undefined when neither exists. */
  readonly osRelease?: Uint8Array;
  /** uname -r and uname -m. */
  readonly kernel: { readonly release: string; readonly machine: string };
  /** The user's home directory, so that recorded paths under it can be written as "~/...". */
  readonly home?: string;
  /** Every environment variable of the build. A Map so that no name (not even "__proto__") is special. */
  readonly env: ReadonlyMap<string, string>;
  /** One entry per toolchain found on PATH. */
  readonly toolchains: readonly ToolchainProbe[];
}
