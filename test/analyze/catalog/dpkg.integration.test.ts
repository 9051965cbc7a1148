// The dpkg cataloger against dpkg itself: a real Debian bookworm root made by debootstrap (minbase), compared
// with what dpkg-query reports from the same database. Needs root, debootstrap and dpkg-query, and a Debian
// mirror (see test/helpers/debootstrap.ts, which caches the root so only the first run downloads).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalogAll } from '../../../src/analyze/catalog/index.js';
import { bookwormRoot, dpkgQuery } from '../../helpers/debootstrap.js';

function imageFiles(root: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>([
    ['var/lib/dpkg/status', readFileSync(join(root, 'var/lib/dpkg/status'))],
    ['usr/lib/os-release', readFileSync(join(root, 'usr/lib/os-release'))],
  ]);
  for (const name of readdirSync(join(root, 'usr/share/doc'))) {
    const copyright = join(root, 'usr/share/doc', name, 'copyright');
    if (existsSync(copyright)) files.set(`usr/share/doc/${name}/copyright`, readFileSync(copyright));
  }
  return files;
}

test('the dpkg cataloger agrees with dpkg-query on a debootstrapped bookworm', { timeout: 25 * 60_000 }, () => {
  const root = bookwormRoot();
  const files = imageFiles(root);
  const result = catalogAll(files);
  assert.deepEqual(result.problems, []);
  const pkgs = result.packages;
  const query = (format: string) => dpkgQuery(root, format);

  assert.ok(pkgs.length > 50, `only ${pkgs.length} packages`);
  assert.deepEqual(pkgs.map((p) => `${p.name} ${p.version} ${p.arch}`).sort(), query('${Package} ${Version} ${Architecture}\n'));
  assert.deepEqual(
    pkgs.map((p) => `${p.name}:${p.arch} ${p.source?.name} ${p.source?.version}`).sort(),
    query('${Package}:${Architecture} ${source:Package} ${source:Version}\n'),
  );
  // dpkg-query prints the relationship fields normalised; their package names are the first word of each alternative.
  const relations = new Map(
    query('${Package}:${Architecture}\t${Pre-Depends}, ${Depends}\n').map((line) => {
      const [key, rel] = line.split('\t') as [string, string];
      const names = rel.split(/[,|]/).map((s) => s.trim().split(/[\s:(]/)[0]!).filter((s) => s !== '');
      return [key, [...new Set(names)]];
    }),
  );
  for (const p of pkgs) assert.deepEqual(p.dependsOn ?? [], relations.get(`${p.name}:${p.arch}`), p.name);

  for (const p of pkgs) {
    assert.ok(p.purl.startsWith(`pkg:deb/debian/${encodeURIComponent(p.name)}@`) && p.purl.endsWith(`?arch=${p.arch}&distro=debian-12`), p.purl);
    const copyright = files.get(`usr/share/doc/${p.name}/copyright`)?.toString('utf8');
    assert.equal(p.licenses !== undefined, copyright !== undefined && /^License:[ \t]*\S/im.test(copyright), p.name);
  }
});
