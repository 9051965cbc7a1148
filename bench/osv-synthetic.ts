// Synthetic OSV data in the shapes of real records, for benchmarks: GHSA records for npm and PyPI (CVSS v3
// vectors), Debian tracker records for Debian 12 (urgency, source package names), ECOSYSTEM ranges with
// introduced/fixed or last_affected, explicit versions lists, withdrawn records and aliases; and an image's
// packages drawn from the same package names, so each has several candidate records. Seeded: the same sizes give
// the same data.
import type { Package } from '../src/formats/sbom-package.js';

type Kind = 'npm' | 'PyPI' | 'Debian:12';
const KINDS: readonly Kind[] = ['npm', 'PyPI', 'Debian:12'];

function version(kind: Kind, major: number, minor: number, patch: number): string {
  switch (kind) {
    case 'npm':
      return `${major}.${minor}.${patch}`;
    case 'PyPI':
      return patch % 7 === 0 ? `${major}.${minor}.${patch}rc1` : `${major}.${minor}.${patch}`;
    case 'Debian:12':
      return `${major % 3 === 0 ? '1:' : ''}${major}.${minor}.${patch}-${1 + (patch % 4)}${patch % 5 === 0 ? '~deb12u1' : ''}`;
  }
}

export class SyntheticOsv {
  private seed = 0x2545f491;
  /** About 5 records per package name, as in large real ecosystems. */
  private readonly names: Map<Kind, string[]>;

  constructor(advisoryCount: number) {
    this.names = new Map(KINDS.map((k) => [k, Array.from({ length: Math.ceil(advisoryCount / 15) }, (_, i) => `${k === 'Debian:12' ? 'src' : 'pkg'}-${k.replace(/\W/g, '').toLowerCase()}-${i}`)]));
  }

  /** The n-th record (as parsed JSON). */
  record(n: number): Record<string, unknown> {
    const kind = this.pick(KINDS);
    const name = this.pick(this.names.get(kind)!);
    const major = this.int(5);
    const published = new Date(Date.UTC(2015 + this.int(11), this.int(12), 1 + this.int(28))).toISOString().replace('.000Z', 'Z');
    const introduced = this.int(4) === 0 ? '0' : version(kind, major, this.int(10), this.int(20));
    const events: object[] = [{ introduced }];
    const shape = this.int(10);
    if (shape < 7) events.push({ fixed: version(kind, major + 1, this.int(10), this.int(20)) });
    else if (shape < 9) events.push({ last_affected: version(kind, major, 9, 19) });
    const affected: Record<string, unknown> = { package: { ecosystem: kind, name }, ranges: [{ type: 'ECOSYSTEM', events }] };
    if (kind === 'Debian:12') affected.ecosystem_specific = { urgency: this.pick(['low', 'medium', 'high', 'unimportant']) };
    if (shape === 9) affected.versions = Array.from({ length: 1 + this.int(6) }, () => version(kind, major, this.int(10), this.int(20)));
    const id = kind === 'Debian:12' ? `DEBIAN-CVE-${2015 + (n % 11)}-${100000 + n}` : `GHSA-${n.toString(36).padStart(4, '0')}-bnch-${(n * 7919).toString(36).slice(-4).padStart(4, 'x')}`;
    return {
      schema_version: '1.6.0',
      id,
      modified: published,
      published,
      ...(n % 997 === 0 ? { withdrawn: published } : {}),
      aliases: [`CVE-${2015 + (n % 11)}-${100000 + n}`],
      summary: `synthetic advisory ${n}`,
      ...(kind === 'Debian:12' ? {} : { severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }] }),
      affected: [affected],
    };
  }

  /** An image's packages: deb (binary "lib<source>" built from a source with records), npm and PyPI, in turn. */
  packages(count: number): Package[] {
    return Array.from({ length: count }, (_, i) => {
      const kind = KINDS[i % KINDS.length]!;
      const name = this.pick(this.names.get(kind)!);
      const v = version(kind, this.int(5), this.int(10), this.int(20));
      switch (kind) {
        case 'npm':
          return { ecosystem: 'npm', name, version: v, purl: `pkg:npm/${name}@${v}`, licenses: ['MIT'], locations: [] };
        case 'PyPI':
          return { ecosystem: 'pypi', name, version: v, purl: `pkg:pypi/${name}@${v}`, licenses: ['Apache-2.0'], locations: [] };
        case 'Debian:12':
          return { ecosystem: 'deb', name: `lib${name}`, version: v, source: { name, version: v }, purl: `pkg:deb/debian/lib${name}@${encodeURIComponent(v)}?arch=amd64&distro=debian-12`, licenses: ['GPL-2.0-or-later'], locations: [] };
      }
    });
  }

  private random(): number {
    this.seed ^= this.seed << 13;
    this.seed ^= this.seed >>> 17;
    this.seed ^= this.seed << 5;
    return (this.seed >>> 0) / 0x100000000;
  }

  private pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.random() * list.length)]!;
  }

  private int(below: number): number {
    return Math.floor(this.random() * below);
  }
}
