import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { PROVENANT_VERSION } from '../../src/cli/run.js';
import { loadSigningKey, loadVerifier, SigningKey } from '../../src/crypto/index.js';
import { cosignTag } from '../../src/oci/attachments/cosign-tags.js';
import { buildImage, dockerArchiveEntries, tarBytes, writeDockerArchive } from '../helpers/oci-image.js';
import { cli, failedWith, keyFiles, layoutWith, PASSWORD, succeeded, workspace } from './cli-helpers.js';

const ws = await workspace('cli');
const image = await buildImage({ emptySteps: [{ before: 1, createdBy: 'ENV A=1' }] });
const layout = await layoutWith(ws.path('layout'), { v1: image });
const IMAGE = `oci:${layout.dir}:v1`;
const keys = await keyFiles(ws.path('cosign'));
const plainKey = ws.path('plain.key');
await writeFile(plainKey, SigningKey.generate().toPkcs8Pem());
const certificate = ws.path('cert.pem');
await writeFile(certificate, `-----BEGIN CERTIFICATE-----\n${Buffer.from('not a key at all').toString('base64')}\n-----END CERTIFICATE-----\n`);
const garbage = ws.path('garbage.key');
await writeFile(garbage, 'this is not PEM\n');
const predicate = ws.path('predicate.json');
await writeFile(predicate, '{"buildType":"https://ci.example/v1"}');
const archive = ws.path('image.tar');
await writeDockerArchive(archive, image, { shape: 'oci-layout' });
const noPassword = {};

test('--version and --help exit 0 on stdout', async () => {
  for (const flag of ['--version', '-v']) {
    const r = await cli([flag]);
    assert.deepEqual([r.exit, r.stdout, r.stderr], [0, `${PROVENANT_VERSION}\n`, '']);
  }
  const help = await cli(['--help']);
  assert.equal(help.exit, 0);
  for (const command of ['keygen', 'sign', 'verify', 'attest', 'verify-attestation', 'verify-bundle', 'inspect']) {
    assert.match(help.stdout, new RegExp(`^\\s+${command}\\b`, 'm'));
  }
  const signHelp = await cli(['sign', '--help']);
  assert.equal(signHelp.exit, 0);
  assert.match(signHelp.stdout, /--key <file>/);
});

test('command-line mistakes are USAGE, exit 2', async () => {
  failedWith(await cli(['verify', IMAGE, '--key', keys.pub, '--no-such-option']), 'USAGE');
  failedWith(await cli(['no-such-command']), 'USAGE');
  failedWith(await cli(['sign', IMAGE]), 'USAGE');
  failedWith(await cli(['verify', '--key', keys.pub]), 'USAGE');
  failedWith(await cli(['sign', IMAGE, '--key', keys.key, '-a', 'no-equals-sign']), 'USAGE');
  failedWith(await cli(['attest', IMAGE, '--key', keys.key, '--predicate', predicate, '--attach', 'sideways']), 'USAGE');
  failedWith(await cli(['attest', IMAGE, '--key', keys.key, '--predicate', predicate, '--type', 'not-a-type']), 'USAGE');
  failedWith(await cli(['keygen', '--output-key-prefix', ws.path('rsa'), '--algorithm', 'rsa']), 'USAGE');
  assert.equal(await layout.fetchTag(cosignTag(image.manifest.digest, 'sig')), undefined);
  assert.equal(await layout.fetchTag(cosignTag(image.manifest.digest, 'att')), undefined);
});

test('files that are not keys are KEY_MALFORMED or PEM_MALFORMED, exit 3', async () => {
  failedWith(await cli(['sign', IMAGE, '--key', certificate]), 'KEY_MALFORMED');
  failedWith(await cli(['verify', IMAGE, '--key', certificate]), 'KEY_MALFORMED');
  failedWith(await cli(['sign', IMAGE, '--key', garbage]), 'PEM_MALFORMED');
  failedWith(await cli(['verify', IMAGE, '--key', garbage]), 'PEM_MALFORMED');
  failedWith(await cli(['verify-attestation', IMAGE, '--key', garbage]), 'PEM_MALFORMED');
});

test('a key of the wrong kind is KEY_MISMATCH: private keys never reach a verifier, public keys never sign', async () => {
  failedWith(await cli(['verify', IMAGE, '--key', keys.key]), 'KEY_MISMATCH');
  failedWith(await cli(['verify', IMAGE, '--key', plainKey]), 'KEY_MISMATCH');
  failedWith(await cli(['verify', IMAGE, '--key', keys.pub, '--key', keys.key]), 'KEY_MISMATCH');
  failedWith(await cli(['verify-attestation', IMAGE, '--key', keys.key]), 'KEY_MISMATCH');
  failedWith(await cli(['sign', IMAGE, '--key', keys.pub]), 'KEY_MISMATCH');
});

test('passwords: wrong is KEY_DECRYPT_FAILED and none without a terminal is PASSWORD_REQUIRED, both exit 6', async () => {
  assert.notEqual(process.stdin.isTTY, true, 'these tests need a stdin that is not a terminal');
  failedWith(await cli(['sign', IMAGE, '--key', keys.key], { PROVENANT_PASSWORD: 'wrong' }), 'KEY_DECRYPT_FAILED');
  failedWith(await cli(['attest', IMAGE, '--key', keys.key, '--predicate', predicate], { COSIGN_PASSWORD: 'wrong' }), 'KEY_DECRYPT_FAILED');
  failedWith(await cli(['sign', IMAGE, '--key', keys.key], noPassword), 'PASSWORD_REQUIRED');
  failedWith(await cli(['keygen', '--output-key-prefix', ws.path('nopw')], noPassword), 'PASSWORD_REQUIRED');
  await assert.rejects(stat(ws.path('nopw.key')), { code: 'ENOENT' });
  assert.equal(await layout.fetchTag(cosignTag(image.manifest.digest, 'sig')), undefined);
  assert.equal(await layout.fetchTag(cosignTag(image.manifest.digest, 'att')), undefined);
  // A plain PKCS#8 key needs no password at all.
  const dir = await layoutWith(ws.path('plain-layout'), { v1: image });
  succeeded(await cli(['sign', `oci:${dir.dir}:v1`, '--key', plainKey], noPassword));
});

test('missing files are FILE_NOT_FOUND, exit 4', async () => {
  failedWith(await cli(['sign', IMAGE, '--key', ws.path('absent.key')]), 'FILE_NOT_FOUND');
  failedWith(await cli(['verify', IMAGE, '--key', ws.path('absent.pub')]), 'FILE_NOT_FOUND');
  failedWith(await cli(['attest', IMAGE, '--key', keys.key, '--predicate', ws.path('absent.json')]), 'FILE_NOT_FOUND');
  failedWith(await cli(['verify', `oci:${ws.path('absent-layout')}:v1`, '--key', keys.pub]), 'FILE_NOT_FOUND');
  failedWith(await cli(['inspect', `docker-archive:${ws.path('absent.tar')}`]), 'FILE_NOT_FOUND');
});

test('a docker-archive is read-only: sign and attest are SOURCE_UNSUPPORTED, exit 2', async () => {
  failedWith(await cli(['sign', `docker-archive:${archive}`, '--key', keys.key]), 'SOURCE_UNSUPPORTED');
  failedWith(await cli(['attest', `docker-archive:${archive}`, '--key', keys.key, '--predicate', predicate]), 'SOURCE_UNSUPPORTED');
  failedWith(await cli(['verify', `docker-archive:${archive}`, '--key', keys.pub]), 'SOURCE_UNSUPPORTED');
});

test('inspect of a truncated docker-archive is ARCHIVE_TRUNCATED, exit 3', async () => {
  const whole = await tarBytes(dockerArchiveEntries(image, { shape: 'oci-layout' }));
  const cut = ws.path('cut.tar');
  await writeFile(cut, whole.subarray(0, Math.floor(whole.length / 2)));
  failedWith(await cli(['inspect', `docker-archive:${cut}`]), 'ARCHIVE_TRUNCATED');
});

test('inspect prints the same digest and layers for oci: and docker-archive:', async () => {
  type Report = { digest: string; transport: string; layers: Array<{ digest: string; diffID: string; createdBy: string }> };
  const fromLayout = succeeded<Report>(await cli(['inspect', IMAGE], noPassword));
  const fromArchive = succeeded<Report>(await cli(['inspect', `docker-archive:${archive}`], noPassword));
  assert.deepEqual([fromLayout.transport, fromArchive.transport], ['oci', 'docker-archive']);
  const expected = image.layers.map((l) => ({ digest: l.desc.digest, diffID: l.diffId, createdBy: l.createdBy }));
  for (const report of [fromLayout, fromArchive]) {
    assert.equal(report.digest, image.manifest.digest);
    assert.deepEqual(report.layers.map(({ digest, diffID, createdBy }) => ({ digest, diffID, createdBy })), expected);
  }
});

test('keygen writes a 0600 encrypted key that loads with the password, and refuses to overwrite without --force', async () => {
  const prefix = ws.path('gen');
  const out = succeeded<{ privateKey: string; publicKey: string; keyId: string; algorithm: string }>(await cli(['keygen', '--output-key-prefix', prefix]));
  assert.deepEqual([out.privateKey, out.publicKey, out.algorithm], [`${prefix}.key`, `${prefix}.pub`, 'ecdsa-p256']);
  assert.equal((await stat(`${prefix}.key`)).mode & 0o777, 0o600);
  const pem = await readFile(`${prefix}.key`, 'utf8');
  assert.match(pem, /^-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n/);
  assert.equal((await loadSigningKey(pem, PASSWORD)).keyId, out.keyId);
  assert.equal(loadVerifier(await readFile(`${prefix}.pub`, 'utf8')).keyId, out.keyId);
  await assert.rejects(loadSigningKey(pem, 'not the password'), { code: 'KEY_DECRYPT_FAILED' });

  const pub = await readFile(`${prefix}.pub`, 'utf8');
  failedWith(await cli(['keygen', '--output-key-prefix', prefix]), 'USAGE');
  assert.equal(await readFile(`${prefix}.key`, 'utf8'), pem);
  assert.equal(await readFile(`${prefix}.pub`, 'utf8'), pub);

  // --force replaces both, and a replaced key file ends up 0600 even if the old one was world-readable.
  await writeFile(`${prefix}.key`, 'old');
  await chmod(`${prefix}.key`, 0o644);
  const forced = succeeded<{ keyId: string }>(await cli(['keygen', '--output-key-prefix', prefix, '--force', '--algorithm', 'ed25519']));
  assert.notEqual(forced.keyId, out.keyId);
  assert.equal((await stat(`${prefix}.key`)).mode & 0o777, 0o600);
  const signer = await loadSigningKey(await readFile(`${prefix}.key`, 'utf8'), PASSWORD);
  assert.deepEqual([signer.keyId, signer.algorithm], [forced.keyId, 'ed25519']);
  assert.equal(loadVerifier(await readFile(`${prefix}.pub`, 'utf8')).keyId, forced.keyId);
});
