// Maven version order as org.apache.maven.artifact.versioning.ComparableVersion of maven-artifact 3.9
// (https://maven.apache.org/pom.html#version-order-specification), which Maven resolves ranges with. The parse
// keeps its quirks on purpose, since an ordering "fixed" here would disagree with the one Maven applies:
// - numbers are split into int (<= 9 digits), long (<= 18) and big (more) items after leading zeros are stripped,
//   and items of different sizes compare by size class only (as Java does, "0000000000000000000" is a big 0);
// - ".X" before a qualifier is treated as "-X" (MNG-7644), so 2.0.a == 2-a;
// - a list compares with "nothing" by its first non-null item (MNG-6964).

import { ProvenantError } from '../../core/errors.js';
import type { VersionScheme } from './scheme.js';
import { compareDecimal } from './semver.js';
import { ascending } from '../../core/order.js';

type Item =
  | { readonly kind: 'number'; readonly size: 0 | 1 | 2; readonly digits: string }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'list'; readonly items: Item[] };

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const ALIASES: Record<string, string> = { ga: '', final: '', release: '', cr: 'rc' };
const RELEASE_INDEX = String(QUALIFIERS.indexOf(''));

// Known qualifiers sort by their index, unknown ones after all of them, lexically (ComparableVersion's
// comparableQualifier, compared as Java strings: UTF-16 code units, which for ASCII is code-point order).
function comparableQualifier(q: string): string {
  const i = QUALIFIERS.indexOf(q);
  return i === -1 ? `${QUALIFIERS.length}-${q}` : String(i);
}


function stringItem(raw: string, followedByDigit: boolean): Item {
  let value = raw;
  // "a1" = alpha-1, "b1" = beta-1, "m1" = milestone-1, only when a digit follows.
  if (followedByDigit && value.length === 1) {
    value = value === 'a' ? 'alpha' : value === 'b' ? 'beta' : value === 'm' ? 'milestone' : value;
  }
  return { kind: 'string', value: ALIASES[value] ?? value };
}

function parseItem(isDigit: boolean, buf: string): Item {
  if (!isDigit) return stringItem(buf, false);
  // stripLeadingZeroes keeps an all-zero string whole, so its size class follows its written length.
  const stripped = /^0+$/.test(buf) ? buf : buf.replace(/^0+/, '');
  const size = stripped.length <= 9 ? 0 : stripped.length <= 18 ? 1 : 2;
  return { kind: 'number', size, digits: /^0+$/.test(stripped) ? '0' : stripped };
}

function isNull(item: Item): boolean {
  switch (item.kind) {
    case 'number':
      return item.digits === '0';
    case 'string':
      return comparableQualifier(item.value) === RELEASE_INDEX;
    case 'list':
      return item.items.length === 0;
  }
}

function normalize(list: Item[]): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const last = list[i]!;
    if (isNull(last)) list.splice(i, 1);
    else if (last.kind !== 'list') break;
  }
}

function parse(version: string): Item {
  const text = version.toLowerCase();
  const root: Item[] = [];
  let list = root;
  const stack: Item[][] = [root];
  const open = (): void => {
    const sub: Item[] = [];
    list.push({ kind: 'list', items: sub });
    list = sub;
    stack.push(sub);
  };
  let isDigit = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '.' || c === '-') {
      list.push(i === start ? parseItem(true, '0') : parseItem(isDigit, text.slice(start, i)));
      start = i + 1;
      if (c === '-') open();
    } else if (c >= '0' && c <= '9') {
      if (!isDigit && i > start) {
        if (list.length > 0) open();
        list.push(stringItem(text.slice(start, i), true));
        start = i;
        open();
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        list.push(parseItem(true, text.slice(start, i)));
        start = i;
        open();
      }
      isDigit = false;
    }
  }
  if (text.length > start) {
    if (!isDigit && list.length > 0) open();
    list.push(parseItem(isDigit, text.slice(start)));
  }
  for (let i = stack.length - 1; i >= 0; i--) normalize(stack[i]!);
  return { kind: 'list', items: root };
}

// Item.compareTo(null): how an item compares with a missing one ("1.0" == "1", "1-rc" < "1", "1-sp" > "1").
function compareWithNothing(item: Item): number {
  switch (item.kind) {
    case 'number':
      return item.digits === '0' ? 0 : 1;
    case 'string':
      return Math.sign(ascending(comparableQualifier(item.value), RELEASE_INDEX));
    case 'list':
      for (const sub of item.items) {
        const c = compareWithNothing(sub);
        if (c !== 0) return c;
      }
      return 0;
  }
}

function compareItems(a: Item, b: Item): number {
  switch (a.kind) {
    case 'number':
      if (b.kind !== 'number') return 1; // 1.1 > 1-sp, 1.1 > 1-1
      return a.size !== b.size ? Math.sign(a.size - b.size) : compareDecimal(a.digits, b.digits);
    case 'string':
      if (b.kind !== 'string') return -1; // 1.any < 1.1, 1.any < 1-1
      return Math.sign(ascending(comparableQualifier(a.value), comparableQualifier(b.value)));
    case 'list':
      if (b.kind === 'number') return -1; // 1-1 < 1.0.x
      if (b.kind === 'string') return 1; // 1-1 > 1-sp
      for (let i = 0; i < Math.max(a.items.length, b.items.length); i++) {
        const l = a.items[i];
        const r = b.items[i];
        const c = l === undefined ? (r === undefined ? 0 : -compareWithNothing(r)) : r === undefined ? compareWithNothing(l) : compareItems(l, r);
        if (c !== 0) return c;
      }
      return 0;
  }
}

// ComparableVersion reads any string. Provenant takes visible ASCII only: a blank or a control character is no
// version, and Java's Unicode digits and case mappings would otherwise have to be reproduced.
const isWellFormed = (version: string): boolean => /^[\x21-\x7e]+$/.test(version);

function parseOrThrow(version: string): Item {
  if (!isWellFormed(version)) {
    throw new ProvenantError('VERSION_INVALID', `not a Maven version: ${JSON.stringify(version)}`, {
      details: { scheme: 'maven', version },
    });
  }
  return parse(version);
}

export const mavenVersions: VersionScheme = {
  name: 'maven',
  isValid: isWellFormed,
  compare: (a, b) => compareItems(parseOrThrow(a), parseOrThrow(b)),
};
