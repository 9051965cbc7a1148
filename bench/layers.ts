// The five layers of the benchmark image, shaped like a Node.js application on Debian: a base system with a
// dpkg database, a runtime (node, npm, Python), the application's node_modules, media assets, and a last layer
// that builds the app, upgrades and removes Debian packages (whiteouts) and reinstalls an npm package (an
// opaque directory). Sizes are log-uniform within each kind of file, so most files are small and most bytes
// are in a few large ones, as in real images.
import { ContentPools, Rng } from './content.js';
import type { BenchEntry, LayerPlan } from './oci-writer.js';
import { debCopyright, debPackages, dpkgStatus, npmLockfile, npmPackageJson, npmPackages, pythonMetadata, type DebPackage, type NpmPackage } from './packages.js';
import { Tree } from './tree.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const LIB = 'usr/lib/x86_64-linux-gnu';
const OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n';
const LANGS = ['de', 'es', 'fr', 'it', 'ja', 'pt_BR', 'ru', 'zh_CN'];

export interface ImagePlan {
  layers: LayerPlan[];
  debs: number;
  npm: number;
}

export function imagePlan(totalBytes: number, seed = 1): ImagePlan {
  const pools = new ContentPools(seed);
  const meta = new Rng(seed + 100);
  const debs = debPackages(meta, 320);
  const runtimeNpm = npmPackages(meta, 180);
  const appNpm = npmPackages(meta, 650);
  const scale = totalBytes / (1024 * MiB);
  const big = (mb: number): number => Math.max(MiB, Math.round(mb * MiB * scale));
  const tree = (n: number): Tree => new Tree(pools, new Rng(seed * 1000 + n));
  return {
    debs: debs.length,
    npm: runtimeNpm.length + appNpm.length,
    layers: [
      { createdBy: '/bin/sh -c #(nop) ADD file:3b1c8a0e4f in / ', entries: base(tree(1), debs, 0.18 * totalBytes, big) },
      { createdBy: 'RUN /bin/sh -c set -ex && install-runtime.sh # buildkit', entries: runtime(tree(2), runtimeNpm, 0.27 * totalBytes, big) },
      { createdBy: 'RUN /bin/sh -c npm ci --omit=dev # buildkit', entries: nodeModules(tree(3), appNpm, 0.25 * totalBytes) },
      { createdBy: 'COPY public/ data/ models/ /app/ # buildkit', entries: assets(tree(4), 0.25 * totalBytes, big) },
      { createdBy: 'RUN /bin/sh -c npm run build && apt-get upgrade -y # buildkit', entries: finish(tree(5), debs, appNpm, 0.05 * totalBytes) },
    ],
  };
}

function* base(t: Tree, debs: DebPackage[], budget: number, big: (mb: number) => number): Generator<BenchEntry> {
  const { rng } = t;
  for (const d of ['bin', 'sbin', 'lib', 'lib64']) yield* t.symlink(d, `usr/${d}`);
  yield* t.bytes('etc/os-release', OS_RELEASE);
  yield* t.bytes('etc/debian_version', '12.5\n');
  yield* t.bytes('etc/passwd', 'root:x:0:0:root:/root:/bin/bash\nnode:x:1000:1000::/home/node:/bin/bash\n');
  for (let i = 0; i < 140; i++) yield* t.file(`etc/ssl/certs/ca-${i}.pem`, rng.int(1200, 2400), 'text');
  yield* t.bytes('var/lib/dpkg/status', dpkgStatus(debs));
  for (const p of debs) {
    yield* t.bytes(`usr/share/doc/${p.name}/copyright`, debCopyright(p, t.text(rng.logUniform(600, 18 * KiB))));
    yield* t.file(`usr/share/doc/${p.name}/changelog.Debian.gz`, rng.logUniform(800, 40 * KiB), 'random');
    yield* t.bytes(`var/lib/dpkg/info/${p.name}.list`, `/usr/share/doc/${p.name}\n/usr/share/doc/${p.name}/copyright\n`);
    yield* t.file(`var/lib/dpkg/info/${p.name}.md5sums`, rng.logUniform(100, 8 * KiB), 'text');
  }
  yield* t.file(`${LIB}/libLLVM-15.so.1`, big(34), 'binary');
  yield* t.file('usr/bin/perl', 3 * MiB + 1234, 'binary', 0o755);
  yield* t.hardlink('usr/bin/perl5.36.0', 'usr/bin/perl');
  const word = (): string => rng.pick(debs).source;
  yield* t.fill(budget, function* () {
    const r = rng.next();
    if (r < 0.1) yield* t.file(`usr/bin/${word()}`, rng.logUniform(8 * KiB, 1024 * KiB), 'binary', 0o755);
    else if (r < 0.2) {
      const name = `lib${word()}.so`;
      const major = rng.int(0, 7);
      yield* t.file(`${LIB}/${name}.${major}`, rng.logUniform(16 * KiB, 2 * MiB), 'binary');
      if (rng.chance(0.5)) yield* t.symlink(`${LIB}/${name}`, `${name}.${major}`);
    } else if (r < 0.32) yield* t.file(`usr/share/locale/${rng.pick(LANGS)}/LC_MESSAGES/${word()}.mo`, rng.logUniform(2 * KiB, 100 * KiB), 'binary');
    else if (r < 0.5) yield* t.file(`usr/share/man/man${rng.int(1, 9)}/${word()}.${rng.int(1, 9)}.gz`, rng.logUniform(KiB, 16 * KiB), 'random');
    else if (r < 0.6) yield* t.file(`usr/share/zoneinfo/${rng.pick(LANGS)}/${word()}`, rng.logUniform(128, 4 * KiB), 'binary');
    else yield* t.file(`usr/share/${word()}/${word()}.${rng.pick(['txt', 'pl', 'py', 'conf', 'xml'])}`, rng.logUniform(256, 32 * KiB), 'text');
  });
}

function* runtime(t: Tree, npm: NpmPackage[], budget: number, big: (mb: number) => number): Generator<BenchEntry> {
  const { rng } = t;
  yield* t.file('usr/local/bin/node', big(46), 'binary', 0o755);
  yield* t.symlink('usr/local/bin/npm', '../lib/node_modules/npm/bin/npm-cli.js');
  const npmRoot = 'usr/local/lib/node_modules/npm';
  yield* t.bytes(`${npmRoot}/package.json`, npmPackageJson({ dir: 'npm', name: 'npm', version: '10.2.4', license: 'Artistic-2.0', dependencies: [] }, 'a package manager for JavaScript'));
  for (const p of npm) {
    yield* t.bytes(`${npmRoot}/node_modules/${p.dir}/package.json`, npmPackageJson(p, t.text(80).replace(/\s+/g, ' ')));
    yield* t.file(`${npmRoot}/node_modules/${p.dir}/lib/index.js`, rng.logUniform(512, 32 * KiB), 'text');
  }
  const site = 'usr/local/lib/python3.11/site-packages';
  for (let i = 0; i < 40; i++) {
    const name = `${npm[i]!.name.replace(/[@/]/g, '')}-py`;
    const version = `${rng.int(0, 5)}.${rng.int(0, 20)}.${rng.int(0, 9)}`;
    yield* t.bytes(`${site}/${name}-${version}.dist-info/METADATA`, pythonMetadata(name, version, i > 0 ? [`${npm[i - 1]!.name.replace(/[@/]/g, '')}-py`] : []));
    yield* t.file(`${site}/${name}-${version}.dist-info/RECORD`, rng.logUniform(512, 16 * KiB), 'text');
  }
  const dirs = npm.slice(0, 60).map((p) => p.name.replace(/[@/]/g, ''));
  yield* t.fill(budget, function* () {
    const r = rng.next();
    const d = rng.pick(dirs);
    if (r < 0.2) yield* t.file(`usr/local/include/node/${d}/${rng.pick(dirs)}.h`, rng.logUniform(512, 48 * KiB), 'text');
    else if (r < 0.45) yield* t.file(`${npmRoot}/node_modules/${rng.pick(npm).dir}/lib/${d}.js`, rng.logUniform(256, 32 * KiB), 'text');
    else if (r < 0.75) yield* t.file(`usr/local/lib/python3.11/${d}/${rng.pick(dirs)}.py`, rng.logUniform(256, 64 * KiB), 'text');
    else if (r < 0.97) yield* t.file(`usr/local/lib/python3.11/${d}/__pycache__/${rng.pick(dirs)}.cpython-311.pyc`, rng.logUniform(512, 48 * KiB), 'binary');
    else yield* t.file(`${site}/${d}/_${rng.pick(dirs)}.cpython-311-x86_64-linux-gnu.so`, rng.logUniform(64 * KiB, 6 * MiB), 'binary');
  });
}

function* nodeModules(t: Tree, npm: NpmPackage[], budget: number): Generator<BenchEntry> {
  const { rng } = t;
  yield* t.bytes('app/package.json', `${JSON.stringify({ name: 'bench-app', version: '1.0.0', dependencies: {} }, null, 2)}\n`);
  yield* t.bytes('app/package-lock.json', npmLockfile('bench-app', npm));
  for (const p of npm) {
    const dir = `app/node_modules/${p.dir}`;
    yield* t.bytes(`${dir}/package.json`, npmPackageJson(p, t.text(80).replace(/\s+/g, ' ')));
    yield* t.file(`${dir}/README.md`, rng.logUniform(KiB, 24 * KiB), 'text');
    yield* t.file(`${dir}/LICENSE`, rng.int(1000, 1200), 'text');
    yield* t.file(`${dir}/index.js`, rng.logUniform(200, 8 * KiB), 'text');
    if (rng.chance(0.4)) yield* t.file(`${dir}/index.d.ts`, rng.logUniform(200, 16 * KiB), 'text');
  }
  const names = npm.map((p) => p.name.split('/').pop()!);
  yield* t.fill(budget, function* () {
    const r = rng.next();
    const dir = `app/node_modules/${rng.pick(npm).dir}`;
    const name = rng.pick(names);
    if (r < 0.68) yield* t.file(`${dir}/lib/${name}.js`, rng.logUniform(200, 32 * KiB), 'text');
    else if (r < 0.8) yield* t.file(`${dir}/lib/${name}.d.ts`, rng.logUniform(200, 24 * KiB), 'text');
    else if (r < 0.88) yield* t.file(`${dir}/dist/${name}.js.map`, rng.logUniform(KiB, 192 * KiB), 'text');
    else if (r < 0.991) yield* t.file(`${dir}/dist/${name}.min.js`, rng.logUniform(KiB, 96 * KiB), 'text');
    else if (r < 0.997) yield* t.file(`${dir}/prebuilds/linux-x64/${name}.node`, rng.logUniform(64 * KiB, 4 * MiB), 'binary', 0o755);
    else yield* t.file(`${dir}/${name}.wasm`, rng.logUniform(50 * KiB, 2 * MiB), 'binary');
  });
}

function* assets(t: Tree, budget: number, big: (mb: number) => number): Generator<BenchEntry> {
  const { rng } = t;
  const w = (): string => t.text(24).replace(/[^a-z]+/gi, '-').replace(/^-|-$/g, '').toLowerCase() || 'asset';
  for (const mb of [38, 22, 14]) yield* t.file(`app/public/video/${w()}.mp4`, big(mb), 'random');
  for (const mb of [24, 12]) yield* t.file(`app/models/${w()}.onnx`, big(mb), 'binary');
  yield* t.fill(budget, function* () {
    const r = rng.next();
    if (r < 0.6) yield* t.file(`app/public/img/${w()}.${rng.pick(['png', 'jpg', 'webp'])}`, rng.logUniform(2 * KiB, 1536 * KiB), 'random');
    else if (r < 0.7) yield* t.file(`app/public/fonts/${w()}.woff2`, rng.logUniform(20 * KiB, 200 * KiB), 'random');
    else if (r < 0.95) yield* t.file(`app/data/${w()}.json`, rng.logUniform(4 * KiB, 6 * MiB), 'text');
    else yield* t.file(`app/public/${w()}.html`, rng.logUniform(2 * KiB, 64 * KiB), 'text');
  });
}

function* finish(t: Tree, debs: DebPackage[], npm: NpmPackage[], budget: number): Generator<BenchEntry> {
  const { rng } = t;
  const removed = debs.slice(10, 13);
  const upgraded = new Set(debs.slice(20, 25).map((p) => p.name));
  const now = debs.filter((p) => !removed.includes(p)).map((p) => (upgraded.has(p.name) ? { ...p, version: `${p.version}+deb12u9` } : p));
  yield* t.bytes('var/lib/dpkg/status', dpkgStatus(now));
  for (const p of removed) {
    yield* t.bytes(`usr/share/doc/.wh.${p.name}`, '');
    yield* t.bytes(`var/lib/dpkg/info/.wh.${p.name}.list`, '');
    yield* t.bytes(`var/lib/dpkg/info/.wh.${p.name}.md5sums`, '');
  }
  yield* t.bytes(`${LIB}/.wh.libLLVM-15.so.1`, '');
  const reinstalled = npm.find((p) => !p.dir.includes('/'))!;
  const dir = `app/node_modules/${reinstalled.dir}`;
  yield* t.bytes(`${dir}/.wh..wh..opq`, '');
  yield* t.bytes(`${dir}/package.json`, npmPackageJson({ ...reinstalled, version: '99.0.0' }, 'reinstalled'));
  yield* t.file(`${dir}/index.js`, 4 * KiB, 'text');
  yield* t.bytes('etc/app/config.yaml', 'listen: 0.0.0.0:8080\nlog: info\n');
  yield* t.fill(budget, function* () {
    const name = `app/dist/${rng.pick(npm).name.replace(/[@/]/g, '')}`;
    yield* t.file(`${name}.js`, rng.logUniform(KiB, 400 * KiB), 'text');
    if (rng.chance(0.5)) yield* t.file(`${name}.js.map`, rng.logUniform(4 * KiB, 1200 * KiB), 'text');
  });
}
