// The version scheme of each OSV ecosystem (https://ossf.github.io/osv-schema/#defined-ecosystems). An ecosystem
// may carry a ":"-separated suffix naming a release or repository ("Debian:12", "Alpine:v3.19",
// "Ubuntu:22.04:LTS", "Rocky Linux:9"); the suffix does not change how versions are ordered.

import { ProvenantError } from '../../core/errors.js';
import { apkVersions } from './apk.js';
import { dpkgVersions } from './dpkg.js';
import { goVersions } from './go.js';
import { mavenVersions } from './maven.js';
import { pep440Versions } from './pep440.js';
import { rpmVersions } from './rpm.js';
import type { VersionScheme } from './scheme.js';
import { semverVersions } from './semver.js';

export type { VersionScheme } from './scheme.js';

const BY_ECOSYSTEM: ReadonlyMap<string, VersionScheme> = new Map([
  ['npm', semverVersions],
  ['PyPI', pep440Versions],
  ['Go', goVersions],
  ['Maven', mavenVersions],
  ['Debian', dpkgVersions],
  ['Ubuntu', dpkgVersions],
  ['Alpine', apkVersions],
  ['Red Hat', rpmVersions],
  ['Rocky Linux', rpmVersions],
  ['AlmaLinux', rpmVersions],
  ['openSUSE', rpmVersions],
  ['SUSE', rpmVersions],
  ['Mageia', rpmVersions],
]);

/** The version scheme of an OSV ecosystem name. Errors: UNSUPPORTED for an ecosystem without one here. */
export function versionSchemeFor(ecosystem: string): VersionScheme {
  const colon = ecosystem.indexOf(':');
  const base = colon === -1 ? ecosystem : ecosystem.slice(0, colon);
  const scheme = colon === ecosystem.length - 1 ? undefined : BY_ECOSYSTEM.get(base);
  if (scheme === undefined) {
    throw new ProvenantError('UNSUPPORTED', `no version ordering for ecosystem ${JSON.stringify(ecosystem)}`, {
      details: { ecosystem },
    });
  }
  return scheme;
}
