// `--version` output of real toolchains, typed in from the shapes each release prints (line breaks and
// spacing as the tools write them). Keyed by what they are, with the version each must yield.

export interface Sample {
  readonly stdout?: string;
  readonly stderr?: string;
  readonly version: string;
}

const GPL_NOTICE =
  'Copyright (C) 2022 Free Software Foundation, Inc.\n' +
  'This is free software; see the source for copying conditions.  There is NO\n' +
  'warranty; not even for MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.\n\n';

export const GCC: Record<string, Sample> = {
  'gcc 12 on Debian 12': { stdout: `gcc (Debian 12.2.0-14) 12.2.0\n${GPL_NOTICE}`, version: '12.2.0' },
  'gcc 12 on Ubuntu 22.04': { stdout: `gcc (Ubuntu 12.3.0-1ubuntu1~22.04) 12.3.0\n${GPL_NOTICE}`, version: '12.3.0' },
  'gcc 12 on Fedora 37': { stdout: `gcc (GCC) 12.2.1 20221121 (Red Hat 12.2.1-4)\n${GPL_NOTICE}`, version: '12.2.1' },
  'gcc 12 on Alpine 3.17': { stdout: `gcc (Alpine 12.2.1_git20220924-r4) 12.2.1 20220924\n${GPL_NOTICE}`, version: '12.2.1' },
};

export const CLANG: Record<string, Sample> = {
  'clang 14 on Ubuntu 22.04': {
    stdout: 'Ubuntu clang version 14.0.0-1ubuntu1.1\nTarget: x86_64-pc-linux-gnu\nThread model: posix\nInstalledDir: /usr/bin\n',
    version: '14.0.0',
  },
  'clang 14 on Debian 12': {
    stdout: 'Debian clang version 14.0.6\nTarget: x86_64-pc-linux-gnu\nThread model: posix\nInstalledDir: /usr/bin\n',
    version: '14.0.6',
  },
  'clang 14 built from llvm-project': {
    stdout:
      'clang version 14.0.6 (https://github.com/llvm/llvm-project.git f28c006a5895fc0e329fe15fead81e37457cb1d1)\n' +
      'Target: x86_64-unknown-linux-gnu\nThread model: posix\nInstalledDir: /opt/llvm/bin\n',
    version: '14.0.6',
  },
  'Apple clang 14': {
    stdout:
      'Apple clang version 14.0.3 (clang-1403.0.22.14.1)\nTarget: arm64-apple-darwin22.5.0\nThread model: posix\n' +
      'InstalledDir: /Library/Developer/CommandLineTools/usr/bin\n',
    version: '14.0.3',
  },
};

export const GO: Record<string, Sample> = {
  'go 1.22.1': { stdout: 'go version go1.22.1 linux/amd64\n', version: 'go1.22.1' },
  'go 1.22.0 on macOS': { stdout: 'go version go1.22.0 darwin/arm64\n', version: 'go1.22.0' },
  'go 1.22 release candidate': { stdout: 'go version go1.22rc1 linux/amd64\n', version: 'go1.22rc1' },
};

export const RUSTC: Record<string, Sample> = {
  'rustc 1.75 stable': { stdout: 'rustc 1.75.0 (82e1608df 2023-12-21)\n', version: '1.75.0' },
  'rustc 1.77 nightly': { stdout: 'rustc 1.77.0-nightly (bf8716f1c 2023-12-24)\n', version: '1.77.0-nightly' },
  'rustc 1.70 from Debian': { stdout: 'rustc 1.70.0\n', version: '1.70.0' },
};

const JAVA_17_DEBIAN =
  'openjdk version "17.0.9" 2023-10-17\n' +
  'OpenJDK Runtime Environment (build 17.0.9+9-Debian-1deb12u1)\n' +
  'OpenJDK 64-Bit Server VM (build 17.0.9+9-Debian-1deb12u1, mixed mode, sharing)\n';

export const JAVA: Record<string, Sample> = {
  'OpenJDK 17 on Debian (stderr)': { stderr: JAVA_17_DEBIAN, version: '17.0.9' },
  'Temurin 17 (stderr)': {
    stderr:
      'openjdk version "17.0.9" 2023-10-17\n' +
      'OpenJDK Runtime Environment Temurin-17.0.9+9 (build 17.0.9+9)\n' +
      'OpenJDK 64-Bit Server VM Temurin-17.0.9+9 (build 17.0.9+9, mixed mode, sharing)\n',
    version: '17.0.9',
  },
  'Oracle JDK 17 (stderr)': {
    stderr:
      'java version "17.0.9" 2023-10-17 LTS\n' +
      'Java(TM) SE Runtime Environment (build 17.0.9+11-LTS-201)\n' +
      'Java HotSpot(TM) 64-Bit Server VM (build 17.0.9+11-LTS-201, mixed mode, sharing)\n',
    version: '17.0.9',
  },
  'OpenJDK 8 (stderr)': {
    stderr:
      'openjdk version "1.8.0_392"\nOpenJDK Runtime Environment (build 1.8.0_392-8u392-ga-1~22.04-b08)\n' +
      'OpenJDK 64-Bit Server VM (build 25.392-b08, mixed mode)\n',
    version: '1.8.0_392',
  },
  'OpenJDK 17 after "Picked up JAVA_TOOL_OPTIONS"': {
    stderr: `Picked up JAVA_TOOL_OPTIONS: -Djavax.net.ssl.trustStorePassword=tr0ub4dor-and-3 -Dfile.encoding=UTF-8\n${JAVA_17_DEBIAN}`,
    version: '17.0.9',
  },
};

export const PYTHON: Record<string, Sample> = {
  'Python 3.11': { stdout: 'Python 3.11.2\n', version: '3.11.2' },
  'Python 3.13 release candidate': { stdout: 'Python 3.13.0rc1\n', version: '3.13.0rc1' },
  'Python before 3.4 (stderr)': { stderr: 'Python 3.3.7\n', version: '3.3.7' },
};

export const NODE: Record<string, Sample> = {
  'node 20': { stdout: 'v20.11.1\n', version: 'v20.11.1' },
  'node 20 nightly': { stdout: 'v20.12.0-nightly2024021369a6c11b39\n', version: 'v20.12.0-nightly2024021369a6c11b39' },
};
