// Go module versions (https://go.dev/ref/mod#versions): SemVer 2.0.0 with a mandatory "v" prefix. Build metadata
// is not allowed in a module version except "+incompatible", which marks a major version >= 2 of a module without
// a go.mod and plays no part in ordering (golang.org/x/mod/semver.Compare ignores the build suffix).
// Pseudo-versions (https://go.dev/ref/mod#pseudo-versions) such as v0.0.0-20191109021931-daa7c04131f5 are
// ordinary pre-releases, so SemVer precedence orders them before the release they precede, by timestamp.

import { versionScheme, type VersionScheme } from './scheme.js';
import { compareSemverParts, parseSemverCore, type SemverParts } from './semver.js';

function parseGo(version: string): SemverParts | undefined {
  if (!version.startsWith('v')) return undefined;
  const parts = parseSemverCore(version.slice(1));
  if (parts === undefined) return undefined;
  if (parts.build !== undefined && parts.build !== 'incompatible') return undefined;
  return parts;
}

export const goVersions: VersionScheme = versionScheme('go', 'a Go module version', parseGo, compareSemverParts);
