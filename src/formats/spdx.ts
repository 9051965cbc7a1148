// SPDX 2.3 JSON documents (spdx.github.io/spdx-spec/v2.3: clause 6 document creation, 7 packages, 11
// relationships) for an image and the packages in it, and the reading of declared licences as SPDX license
// expressions (Annex D), which CycloneDX uses too. Pure: the timestamp and namespace are inputs.
import { digestHex } from '../core/digest.js';
import { ProvenantError } from '../core/errors.js';
import type { JsonObject } from '../core/json.js';
import { isTypeUri } from './intoto.js';
import { assertSbomInput, imagePurl, isUtcTimestamp, orderPackages, resolveDependencies, type AttributedPackage, type ImageInfo } from './sbom-package.js';

export interface SpdxInput {
  /** The document's name, e.g. the image reference. */
  name: string;
  /** A URI unique to this document (6.5), without "#". */
  documentNamespace: string;
  /** Creation time, "YYYY-MM-DDThh:mm:ssZ" (6.9). */
  created: string;
  /** Provenant's version, for the creator "Tool: provenant-<version>". */
  toolVersion: string;
  image: ImageInfo;
  packages: readonly AttributedPackage[];
}

export const SPDX_IMAGE_ID = 'SPDXRef-Image';
const NOASSERTION = 'NOASSERTION';

/** Builds the document. Errors: USAGE for an input the format cannot carry. */
export function buildSpdx(input: SpdxInput): JsonObject {
  if (input.name.trim() === '') usage('name must not be empty');
  if (!isTypeUri(input.documentNamespace) || input.documentNamespace.includes('#')) usage('documentNamespace must be a URI without "#"');
  if (!isUtcTimestamp(input.created, false)) usage('created must be YYYY-MM-DDThh:mm:ssZ');
  if (!/^[^\s]+$/.test(input.toolVersion)) usage('toolVersion must be a non-empty word');
  assertSbomInput(input.image, input.packages, 'SPDX document');

  const packages = orderPackages(input.packages);
  const used = new Set<string>([SPDX_IMAGE_ID]);
  const ids = packages.map(({ package: p }) => uniqueId(`SPDXRef-Package-${p.ecosystem}-${p.name}-${p.version}`, used));
  const purl = imagePurl(input.image);

  const image: JsonObject = {
    SPDXID: SPDX_IMAGE_ID,
    name: input.image.name,
    versionInfo: input.image.digest,
    downloadLocation: NOASSERTION,
    filesAnalyzed: false,
    primaryPackagePurpose: 'CONTAINER',
    checksums: [{ algorithm: 'SHA256', checksumValue: digestHex(input.image.digest) }],
    licenseConcluded: NOASSERTION,
    licenseDeclared: NOASSERTION,
    externalRefs: [purlRef(purl)],
  };
  const relationships: JsonObject[] = [relationship('SPDXRef-DOCUMENT', 'DESCRIBES', SPDX_IMAGE_ID)];
  for (const id of ids) relationships.push(relationship(SPDX_IMAGE_ID, 'CONTAINS', id));
  resolveDependencies(packages.map((p) => p.package)).forEach((targets, i) => {
    for (const t of targets) relationships.push(relationship(ids[i]!, 'DEPENDS_ON', ids[t]!));
  });

  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: input.name,
    documentNamespace: input.documentNamespace,
    creationInfo: { created: input.created, creators: [`Tool: provenant-${input.toolVersion}`] },
    packages: [image, ...packages.map((p, i) => packageJson(p, ids[i]!))],
    relationships,
  };
}

function packageJson({ package: p, layer }: AttributedPackage, id: string): JsonObject {
  const licenses = interpretLicenses(p.licenses);
  const out: JsonObject = {
    SPDXID: id,
    name: p.name,
    versionInfo: p.version,
    downloadLocation: NOASSERTION,
    filesAnalyzed: false,
    licenseConcluded: NOASSERTION,
    licenseDeclared: licenses.expression ?? NOASSERTION,
    externalRefs: [purlRef(p.purl)],
  };
  const names = licenses.terms.flatMap((t) => (t.kind === 'name' ? [JSON.stringify(t.name)] : []));
  if (names.length > 0) out.licenseComments = `Declared by the package but not an SPDX license expression: ${names.join(', ')}`;
  const origin: string[] = [];
  if (layer !== undefined) origin.push(`installed by image layer ${layer.index} (${layer.digest})`);
  if (p.source !== undefined) origin.push(`built from source package ${[p.source.name, p.source.version].filter((s) => s !== undefined).join(' ')}`);
  if (origin.length > 0) out.sourceInfo = origin.join('; ');
  return out;
}

/** SPDXRef-<idstring> where idstring is letters, digits, "." and "-" (clause 7.2); a repeat gets "-2", "-3", ... */
function uniqueId(base: string, used: Set<string>): string {
  const clean = base.replace(/[^A-Za-z0-9.-]+/g, '-');
  let id = clean;
  for (let n = 2; used.has(id); n++) id = `${clean}-${n}`;
  used.add(id);
  return id;
}

function purlRef(purl: string): JsonObject {
  return { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: purl };
}

function relationship(from: string, type: string, to: string): JsonObject {
  return { spdxElementId: from, relationshipType: type, relatedSpdxElement: to };
}

function usage(message: string): never {
  throw new ProvenantError('USAGE', `SPDX document: ${message}`);
}

// Licences. The identifiers below are the SPDX License List entries met most often in distribution, npm and
// PyPI metadata (a test checks each against the licence list in CycloneDX 1.6's spdx.schema.json). Identifiers match case-insensitively
// and operators case-sensitively (Annex D.2). Anything else is kept as a name, never guessed at.
const LICENSE_IDS = lookup(
  '0BSD AFL-2.1 AFL-3.0 AGPL-3.0 AGPL-3.0-only AGPL-3.0-or-later Apache-1.1 Apache-2.0 APSL-2.0 Artistic-1.0 ' +
    'Artistic-1.0-Perl Artistic-2.0 Beerware BlueOak-1.0.0 BSD-1-Clause BSD-2-Clause BSD-2-Clause-Patent BSD-3-Clause ' +
    'BSD-3-Clause-Clear BSD-4-Clause BSD-Source-Code BSL-1.0 bzip2-1.0.6 CC-BY-3.0 CC-BY-4.0 CC-BY-SA-3.0 CC-BY-SA-4.0 ' +
    'CC0-1.0 CDDL-1.0 CDDL-1.1 curl ECL-2.0 EPL-1.0 EPL-2.0 EUPL-1.1 EUPL-1.2 FSFAP FSFUL FSFULLR FTL GFDL-1.1-only ' +
    'GFDL-1.1-or-later GFDL-1.2-only GFDL-1.2-or-later GFDL-1.3-only GFDL-1.3-or-later GPL-1.0 GPL-1.0-only ' +
    'GPL-1.0-or-later GPL-2.0 GPL-2.0-only GPL-2.0-or-later GPL-3.0 GPL-3.0-only GPL-3.0-or-later HPND ICU IJG ' +
    'Info-ZIP ISC LGPL-2.0 LGPL-2.0-only LGPL-2.0-or-later LGPL-2.1 LGPL-2.1-only LGPL-2.1-or-later LGPL-3.0 ' +
    'LGPL-3.0-only LGPL-3.0-or-later Libpng libpng-2.0 libtiff LPPL-1.3c MIT MIT-0 MPL-1.1 MPL-2.0 ' +
    'MPL-2.0-no-copyleft-exception MS-PL NCSA OFL-1.1 OLDAP-2.8 OpenSSL PHP-3.01 PostgreSQL PSF-2.0 Python-2.0 Ruby ' +
    'Sleepycat TCL Unicode-DFS-2016 Unlicense UPL-1.0 Vim W3C WTFPL X11 Zlib ZPL-2.1',
);
const EXCEPTION_IDS = lookup(
  'Autoconf-exception-2.0 Autoconf-exception-3.0 Bison-exception-2.2 Classpath-exception-2.0 Font-exception-2.0 ' +
    'GCC-exception-2.0 GCC-exception-3.1 Libtool-exception Linux-syscall-note LLVM-exception ' +
    'OCaml-LGPL-linking-exception Qt-LGPL-exception-1.1 u-boot-exception-2.0 Universal-FOSS-exception-1.0 ' +
    'WxWindows-exception-3.1',
);

function lookup(list: string): ReadonlyMap<string, string> {
  return new Map(list.split(' ').map((id) => [id.toLowerCase(), id]));
}

/** The license ids and exception ids Provenant recognises, canonical case. */
export const KNOWN_SPDX_IDS: readonly string[] = [...LICENSE_IDS.values(), ...EXCEPTION_IDS.values()];

/** One declaration: a single listed licence id, a compound SPDX expression, or free text. */
export type LicenseTerm = { kind: 'id'; id: string } | { kind: 'expression'; expression: string } | { kind: 'name'; name: string };

export interface DeclaredLicenses {
  /** Each distinct declaration, in order. */
  terms: LicenseTerm[];
  /** All declarations joined by AND as one valid expression; absent when any is free text (or none). */
  expression?: string;
}

type Expr = { op: 'AND' | 'OR'; args: Expr[] } | { id: string; plus: boolean; exception?: string };

export function interpretLicenses(declared: readonly string[] | undefined): DeclaredLicenses {
  const terms: LicenseTerm[] = [];
  const trees: Expr[] = [];
  const seen = new Set<string>();
  for (const text of declared ?? []) {
    const tree = parseExpression(text);
    const key = tree === undefined ? `name\0${text.trim()}` : render(tree);
    if (text.trim() === '' || seen.has(key)) continue;
    seen.add(key);
    if (tree === undefined) terms.push({ kind: 'name', name: text.trim() });
    else if ('op' in tree || tree.plus || tree.exception !== undefined) terms.push({ kind: 'expression', expression: key });
    else terms.push({ kind: 'id', id: tree.id });
    if (tree !== undefined) trees.push(tree);
  }
  const result: DeclaredLicenses = { terms };
  if (trees.length > 0 && trees.length === terms.length) {
    result.expression = render(trees.length === 1 ? trees[0]! : { op: 'AND', args: trees.flatMap((t) => ('op' in t && t.op === 'AND' ? t.args : [t])) });
  }
  return result;
}

function parseExpression(text: string): Expr | undefined {
  const tokens = text.match(/[()]|[^\s()]+/g) ?? [];
  let pos = 0;
  const binary = (op: 'AND' | 'OR', operand: () => Expr | undefined): Expr | undefined => {
    const args: Expr[] = [];
    for (;;) {
      const next = operand();
      if (next === undefined) return undefined;
      args.push(...('op' in next && next.op === op ? next.args : [next]));
      if (tokens[pos] !== op) return args.length === 1 ? args[0] : { op, args };
      pos++;
    }
  };
  const anyOf = (): Expr | undefined => binary('OR', allOf);
  const allOf = (): Expr | undefined => binary('AND', simple);
  const simple = (): Expr | undefined => {
    const token = tokens[pos++];
    if (token === '(') {
      const inner = anyOf();
      return inner !== undefined && tokens[pos++] === ')' ? inner : undefined;
    }
    const m = token === undefined ? null : /^([A-Za-z0-9.-]+?)(\+?)$/.exec(token);
    const id = m === null ? undefined : LICENSE_IDS.get(m[1]!.toLowerCase());
    if (id === undefined) return undefined;
    const node: Expr = { id, plus: m![2] === '+' };
    if (tokens[pos] !== 'WITH') return node;
    const exception = EXCEPTION_IDS.get((tokens[pos + 1] ?? '').toLowerCase());
    pos += 2;
    return exception === undefined ? undefined : { ...node, exception };
  };
  const tree = tokens.length === 0 ? undefined : anyOf();
  return pos === tokens.length ? tree : undefined;
}

function render(e: Expr, parent?: 'AND' | 'OR'): string {
  if (!('op' in e)) return `${e.id}${e.plus ? '+' : ''}${e.exception === undefined ? '' : ` WITH ${e.exception}`}`;
  const text = e.args.map((a) => render(a, e.op)).join(` ${e.op} `);
  return parent === 'AND' && e.op === 'OR' ? `(${text})` : text;
}
