import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { ProvenantError, type ErrorCode } from '../../src/core/errors.js';
import { MAX_TYPED_PASSWORD_LENGTH, readPassword, type ReadPasswordOptions } from '../../src/cli/password.js';

/** A stand-in terminal: a stream that says it is a TTY and records raw-mode switches. */
class FakeTty extends PassThrough {
  readonly isTTY = true;
  readonly rawModes: boolean[] = [];
  setRawMode(mode: boolean): this {
    this.rawModes.push(mode);
    return this;
  }
}

function sink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

const isCode = (code: ErrorCode) => (e: unknown) => e instanceof ProvenantError && e.code === code;

/** Runs readPassword on a fake terminal that receives `chunks`, one per tick. */
async function typed(chunks: Array<string | Buffer>, options: ReadPasswordOptions = {}) {
  const tty = new FakeTty();
  const out = sink();
  const pending = readPassword({ env: {}, input: tty, output: out.stream, ...options });
  for (const chunk of chunks) {
    await new Promise((resolve) => setImmediate(resolve));
    tty.write(chunk);
  }
  return { pending, tty, out };
}

test('PROVENANT_PASSWORD wins over COSIGN_PASSWORD; neither touches the terminal', async () => {
  const tty = new FakeTty();
  const env = { PROVENANT_PASSWORD: 'p', COSIGN_PASSWORD: 'c' };
  assert.equal(await readPassword({ env, input: tty }), 'p');
  assert.equal(await readPassword({ env: { COSIGN_PASSWORD: 'c' }, input: tty, confirm: true }), 'c');
  assert.deepEqual(tty.rawModes, []);
});

test('an empty variable is an empty password, not "unset"', async () => {
  const tty = new FakeTty();
  assert.equal(await readPassword({ env: { PROVENANT_PASSWORD: '', COSIGN_PASSWORD: 'c' }, input: tty }), '');
  assert.equal(await readPassword({ env: { COSIGN_PASSWORD: '' }, input: tty }), '');
  assert.deepEqual(tty.rawModes, []);
});

test('no variable and no terminal is PASSWORD_REQUIRED, without reading the input', async () => {
  const pipe = new PassThrough();
  pipe.end('secret from a pipe\n');
  await assert.rejects(readPassword({ env: {}, input: pipe }), isCode('PASSWORD_REQUIRED'));
  const ttyWithoutRawMode = Object.assign(new PassThrough(), { isTTY: true });
  await assert.rejects(readPassword({ env: {}, input: ttyWithoutRawMode }), isCode('PASSWORD_REQUIRED'));
});

test('a terminal prompt reads one line with echo off and restores the terminal', async () => {
  const { pending, tty, out } = await typed(['s3cr', 'et\r']);
  assert.equal(await pending, 's3cret');
  assert.deepEqual(tty.rawModes, [true, false]);
  assert.equal(out.text(), 'Enter password for private key: \n');
  assert.ok(!out.text().includes('s3cret'), 'nothing typed is echoed');
  assert.equal(tty.isPaused(), true);
  assert.equal(tty.listenerCount('data'), 0);
});

test('a custom prompt is used; an empty line is an empty password', async () => {
  const { pending, out } = await typed(['\r'], { prompt: 'Key password: ' });
  assert.equal(await pending, '');
  assert.equal(out.text(), 'Key password: \n');
});

test('confirmation: both lines in one chunk, over several chunks, and with pasted CRLF', async () => {
  for (const chunks of [['pw\rpw\r'], ['p', 'w\r', 'pw', '\r'], ['pw\r\n', 'pw\r\n'], ['pw\r', '\npw\n']]) {
    const { pending, out } = await typed(chunks, { confirm: true });
    assert.equal(await pending, 'pw', JSON.stringify(chunks));
    assert.equal(out.text(), 'Enter password for private key: \nEnter password for private key again: \n');
  }
});

test('confirmation that differs is PASSWORD_MISMATCH, and the terminal is restored', async () => {
  const { pending, tty } = await typed(['one\rtwo\r'], { confirm: true });
  await assert.rejects(pending, isCode('PASSWORD_MISMATCH'));
  assert.deepEqual(tty.rawModes, [true, false]);
});

test('line editing: backspace, Ctrl-U, escape sequences and other control characters', async () => {
  const cases: Array<[string[], string]> = [
    [['abx\x7fc\r'], 'abc'],
    [['ab\b\bcd\r'], 'cd'],
    [['\x7f\x7fok\r'], 'ok'],
    [['junk\x15pw\r'], 'pw'],
    [['p\x1b[Aw\x1b[1;5C\r'], 'pw'],
    [['p\x1b', '[', 'D', 'w\r'], 'pw'],
    [['p\x1bOPw\r'], 'pw'],
    [['a\x00b\tc\x1a\r'], 'abc'],
    [['x🔑\x7fy\r'], 'xy'],
    [['ab\x04c\r'], 'abc'],
  ];
  for (const [chunks, expected] of cases) {
    const { pending } = await typed(chunks);
    assert.equal(await pending, expected, JSON.stringify(chunks));
  }
});

test('UTF-8 split across chunks is decoded whole', async () => {
  const bytes = Buffer.from('pässwörd🔑\r', 'utf8');
  const { pending } = await typed([bytes.subarray(0, 2), bytes.subarray(2, 11), bytes.subarray(11)]);
  assert.equal(await pending, 'pässwörd🔑');
});

test('Ctrl-C, Ctrl-D on an empty line and end of input are PASSWORD_REQUIRED; the terminal is restored', async () => {
  for (const chunks of [['pa\x03ss\r'], ['\x04']]) {
    const { pending, tty } = await typed(chunks);
    await assert.rejects(pending, isCode('PASSWORD_REQUIRED'), JSON.stringify(chunks));
    assert.deepEqual(tty.rawModes, [true, false]);
  }
  const { pending, tty } = await typed(['partial']);
  tty.end();
  await assert.rejects(pending, isCode('PASSWORD_REQUIRED'));
  assert.deepEqual(tty.rawModes, [true, false]);
});

test('a terminal stream that has already ended is PASSWORD_REQUIRED at once, not a hang', async () => {
  const tty = new FakeTty();
  tty.end();
  tty.resume();
  await new Promise((resolve) => tty.once('end', resolve));
  await assert.rejects(readPassword({ env: {}, input: tty, output: sink().stream }), isCode('PASSWORD_REQUIRED'));
  assert.deepEqual(tty.rawModes, [true, false]);
});

test('confirmation cut short by end of input is PASSWORD_REQUIRED', async () => {
  const { pending, tty } = await typed(['pw\r'], { confirm: true });
  await new Promise((resolve) => setImmediate(resolve));
  tty.end();
  await assert.rejects(pending, isCode('PASSWORD_REQUIRED'));
});

test('a stream error is IO_ERROR', async () => {
  const { pending, tty } = await typed(['pw']);
  tty.destroy(new Error('EIO'));
  await assert.rejects(pending, isCode('IO_ERROR'));
  assert.deepEqual(tty.rawModes, [true, false]);
});

test('a typed password over the limit is INPUT_TOO_LARGE, not unbounded memory', async () => {
  const { pending, tty } = await typed(['x'.repeat(MAX_TYPED_PASSWORD_LENGTH + 1) + '\r']);
  await assert.rejects(pending, isCode('INPUT_TOO_LARGE'));
  assert.deepEqual(tty.rawModes, [true, false]);
  const ok = await typed(['y'.repeat(MAX_TYPED_PASSWORD_LENGTH) + '\r']);
  assert.equal((await ok.pending).length, MAX_TYPED_PASSWORD_LENGTH);
});
