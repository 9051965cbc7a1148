// PEP 440 versions of Python packages (https://peps.python.org/pep-0440/, now the "Version specifiers"
// specification of packaging.python.org), parsed with the normalisation rules of its "Normalization" section and
// ordered as the reference implementation, packaging's version.py (_cmpkey), orders them.

import { versionScheme, type VersionScheme } from './scheme.js';
import { compareDecimal } from './semver.js';

interface Pep440 {
  readonly epoch: string;
  /** Release numbers with trailing zeros removed: 1.0 == 1.0.0 ("Release segment"). */
  readonly release: readonly string[];
  readonly pre: { readonly letter: 'a' | 'b' | 'rc'; readonly n: string } | undefined;
  readonly post: string | undefined;
  readonly dev: string | undefined;
  readonly local: readonly string[] | undefined;
}

// packaging's VERSION_PATTERN; it is matched case-insensitively after the input is checked to be ASCII, so that
// no Unicode case folding can make a letter out of something else.
const PEP440_RE = new RegExp(
  '^v?' +
    '(?:([0-9]+)!)?' +
    '([0-9]+(?:\\.[0-9]+)*)' +
    '(?:[._-]?(alpha|a|beta|b|preview|pre|c|rc)[._-]?([0-9]+)?)?' +
    '(?:-([0-9]+)|[._-]?(post|rev|r)[._-]?([0-9]+)?)?' +
    '(?:[._-]?(dev)[._-]?([0-9]+)?)?' +
    '(?:\\+([a-z0-9]+(?:[._-][a-z0-9]+)*))?$',
  'i',
);

// "Pre-release spelling": alpha, beta, c, pre and preview are alternative spellings of a, b and rc.
const PRE_LETTER: Record<string, 'a' | 'b' | 'rc'> = {
  a: 'a', alpha: 'a', b: 'b', beta: 'b', c: 'rc', rc: 'rc', pre: 'rc', preview: 'rc',
};

const stripZeros = (n: string): string => n.replace(/^0+(?=[0-9])/, '');

function parse(version: string): Pep440 | undefined {
  // "Leading and Trailing Whitespace": silently ignored.
  const text = version.trim();
  if (!/^[\x21-\x7e]*$/.test(text)) return undefined;
  const m = PEP440_RE.exec(text);
  if (m === null) return undefined;
  const release = m[2]!.split('.').map(stripZeros);
  while (release.length > 0 && release[release.length - 1] === '0') release.pop();
  const postNumber = m[5] ?? m[7];
  return {
    epoch: stripZeros(m[1] ?? '0'),
    release,
    // An implicit 0 when the number is left out: "1.0a" is "1.0a0", "1.0.post" is "1.0.post0".
    pre: m[3] === undefined ? undefined : { letter: PRE_LETTER[m[3].toLowerCase()]!, n: stripZeros(m[4] ?? '0') },
    post: m[6] === undefined && m[5] === undefined ? undefined : stripZeros(postNumber ?? '0'),
    dev: m[8] === undefined ? undefined : stripZeros(m[9] ?? '0'),
    local: m[10] === undefined ? undefined : m[10].toLowerCase().split(/[._-]/),
  };
}

function compareLists(a: readonly string[], b: readonly string[], item: (x: string, y: string) => number): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = item(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return Math.sign(a.length - b.length);
}

// "Local version identifiers": segments compare numerically when both are numeric, lexically otherwise, an
// alphanumeric segment sorts before a numeric one, and a longer local version wins when the prefix is equal.
function compareLocalSegment(x: string, y: string): number {
  const xn = /^[0-9]+$/.test(x);
  const yn = /^[0-9]+$/.test(y);
  if (xn && yn) return compareDecimal(stripZeros(x), stripZeros(y));
  if (xn !== yn) return xn ? 1 : -1;
  return x < y ? -1 : x > y ? 1 : 0;
}

// Sort keys of _cmpkey: -1 stands for NegativeInfinity, +1 for Infinity, 0 for "compare the value".
type Slot = { readonly inf: -1 | 0 | 1; readonly value: string };
const NEG: Slot = { inf: -1, value: '' };
const POS: Slot = { inf: 1, value: '' };

function compareSlot(a: Slot, b: Slot, values: (x: string, y: string) => number): number {
  if (a.inf !== 0 || b.inf !== 0) return Math.sign(a.inf - b.inf);
  return values(a.value, b.value);
}

// "Summary of permitted suffixes and relative ordering": X.devN < X.aN < X.bN < X.rcN < X < X.postN; a dev
// release of X.aN (or X.postN) sorts just before it.
function preSlot(v: Pep440): Slot {
  if (v.pre === undefined && v.post === undefined && v.dev !== undefined) return NEG;
  if (v.pre === undefined) return POS;
  return { inf: 0, value: `${v.pre.letter}:${v.pre.n}` };
}

function comparePre(x: string, y: string): number {
  const [xl, xn] = x.split(':') as [string, string];
  const [yl, yn] = y.split(':') as [string, string];
  // "a" < "b" < "rc" in code-point order, as in packaging.
  if (xl !== yl) return xl < yl ? -1 : 1;
  return compareDecimal(xn, yn);
}

const slot = (value: string | undefined, missing: Slot): Slot => (value === undefined ? missing : { inf: 0, value });

function compareParsed(a: Pep440, b: Pep440): number {
  return (
    compareDecimal(a.epoch, b.epoch) ||
    compareLists(a.release, b.release, compareDecimal) ||
    compareSlot(preSlot(a), preSlot(b), comparePre) ||
    // Without a post segment a version sorts before one with it; without a dev segment, after one with it.
    compareSlot(slot(a.post, NEG), slot(b.post, NEG), compareDecimal) ||
    compareSlot(slot(a.dev, POS), slot(b.dev, POS), compareDecimal) ||
    compareSlot(slot(a.local?.join('.'), NEG), slot(b.local?.join('.'), NEG), (x, y) =>
      compareLists(x.split('.'), y.split('.'), compareLocalSegment),
    )
  );
}

export const pep440Versions: VersionScheme = versionScheme('pep440', 'a PEP 440 version', parse, compareParsed);
