import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { MAX_PEM_LENGTH, readPem, writePem } from '../../src/crypto/pem.js';
import { isCode, throwsCode } from './helpers.js';

const DER = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d03010703420004' + 'ab'.repeat(64), 'hex');
const GOOD = writePem('PUBLIC KEY', DER);

test('writePem wraps at 64 columns and ends with a newline; readPem returns label and bytes', () => {
  const lines = GOOD.split('\n');
  assert.equal(lines[0], '-----BEGIN PUBLIC KEY-----');
  assert.equal(lines[1]?.length, 64);
  assert.ok(lines.slice(1, -2).every((l) => l.length <= 64));
  assert.equal(lines.at(-2), '-----END PUBLIC KEY-----');
  assert.equal(lines.at(-1), '');
  const block = readPem(GOOD);
  assert.equal(block.label, 'PUBLIC KEY');
  assert.deepEqual(block.der, DER);
});

test('round trip over many lengths, including a body that is an exact multiple of 48 bytes', () => {
  for (const n of [1, 2, 3, 47, 48, 49, 96, 500]) {
    const bytes = randomBytes(n);
    assert.deepEqual(readPem(writePem('PRIVATE KEY', bytes)).der, bytes, `length ${n}`);
  }
});

test('CRLF line endings, trailing blanks and surrounding blank lines are accepted', () => {
  assert.deepEqual(readPem(GOOD.replace(/\n/g, '\r\n')).der, DER);
  assert.deepEqual(readPem(`\n\n${GOOD.replace(/\n/g, '  \t\n')}\n\n`).der, DER);
  assert.deepEqual(readPem(GOOD.trimEnd()).der, DER);
});

test('a body in one long line is accepted (Go reads any line length)', () => {
  const oneLine = `-----BEGIN PUBLIC KEY-----\n${DER.toString('base64')}\n-----END PUBLIC KEY-----\n`;
  assert.deepEqual(readPem(oneLine).der, DER);
});

test('refuses input that is not exactly one clean PEM block', () => {
  const body = DER.toString('base64');
  const cases: Record<string, string> = {
    empty: '',
    'only whitespace': ' \n\n',
    'no BEGIN line': body,
    'text before the block': `my key\n${GOOD}`,
    'text after the block': `${GOOD}comment\n`,
    'two blocks': GOOD + GOOD,
    'END label differs': GOOD.replace('END PUBLIC KEY', 'END PRIVATE KEY'),
    'no END line': GOOD.replace('-----END PUBLIC KEY-----\n', ''),
    'truncated in the middle': GOOD.slice(0, GOOD.length / 2),
    'empty body': '-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n',
    'RFC 1421 headers': `-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\n${body}\n-----END EC PRIVATE KEY-----\n`,
    'non-base64 character': GOOD.replace(body.slice(0, 4), 'MF*w'),
    'padding in the middle': `-----BEGIN PUBLIC KEY-----\nAA==\nAAAA\n-----END PUBLIC KEY-----\n`,
    'missing padding': `-----BEGIN PUBLIC KEY-----\nAAA\n-----END PUBLIC KEY-----\n`,
    'non-canonical final bits': `-----BEGIN PUBLIC KEY-----\nYR==\n-----END PUBLIC KEY-----\n`,
    'URL-safe alphabet': `-----BEGIN PUBLIC KEY-----\n-_-_\n-----END PUBLIC KEY-----\n`,
    'leading blank on a body line': GOOD.replace(`\n${body.slice(0, 64)}`, `\n ${body.slice(0, 64)}`),
    'lower-case label': GOOD.replace(/PUBLIC KEY/g, 'public key'),
    'BEGIN line with four dashes': GOOD.replace('-----BEGIN', '----BEGIN'),
    'PGP armour': '-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: x\n\nlQOsBGGT\n-----END PGP PRIVATE KEY BLOCK-----\n',
  };
  for (const [name, text] of Object.entries(cases)) {
    assert.throws(() => readPem(text), isCode('PEM_MALFORMED'), name);
  }
});

test('non-string input is PEM_MALFORMED, not a crash', () => {
  throwsCode(() => readPem(Buffer.from(GOOD) as unknown as string), 'PEM_MALFORMED');
  throwsCode(() => readPem(undefined as unknown as string), 'PEM_MALFORMED');
});

test('input over the size limit is INPUT_TOO_LARGE before any parsing', () => {
  const huge = `-----BEGIN PUBLIC KEY-----\n${'A'.repeat(MAX_PEM_LENGTH)}\n-----END PUBLIC KEY-----\n`;
  throwsCode(() => readPem(huge), 'INPUT_TOO_LARGE');
  throwsCode(() => readPem(GOOD, 10), 'INPUT_TOO_LARGE');
});

test('a very long single garbage line fails fast', () => {
  const start = process.hrtime.bigint();
  throwsCode(() => readPem('-'.repeat(MAX_PEM_LENGTH)), 'PEM_MALFORMED');
  assert.ok(process.hrtime.bigint() - start < 1_000_000_000n);
});

test('writePem refuses a label that readPem could not read back', () => {
  throwsCode(() => writePem('bad\nlabel', DER), 'INTERNAL');
  throwsCode(() => writePem('', DER), 'INTERNAL');
});
