// HostFacts as the host adapter would produce them, for tests of the pure layer.
import type { HostFacts, ToolchainProbe } from '../../../src/host/index.js';

export const DEBIAN_OS_RELEASE = [
  'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"',
  'NAME="Debian GNU/Linux"',
  'VERSION_ID="12"',
  'VERSION="12 (bookworm)"',
  'VERSION_CODENAME=bookworm',
  'ID=debian',
  'HOME_URL="https://www.debian.org/"',
  '',
].join('\n');

export function hostFacts(env: Record<string, string>, more: Partial<HostFacts> = {}): HostFacts {
  return {
    osRelease: Buffer.from(DEBIAN_OS_RELEASE),
    kernel: { release: '6.1.0-18-amd64', machine: 'x86_64' },
    env: new Map(Object.entries(env)),
    toolchains: [],
    ...more,
  };
}

export function ran(name: ToolchainProbe['name'], path: string, stdout: string, stderr = '', exitCode: number | null = 0): ToolchainProbe {
  return { name, path, outcome: { kind: 'ran', exitCode, stdout, stderr } };
}
