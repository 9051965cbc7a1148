// The shared shape of every cataloger: a Package found in an image's files, and the Cataloger that finds it.
// Catalogers are pure: they receive a file's path and bytes (plus lookups into the other files) and return
// packages or throw a ProvenantError; reading the image is the caller's business.
import { ProvenantError } from '../../core/errors.js';

// The package shape is the formats layer's, so what a cataloger finds is what the SBOMs and predicates carry.
export type { Ecosystem, Package } from '../../formats/sbom-package.js';
import type { Package } from '../../formats/sbom-package.js';

/** The fields of os-release(5) the catalogers use. */
export interface OsRelease {
  /** ID, lowercase ("debian", "alpine", "fedora"). */
  id: string;
  versionId?: string;
  versionCodename?: string;
  idLike?: string[];
  prettyName?: string;
}

export interface CatalogContext {
  osRelease?: OsRelease;
  /** Another file of the same image by root-relative path ("usr/share/doc/bash/copyright"), if the caller has it. */
  file?(path: string): Uint8Array | undefined;
}

export interface Cataloger {
  readonly name: string;
  /** Files larger than this are refused with INPUT_TOO_LARGE instead of being parsed. */
  readonly maxBytes: number;
  /** Whether the file at this root-relative path is one this cataloger reads. */
  matches(path: string): boolean;
  /** For catalogers that recognise files by content: whether these bytes are worth parsing. */
  sniff?(bytes: Uint8Array): boolean;
  /** Other files this cataloger reads through CatalogContext.file when they are there (a caller choosing
   *  which files to keep should keep these too). */
  consults?(path: string): boolean;
  /** Errors: PACKAGE_METADATA_MALFORMED, INPUT_TOO_LARGE, JSON_* for JSON inputs, UNSUPPORTED. */
  parse(path: string, bytes: Uint8Array, context: CatalogContext): Package[];
}

export const MiB = 1024 * 1024;

export function malformed(what: string, reason: string, details: Record<string, unknown> = {}): never {
  throw new ProvenantError('PACKAGE_METADATA_MALFORMED', `${what} is malformed: ${reason}`, { details });
}

const UTF8 = new TextDecoder('utf-8');

/** UTF-8 text of bytes, invalid sequences replaced by U+FFFD (names and versions are checked afterwards). */
export function utf8Text(bytes: Uint8Array): string {
  return UTF8.decode(bytes);
}

/** Root-relative form of a path: no leading "/" or "./". */
export function relativePath(path: string): string {
  return path.replace(/^(?:\.?\/)+/, '');
}

/** The distro qualifier value, "<ID>-<VERSION_ID>" (or the codename when there is no version, as in sid). */
export function distroQualifier(os: OsRelease | undefined): string | undefined {
  if (os === undefined) return undefined;
  const version = os.versionId ?? os.versionCodename;
  return version === undefined || version === '' ? undefined : `${os.id}-${version}`;
}

/** Unique strings in first-seen order, or undefined when there are none. */
export function uniqueOrUndefined(values: Iterable<string>): string[] | undefined {
  const out = [...new Set(values)];
  return out.length === 0 ? undefined : out;
}
