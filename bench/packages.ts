// Package metadata for the benchmark image, shaped like the real files the catalogers read: a dpkg status
// database with DEP-5 copyright files, npm package.json files and a lockfile, Python METADATA files.
import { vocabulary, type Rng } from './content.js';

export interface DebPackage {
  name: string;
  version: string;
  source: string;
  section: string;
  depends: string[];
  description: string[];
  license: string;
}

export interface NpmPackage {
  /** Path under the node_modules folder: "name", "@scope/name" or "a/node_modules/b". */
  dir: string;
  name: string;
  version: string;
  license: string;
  dependencies: string[];
}

const SECTIONS = ['libs', 'utils', 'admin', 'net', 'perl', 'python', 'devel', 'misc', 'shells', 'text'];
const DEB_LICENSES = ['GPL-2+', 'GPL-3+', 'LGPL-2.1+', 'BSD-3-clause', 'MIT', 'Expat', 'Artistic', 'Apache-2.0'];
const NPM_LICENSES = ['MIT', 'MIT', 'MIT', 'ISC', 'ISC', 'Apache-2.0', 'BSD-3-Clause', 'BSD-2-Clause', '(MIT OR Apache-2.0)'];

function words(rng: Rng, count: number): string[] {
  const vocab = vocabulary(rng, 1200).filter((w) => /^[a-z]{3,}$/.test(w));
  const seen = new Set<string>();
  while (seen.size < count) {
    const w = rng.chance(0.3) ? `${rng.pick(vocab)}-${rng.pick(vocab)}` : rng.pick(vocab);
    seen.add(w);
  }
  return [...seen];
}

function debVersion(rng: Rng): string {
  const epoch = rng.chance(0.1) ? `${rng.int(1, 3)}:` : '';
  const upstream = `${rng.int(0, 12)}.${rng.int(0, 40)}${rng.chance(0.5) ? `.${rng.int(0, 20)}` : ''}`;
  const revision = `${rng.int(1, 9)}${rng.chance(0.2) ? `+deb12u${rng.int(1, 4)}` : ''}`;
  return `${epoch}${upstream}-${revision}`;
}

export function debPackages(rng: Rng, count: number): DebPackage[] {
  const names = words(rng, count).map((w, i) => (i % 3 === 0 ? `lib${w}${rng.int(0, 4)}` : w));
  return names.map((name) => ({
    name,
    version: debVersion(rng),
    source: name.replace(/^lib/, '').replace(/[0-9]+$/, '') || name,
    section: rng.pick(SECTIONS),
    depends: Array.from({ length: rng.int(0, 6) }, () => rng.pick(names)).filter((d) => d !== name),
    description: words(rng, rng.int(4, 12)),
    license: rng.pick(DEB_LICENSES),
  }));
}

export function dpkgStatus(packages: DebPackage[]): string {
  return packages
    .map((p) =>
      [
        `Package: ${p.name}`,
        'Status: install ok installed',
        'Priority: optional',
        `Section: ${p.section}`,
        `Installed-Size: ${(p.name.length * 97) % 4000}`,
        'Maintainer: Debian Maintainers <maintainers@lists.example.org>',
        'Architecture: amd64',
        ...(p.section === 'libs' ? ['Multi-Arch: same'] : []),
        ...(p.source === p.name ? [] : [`Source: ${p.source} (${p.version})`]),
        `Version: ${p.version}`,
        ...(p.depends.length === 0 ? [] : [`Depends: ${[...new Set(p.depends)].map((d, i) => (i % 2 ? d : `${d} (>= 1.0)`)).join(', ')}`]),
        `Description: ${p.description.slice(0, 4).join(' ')}`,
        ` ${p.description.join(' ')}`,
        ' .',
        ` ${p.description.slice(2).join(' ')} ${p.name}.`,
        `Homepage: https://${p.source}.example.org/`,
      ].join('\n'),
    )
    .join('\n\n')
    .concat('\n');
}

/** A DEP-5 copyright file; `text` is the licence text, indented as a continuation. */
export function debCopyright(p: DebPackage, text: string): string {
  const body = text
    .split('\n')
    .map((l) => (l.trim() === '' ? ' .' : ` ${l.trimEnd()}`))
    .join('\n');
  return [
    'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/',
    `Upstream-Name: ${p.source}`,
    `Source: https://${p.source}.example.org/`,
    '',
    'Files: *',
    `Copyright: 1998-2023 The ${p.source} authors`,
    `License: ${p.license}`,
    '',
    `License: ${p.license}`,
    body,
    '',
  ].join('\n');
}

export function npmPackages(rng: Rng, count: number, scopes = ['types', 'babel', 'aws-sdk', 'smithy', 'opentelemetry']): NpmPackage[] {
  const names = words(rng, count);
  const out: NpmPackage[] = names.map((w, i) => {
    const name = i % 7 === 0 ? `@${rng.pick(scopes)}/${w}` : w;
    return { dir: name, name, version: `${rng.int(0, 9)}.${rng.int(0, 30)}.${rng.int(0, 20)}`, license: rng.pick(NPM_LICENSES), dependencies: [] };
  });
  for (const p of out) p.dependencies = [...new Set(Array.from({ length: rng.int(0, 5) }, () => rng.pick(out).name))].filter((d) => d !== p.name);
  // A few packages need another major version of a dependency: npm nests it under the dependent.
  for (let i = 0; i < Math.floor(count / 20); i++) {
    const parent = rng.pick(out.slice(0, count));
    const child = rng.pick(out.slice(0, count));
    if (parent === child || out.some((p) => p.dir === `${parent.dir}/node_modules/${child.name}`)) continue;
    out.push({ ...child, dir: `${parent.dir}/node_modules/${child.name}`, version: `${rng.int(0, 9)}.${rng.int(0, 30)}.0`, dependencies: [] });
  }
  return out;
}

export function npmPackageJson(p: NpmPackage, description: string): string {
  const doc = {
    name: p.name,
    version: p.version,
    description,
    main: 'index.js',
    types: 'index.d.ts',
    license: p.license,
    repository: { type: 'git', url: `git+https://github.example/${p.name.replace('@', '')}.git` },
    scripts: { test: 'node test.js' },
    dependencies: Object.fromEntries(p.dependencies.map((d) => [d, '^1.0.0'])),
    engines: { node: '>=14' },
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export function npmLockfile(appName: string, packages: NpmPackage[]): string {
  const entries: Record<string, unknown> = { '': { name: appName, version: '1.0.0', dependencies: {} } };
  for (const p of packages) {
    entries[`node_modules/${p.dir}`] = {
      version: p.version,
      resolved: `https://registry.npmjs.org/${p.name}/-/${p.name.split('/').pop()}-${p.version}.tgz`,
      integrity: `sha512-${Buffer.from(p.dir + p.version).toString('base64')}`,
      license: p.license,
      ...(p.dependencies.length === 0 ? {} : { dependencies: Object.fromEntries(p.dependencies.map((d) => [d, '^1.0.0'])) }),
    };
  }
  return `${JSON.stringify({ name: appName, version: '1.0.0', lockfileVersion: 3, requires: true, packages: entries }, null, 2)}\n`;
}

export function pythonMetadata(name: string, version: string, requires: string[]): string {
  return [
    'Metadata-Version: 2.1',
    `Name: ${name}`,
    `Version: ${version}`,
    `Summary: The ${name} library`,
    `Home-page: https://${name}.example.org/`,
    'License: BSD-3-Clause',
    'Classifier: License :: OSI Approved :: BSD License',
    'Classifier: Programming Language :: Python :: 3',
    ...requires.map((r) => `Requires-Dist: ${r} (>=1.0)`),
    '',
    `${name} does useful things.`,
    '',
  ].join('\n');
}
