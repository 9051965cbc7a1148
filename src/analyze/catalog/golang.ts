// Go modules compiled into an ELF executable, from its embedded build info. A module replaced by another
// module ("=>" line) is reported as the replacement, which is the code that was built; one replaced by a local
// directory ("./x", "../x", "/x") keeps its own path with the version "(devel)", since no published version
// of it was used. The main module depends on every module of the build (build info does not record which are
// direct). Any file may be a Go executable, so this cataloger matches every path and sniffs the ELF magic.
import { isElf } from './elf.js';
import { readGoBuildInfo, type GoBuildInfo, type GoModule } from './go-buildinfo.js';
import { golangPurl } from './purl.js';
import { MiB, malformed, type Cataloger, type Package } from './package.js';

export const goBinaryCataloger: Cataloger = {
  name: 'go-binary',
  maxBytes: 256 * MiB,
  matches: () => true,
  sniff: isElf,
  parse(path, bytes) {
    const info = readGoBuildInfo(bytes);
    return info === undefined ? [] : goPackages(info, path);
  },
};

/** The packages of one executable's build info, located at `path`. Errors: PACKAGE_METADATA_MALFORMED. */
export function goPackages(info: GoBuildInfo, path: string): Package[] {
  const deps = info.deps.map((m) => toPackage(m, path));
  if (info.main === undefined || info.main.path === '') return deps;
  const main = toPackage(info.main, path);
  if (deps.length > 0) main.dependsOn = [...new Set(deps.map((d) => d.name))];
  return [main, ...deps];
}

function isLocalPath(path: string): boolean {
  return path.startsWith('./') || path.startsWith('../') || path.startsWith('/') || path === '.' || path === '..' || /^[A-Za-z]:[\\/]/.test(path);
}

function toPackage(module: GoModule, location: string): Package {
  let { path, version } = module;
  if (module.replace !== undefined) {
    if (isLocalPath(module.replace.path)) version = '(devel)';
    else ({ path, version } = module.replace);
  }
  if (path === '' || /\s/.test(path) || /\s/.test(version)) malformed('Go build info', `invalid module ${JSON.stringify(path.slice(0, 200))}`);
  if (version === '') version = '(devel)';
  return { ecosystem: 'golang', name: path, version, purl: golangPurl(path, version), locations: [location] };
}
