// Alpine package versions, ordered as apk-tools orders them (src/version.c: apk_version_validate,
// apk_version_compare). Grammar: digit{.digit}...{letter}{_suf{#}}...{~hash}{-r#}. The tokenizer below follows
// token_first/token_next, and the comparison follows apk_version_compare_fuzzy without the fuzzy prefix match.

import { versionScheme, type VersionScheme } from './scheme.js';
import { ascending } from '../../core/order.js';

/** Longest version accepted; apk sets no limit, real versions are far shorter. */
export const APK_MAX_LENGTH = 256;

// The token kinds in the order of version.c's enum PARTS: the order matters, both for which token may follow
// which and for how two versions compare once one of them runs out of matching tokens.
const enum Tok {
  InitialDigit,
  Digit,
  Letter,
  Suffix,
  SuffixNo,
  CommitHash,
  RevisionNo,
  End,
}

// Suffix ranks of version.c: pre-release suffixes sort before "no suffix", post-release ones after it.
const SUFFIXES: ReadonlyMap<string, number> = new Map([
  ['alpha', 0],
  ['beta', 1],
  ['pre', 2],
  ['rc', 3],
  ['cvs', 5],
  ['svn', 6],
  ['git', 7],
  ['hg', 8],
  ['p', 9],
]);
const SUFFIX_NONE = 4;

interface Token {
  readonly kind: Tok;
  /** The token's text: digits, the letter, the suffix name or the hash. */
  readonly text: string;
  /** Numeric value (digits, suffix number, revision) or suffix rank. */
  readonly value: bigint;
}

// apk reads numbers into a uint64_t that silently wraps; a number that does not fit is refused instead.
const UINT64_LIMIT = 1n << 64n;

/** Splits a version into tokens ending with End, or undefined where apk's tokenizer yields TOKEN_INVALID. */
function tokenize(version: string): Token[] | undefined {
  if (version.length > APK_MAX_LENGTH) return undefined;
  const tokens: Token[] = [];
  let pos = 0;
  const digits = (kind: Tok): Token | undefined => {
    const m = /^[0-9]+/.exec(version.slice(pos));
    if (m === null) return undefined;
    pos += m[0].length;
    const value = BigInt(m[0]);
    return value < UINT64_LIMIT ? { kind, text: m[0], value } : undefined;
  };
  let t = digits(Tok.InitialDigit);
  if (t === undefined) return undefined;
  tokens.push(t);
  for (;;) {
    const prev: Tok = t.kind;
    if (pos === version.length) {
      tokens.push({ kind: Tok.End, text: '', value: 0n });
      return tokens;
    }
    const c = version[pos]!;
    let next: Token | undefined;
    if (c >= 'a' && c <= 'z') {
      if (prev > Tok.Digit) return undefined;
      next = { kind: Tok.Letter, text: c, value: BigInt(c.charCodeAt(0)) };
      pos++;
    } else if (c === '.' || (c >= '0' && c <= '9')) {
      // A dot introduces another number; a bare digit run can only follow a suffix name (e.g. "_rc1").
      if (c === '.') {
        if (prev > Tok.Digit) return undefined;
        pos++;
      }
      if (prev === Tok.InitialDigit || prev === Tok.Digit) next = digits(Tok.Digit);
      else if (prev === Tok.Suffix) next = digits(Tok.SuffixNo);
      else return undefined;
    } else if (c === '_') {
      if (prev > Tok.SuffixNo) return undefined;
      const m = /^[a-z]*/.exec(version.slice(pos + 1))!;
      const rank = SUFFIXES.get(m[0]);
      if (rank === undefined) return undefined;
      pos += 1 + m[0].length;
      next = { kind: Tok.Suffix, text: m[0], value: BigInt(rank) };
    } else if (c === '~') {
      if (prev >= Tok.CommitHash) return undefined;
      const m = /^[0-9a-f]*/.exec(version.slice(pos + 1))!;
      if (m[0].length === 0) return undefined;
      pos += 1 + m[0].length;
      next = { kind: Tok.CommitHash, text: m[0], value: 0n };
    } else if (c === '-') {
      if (prev >= Tok.RevisionNo || version[pos + 1] !== 'r') return undefined;
      pos += 2;
      next = digits(Tok.RevisionNo);
    }
    if (next === undefined) return undefined;
    tokens.push(next);
    t = next;
  }
}

// apk_blob_sort: bytewise over the common length, then the shorter first.
function blobSort(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a.charCodeAt(i) !== b.charCodeAt(i)) return a.charCodeAt(i) < b.charCodeAt(i) ? -1 : 1;
  }
  return Math.sign(a.length - b.length);
}


// token_cmp of version.c, for two tokens of the same kind.
function tokenCmp(a: Token, b: Token): number {
  switch (a.kind) {
    case Tok.Digit:
      // A leading zero on either side makes it a string comparison, as Gentoo's version rules do ("1.01" < "1.1").
      if (a.text.startsWith('0') || b.text.startsWith('0')) return blobSort(a.text, b.text);
      return ascending(a.value, b.value);
    case Tok.InitialDigit:
    case Tok.SuffixNo:
    case Tok.RevisionNo:
    case Tok.Letter:
    case Tok.Suffix:
      return ascending(a.value, b.value);
    case Tok.CommitHash:
    case Tok.End:
      return blobSort(a.text, b.text);
  }
}

function compareTokens(a: readonly Token[], b: readonly Token[]): number {
  let i = 0;
  for (; a[i]!.kind === b[i]!.kind && a[i]!.kind !== Tok.End; i++) {
    const r = tokenCmp(a[i]!, b[i]!);
    if (r !== 0) return r;
  }
  const ta = a[i]!;
  const tb = b[i]!;
  if (ta.kind === tb.kind) return 0;
  // The longer version is newer unless what it has more of is a pre-release suffix; otherwise the token kind that
  // comes later in the grammar marks the older version ("1.0-r1" < "1.0_p1" < "1.0a" < "1.0.1").
  if (ta.kind === Tok.Suffix && ta.value < SUFFIX_NONE) return -1;
  if (tb.kind === Tok.Suffix && tb.value < SUFFIX_NONE) return 1;
  return ta.kind > tb.kind ? -1 : 1;
}

export const apkVersions: VersionScheme = versionScheme('apk', 'an Alpine package version', tokenize, compareTokens);
