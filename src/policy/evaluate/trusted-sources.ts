// Where an image's inputs came from: every resolved dependency of the build provenance (base images, sources) must
// have a URI matching a trusted glob, and so must the `repository_url` qualifier of any purl among them or among
// the inventory's packages (the registry a package or image was fetched from). A dependency without a URI, or a
// purl that cannot be read, cannot be shown to be trusted and is listed as untrusted.
import { isProvenantError } from '../../core/errors.js';
import { parsePurl } from '../../vuln/sbom-read-purl.js';
import type { BuildFact, PackageFact } from '../facts.js';
import type { ImageGlob } from '../image-glob.js';

export interface SourceCheck {
  /** Texts that matched no glob, sorted and distinct. */
  readonly untrusted: readonly string[];
  readonly checked: number;
}

export function checkSources(globs: readonly ImageGlob[], build: BuildFact, packages: readonly PackageFact[]): SourceCheck {
  const untrusted = new Set<string>();
  let checked = 0;
  const check = (text: string, label = text): void => {
    checked++;
    if (!globs.some((g) => g.matchesText(text))) untrusted.add(label);
  };
  for (const dependency of build.resolvedDependencies) {
    if (dependency.uri === undefined) {
      checked++;
      untrusted.add(`resolved dependency ${dependency.name ?? JSON.stringify(dependency.digest ?? {})} without a URI`);
      continue;
    }
    check(dependency.uri);
    if (dependency.uri.startsWith('pkg:')) checkRepository(dependency.uri, check, untrusted);
  }
  for (const pkg of packages) if (pkg.purl.includes('repository_url=')) checkRepository(pkg.purl, check, untrusted);
  return { untrusted: [...untrusted].sort(), checked };
}

function checkRepository(purl: string, check: (text: string, label: string) => void, untrusted: Set<string>): void {
  let repository: string | undefined;
  try {
    repository = parsePurl(purl).qualifiers.repository_url;
  } catch (e) {
    if (!isProvenantError(e)) throw e;
    untrusted.add(`${purl} (not a readable purl)`);
    return;
  }
  if (repository !== undefined) check(repository, `${repository} (repository of ${purl})`);
}
