import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson, canonicalJsonWith, canonicalMembers, parseJson, parseJsonObject } from '../../src/core/json.js';
import { ProvenantError } from '../../src/core/errors.js';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ProvenantError, `expected ProvenantError, got ${String(e)}`);
    return e.code;
  }
  assert.fail('expected a throw');
}

test('parses what JSON.parse parses, for ordinary documents', () => {
  const docs = ['{"a":[1,2.5,-3e2,true,false,null],"b":{"c":"d\\n\\u00e9\\ud83d\\ude00"}}', '[]', '"x"', ' 0 ', '{"":1}'];
  for (const d of docs) assert.deepEqual(parseJson(d), JSON.parse(d));
});

test('refuses duplicate keys at any depth', () => {
  assert.equal(code(() => parseJson('{"a":1,"a":2}')), 'JSON_DUPLICATE_KEY');
  assert.equal(code(() => parseJson('{"x":{"critical":1,"critical":2}}')), 'JSON_DUPLICATE_KEY');
  // Keys equal after unescaping are duplicates too.
  assert.equal(code(() => parseJson('{"a":1,"\\u0061":2}')), 'JSON_DUPLICATE_KEY');
  assert.equal(code(() => parseJson('{"__proto__":1,"__proto__":2}')), 'JSON_DUPLICATE_KEY');
  assert.deepEqual(parseJson('{"toString":"a\\u0022b","constructor":"\\t","hasOwnProperty":1}'), { toString: 'a"b', constructor: '\t', hasOwnProperty: 1 });
  assert.deepEqual(parseJson('["a\\"b", "\\\\", "x\\ny"]'), ['a"b', '\\', 'x\ny']);
});

test('refuses malformed input with a position', () => {
  for (const bad of ['', '{', '{"a":}', '[1,]', '{"a":1,}', '01', '1.', '"\t"', '"\\x"', 'tru', '{} x', 'NaN', '1e999']) {
    assert.equal(code(() => parseJson(bad)), 'JSON_MALFORMED', bad);
  }
  try {
    parseJson('{\n  "a": ?\n}');
  } catch (e) {
    assert.ok(e instanceof ProvenantError);
    assert.deepEqual([e.details?.line, e.details?.column], [2, 8]);
  }
});

test('bounds depth and size', () => {
  assert.equal(code(() => parseJson('['.repeat(200) + ']'.repeat(200))), 'JSON_TOO_DEEP');
  assert.equal(code(() => parseJson('[[1]]', 'x', { maxDepth: 1 })), 'JSON_TOO_DEEP');
  assert.equal(code(() => parseJson('"abcdef"', 'x', { maxLength: 4 })), 'INPUT_TOO_LARGE');
});

test('__proto__ is data, not a prototype change', () => {
  const v = parseJsonObject('{"__proto__":{"polluted":true},"a":1}');
  assert.equal(Object.getPrototypeOf(v), Object.prototype);
  assert.deepEqual(Object.keys(v), ['__proto__', 'a']);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('invalid UTF-8 bytes are refused', () => {
  assert.equal(code(() => parseJson(Buffer.from([0x22, 0xff, 0x22]))), 'JSON_MALFORMED');
});

test('parseJsonObject requires an object', () => {
  assert.equal(code(() => parseJsonObject('[1]')), 'JSON_MALFORMED');
});

test('canonical JSON follows RFC 8785', () => {
  // Member order by UTF-16 code units (RFC 8785 §3.2.3 example keys).
  const sorted = canonicalJson({ '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ufb33': 'Hebrew Letter Dalet With Dagesh', '1': 'One', '\ud83d\ude00': 'Emoji: Grinning Face', '\u0080': 'Control', '\u00f6': 'Latin Small Letter O With Diaeresis' });
  // Read the member names in text order (Object.keys would put the integer-like "1" first).
  const keys = [...sorted.matchAll(/"((?:[^"\\]|\\.)*)":/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);
  assert.deepEqual(keys, ['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33']);
  // Numbers in ECMAScript shortest form (RFC 8785 Appendix B samples).
  assert.equal(canonicalJson([1e21, 1e-7, 333333333.3333333, -0, 4.5, 0.000001, 1e23]), '[1e+21,1e-7,333333333.3333333,0,4.5,0.000001,1e+23]');
  assert.equal(canonicalJson({ b: [true, null], a: 'x\u001f"' }), '{"a":"x\\u001f\\"","b":[true,null]}');
  assert.equal(canonicalJson({ a: undefined, b: 1 }), '{"b":1}');
});

test('canonicalJsonWith gives the canonical JSON of the merged object, extra members added or replacing', () => {
  const base = { '\u20ac': 1, b: { z: [1, 'x'], a: null }, '1': true, d: undefined, '\r': 'cr', mm: 'old' };
  const extras: Record<string, unknown>[] = [
    {},
    { context: { at: '2026-01-01T00:00:00Z', namespace: 'shop' } },
    { mm: 'new', '0': 0, '\ufb33': [], zz: undefined },
    { '\r': 'replaced', '\u20ac': 2, b: 'flat', '1': false },
    { aa: 1, ab: 2, '\u0080': 3 },
  ];
  const members = canonicalMembers(base);
  for (const extra of extras) assert.equal(canonicalJsonWith(members, extra), canonicalJson({ ...base, ...extra }), JSON.stringify(extra));
  assert.equal(canonicalJsonWith(canonicalMembers({}), { b: 1, a: 2 }), '{"a":2,"b":1}');
});

test('canonical JSON refuses what has no canonical form', () => {
  assert.equal(code(() => canonicalJson(Number.NaN)), 'JSON_MALFORMED');
  assert.equal(code(() => canonicalJson('\ud800')), 'JSON_MALFORMED');
  assert.equal(code(() => canonicalJson(10n)), 'JSON_MALFORMED');
});
